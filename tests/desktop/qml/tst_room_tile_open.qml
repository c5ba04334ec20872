import QtQuick
import QtTest
import Spidi.Ui

// RoomTile's `activated` (a left click anywhere on the tile), which opens the room detail page,
// and RoomDetailState.open/close as the dashboard and the page use them.
TestCase {
    id: testCase

    name: "RoomTileOpen"
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
            onActivated: RoomDetailState.open(code, name, typeCode)
        }
    }
    SignalSpy {
        id: activatedSpy
        signalName: "activated"
    }

    function test_clickOpensTheRoom() {
        RoomDetailState.close()
        const tile = createTemporaryObject(tileComponent, testCase)
        verify(tile !== null)
        activatedSpy.target = tile
        mouseClick(tile, tile.width / 2, tile.height - 10)
        compare(activatedSpy.count, 1)
        compare(RoomDetailState.roomCode, "LOBBY")
        compare(RoomDetailState.roomName, "Main lobby")
        compare(RoomDetailState.typeCode, "CHAT")
        // A right click is the admin menu, not an open.
        mouseClick(tile, tile.width / 2, tile.height - 10, Qt.RightButton)
        compare(activatedSpy.count, 1)
        RoomDetailState.close()
        compare(RoomDetailState.roomCode, "")
    }
}
