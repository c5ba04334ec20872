import QtQuick
import QtQuick.Controls
import QtTest
import Spidi.Ui

// The editor pages and their pieces without a server: the room editor shows the server's
// checks under each field as it is edited and the type picker's defaults; the rules page
// switches its fields with the rule type and shows the threshold in percent; the conflict
// dialog lists one row per differing field; a tile offers Edit/Delete only when editable;
// Editors (the singleton) navigates between the pages.
TestCase {
    id: testCase

    name: "EditorPages"
    when: windowShown
    width: 1000
    height: 800
    visible: true

    Component {
        id: roomEditorComponent
        RoomEditorPage {
            width: 1000
            height: 800
        }
    }
    Component {
        id: rulesComponent
        AlertRulesPage {
            width: 1000
            height: 800
        }
    }
    Component {
        id: historyComponent
        AlertHistoryPage {
            width: 1000
            height: 800
        }
    }
    Component {
        id: conflictComponent
        ConflictDialog {}
    }
    Component {
        id: tileComponent
        RoomTile {
            roomId: "r1"
            code: "LOBBY"
            name: "Main lobby"
            typeCode: "CHAT"
            status: "ACTIVE"
            online: 1
            users: 1
            capacity: 10
            capacityPct: 10
            avgLatencyMs: 0
            p95LatencyMs: 0
            history: []
            firingAlerts: 0
        }
    }

    function cleanup() {
        Editors.close()
    }

    function test_navigation() {
        compare(Editors.page, "")
        Editors.newRoom()
        compare(Editors.page, "roomEditor")
        compare(Editors.roomCode, "")
        Editors.deleteRoom("LOBBY")
        compare(Editors.roomCode, "LOBBY")
        verify(Editors.confirmDelete)
        Editors.editRoom("HALL")
        compare(Editors.roomCode, "HALL")
        verify(!Editors.confirmDelete)
        Editors.openRules()
        compare(Editors.page, "rules")
        Editors.openHistory()
        compare(Editors.page, "history")
        Editors.close()
        compare(Editors.page, "")
    }

    function test_roomEditorShowsFieldErrors() {
        const page = createTemporaryObject(roomEditorComponent, testCase)
        verify(page !== null)
        const editor = Editors.room
        verify(editor.creating)
        editor.setRoomTypes([{ code: "CHAT", defaultCapacity: 500, defaultTtlSec: 3600 }])
        const codeField = findChild(page, "codeField")
        const codeError = findChild(page, "codeError")
        verify(codeField.enabled)
        codeField.forceActiveFocus()
        keyClick(Qt.Key_L)
        compare(editor.code, "l")
        tryCompare(codeError, "visible", true)
        verify(codeError.text.startsWith("code must be 2 to 64 characters"), codeError.text)
        codeField.selectAll()
        keyClick("L")
        keyClick("O")
        compare(editor.code, "LO")
        tryCompare(codeError, "visible", false)
        compare(findChild(page, "nameError").text, "name must be 1 to 200 characters")

        editor.typeCode = "CHAT"
        compare(editor.capacity, 500)
        compare(findChild(page, "capacityBox").value, 500)
        compare(findChild(page, "ttlBox").value, 3600)
        compare(findChild(page, "typeBox").currentText, "CHAT")
        compare(findChild(page, "editorTitle").text, "New room")
    }

    // Ctrl+S while still typing in an attribute or a spin box: what was typed is saved.
    function test_ctrlSKeepsWhatIsBeingTyped() {
        const page = createTemporaryObject(roomEditorComponent, testCase)
        verify(page !== null)
        const editor = Editors.room
        editor.setRoomTypes([{ code: "CHAT", defaultCapacity: 500, defaultTtlSec: 3600 }])
        editor.typeCode = "CHAT"
        editor.addAttribute()
        compare(editor.attributes.length, 1)
        const fields = [findChild(page, "attributeKey"), findChild(page, "attributeValue")]
        verify(fields[0] !== null && fields[1] !== null)
        fields[0].forceActiveFocus()
        keyClick("f")
        keyClick(Qt.Key_Tab)
        compare(editor.attributes[0].key, "f") // focus moved: taken
        keyClick("3")
        verify(fields[1].activeFocus)
        compare(editor.attributes[0].value, "") // still being typed
        keySequence("Ctrl+S")
        compare(editor.attributes[0].key, "f")
        compare(editor.attributes[0].value, "3")

        const capacity = findChild(page, "capacityBox")
        capacity.contentItem.forceActiveFocus()
        capacity.contentItem.selectAll()
        keyClick("2")
        keyClick("5")
        keyClick("0")
        compare(editor.capacity, 500) // still being typed
        keySequence("Ctrl+S")
        compare(editor.capacity, 250)
    }

    function test_rulesPageFollowsTheType() {
        const page = createTemporaryObject(rulesComponent, testCase)
        verify(page !== null)
        const form = Editors.rule
        compare(form.type, "CAPACITY")
        const threshold = findChild(page, "thresholdField")
        const expression = findChild(page, "expressionField")
        compare(threshold.text, "80")
        verify(threshold.visible)
        verify(!expression.visible)
        form.type = "LATENCY"
        compare(threshold.text, "500")
        form.type = "CUSTOM"
        verify(!threshold.visible)
        verify(expression.visible)
        compare(findChild(page, "expressionStatus").text, "checking with the server…")
        form.type = "CAPACITY"
        form.threshold = 92.5
        compare(threshold.text, "92.5")
    }

    function test_historyPage() {
        const page = createTemporaryObject(historyComponent, testCase)
        verify(page !== null)
        compare(findChild(page, "pageLabel").text, "0 events")
        verify(!findChild(page, "nextPage").enabled)
        verify(!findChild(page, "previousPage").enabled)

        // A range between two instants typed in local time; the end may stay empty (now).
        const range = findChild(page, "rangeFilter")
        const from = findChild(page, "rangeFrom")
        const to = findChild(page, "rangeTo")
        verify(!from.visible)
        range.currentIndex = range.count - 1
        verify(page.customRange)
        verify(from.visible && to.visible)
        from.text = "yesterday"
        page.apply()
        verify(page.rangeProblem.startsWith("From is not a date and time"), page.rangeProblem)
        from.text = "2026-12-07 10:15"
        to.text = "2026-12-07"
        page.apply()
        compare(page.rangeProblem, "")
        compare(page.events.from.getTime(), new Date(2026, 11, 7, 10, 15).getTime())
        compare(page.events.to.getTime(), new Date(2026, 11, 7).getTime())
        to.text = ""
        page.apply()
        verify(isNaN(page.events.to.getTime()))
        // Back to a relative range: the typed instants no longer count.
        range.currentIndex = 1
        page.apply()
        verify(!from.visible)
        verify(Date.now() - page.events.from.getTime() >= 3600 * 1000 - 1000)
        verify(isNaN(page.events.to.getTime()))
    }

    function test_conflictDialogRows() {
        const dialog = createTemporaryObject(conflictComponent, testCase, {
            diff: [{ field: "name", mine: "A", theirs: "B" },
                   { field: "capacity", mine: "30", theirs: "40" }]
        })
        verify(dialog !== null)
        dialog.open()
        const rows = findChild(dialog.contentItem, "conflictRows")
        verify(rows !== null)
        compare(rows.count, 2)
        compare(rows.itemAt(1).children[0].text, "capacity")
        compare(rows.itemAt(1).children[1].text, "30")
        compare(rows.itemAt(1).children[2].text, "40")
    }

    function test_tileEntryPoints() {
        const tile = createTemporaryObject(tileComponent, testCase)
        const button = findChild(tile, "tileMenuButton")
        verify(!button.visible)
        tile.editable = true
        verify(button.visible)
        const edits = createTemporaryQmlObject("import QtTest; SignalSpy { signalName: \"editRequested\" }", testCase)
        edits.target = tile
        tile.editRequested()
        compare(edits.count, 1)
    }
}
