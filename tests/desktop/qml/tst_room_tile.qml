import QtQuick
import QtTest
import Spidi.Ui

// RoomTile: built from its required properties (the RoomListModel roles), the load bar takes
// the Theme's colour for the capacity % (green < 70, amber < 90, red from 90), numbers are
// formatted for the locale, and the alert indicator shows firing alerts.
TestCase {
    id: testCase

    name: "RoomTile"
    when: windowShown
    width: 400
    height: 300
    visible: true

    Component {
        id: tileComponent

        RoomTile {
            roomId: "r1"
            code: "LOBBY"
            name: "Main lobby"
            typeCode: "CHAT"
            status: "ACTIVE"
            online: 5
            users: 4
            capacity: 10
            capacityPct: 50
            avgLatencyMs: 41
            p95LatencyMs: 87
            history: []
            firingAlerts: 0
        }
    }

    function makeTile(properties) {
        const tile = createTemporaryObject(tileComponent, testCase, properties)
        verify(tile !== null, "RoomTile created")
        return tile
    }

    function texts(item) {
        let found = []
        for (let i = 0; i < item.children.length; ++i) {
            const child = item.children[i]
            if (child.text !== undefined && child instanceof Text)
                found.push(child.text)
            found = found.concat(texts(child))
        }
        return found
    }

    function test_barColour_data() {
        return [
            { tag: "50 %", pct: 50, colour: Theme.good },
            { tag: "69.9 %", pct: 69.9, colour: Theme.good },
            { tag: "70 %", pct: 70, colour: Theme.warning },
            { tag: "80 %", pct: 80, colour: Theme.warning },
            { tag: "90 %", pct: 90, colour: Theme.critical },
            { tag: "95 %", pct: 95, colour: Theme.critical },
        ]
    }

    function test_barColour(data) {
        const tile = makeTile({ capacityPct: data.pct })
        const fill = findChild(tile, "loadBarFill")
        verify(fill !== null, "the bar's fill exists")
        verify(Qt.colorEqual(fill.color, data.colour), "fill " + fill.color + ", expected " + data.colour)
        verify(Qt.colorEqual(tile.barColor, data.colour))
        const bar = findChild(tile, "loadBar")
        tryVerify(() => bar.width > 0)
        fuzzyCompare(fill.width, bar.width * data.pct / 100, 0.5)
    }

    function test_paletteDiffers() {
        verify(!Qt.colorEqual(Theme.good, Theme.warning))
        verify(!Qt.colorEqual(Theme.warning, Theme.critical))
    }

    function test_numbersUseTheLocale() {
        const tile = makeTile({ online: 1234, capacity: 10000, capacityPct: 12.34 })
        const all = texts(tile)
        const expected = Number(1234).toLocaleString(Qt.locale(), "f", 0) + " / "
                         + Number(10000).toLocaleString(Qt.locale(), "f", 0) + " online"
        verify(all.indexOf(expected) >= 0, "texts: " + JSON.stringify(all))
        verify(all.indexOf("Main lobby") >= 0)
        verify(all.indexOf("LOBBY · CHAT") >= 0)
        verify(all.indexOf("p95 " + Number(87).toLocaleString(Qt.locale(), "f", 0) + " ms") >= 0)
    }

    function test_noLatencyWhenEmpty() {
        const tile = makeTile({ online: 0, capacityPct: 0 })
        verify(texts(tile).indexOf("p95 —") >= 0)
    }

    function test_alertIndicator() {
        const quiet = makeTile({ firingAlerts: 0 })
        compare(findChild(quiet, "alertIndicator").visible, false)
        const loud = makeTile({ firingAlerts: 2 })
        compare(findChild(loud, "alertIndicator").visible, true)
        verify(texts(loud).indexOf("⚠ 2") >= 0)
    }

    function test_requiredPropertiesAreRequired() {
        let tile = null
        let error = ""
        try {
            tile = Qt.createQmlObject("import Spidi.Ui; RoomTile { }", testCase, "incomplete")
        } catch (e) {
            error = String(e.qmlErrors ? e.qmlErrors[0].message : e)
        }
        verify(tile === null, "a RoomTile without its required properties must not be created")
        verify(error.indexOf("Required property") >= 0, error)
    }
}
