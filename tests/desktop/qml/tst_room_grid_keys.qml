import QtQuick
import QtTest
import Spidi.Ui

// The dashboard's RoomGrid from the keyboard: the arrow keys move the current tile (outlined
// while the grid has focus), Enter and Space open it in RoomDetailState, the right-click menu
// offers Open and Export as PNG to everyone (Edit and Delete only when editable), and
// exportCurrent() asks for the current tile's PNG.
TestCase {
    id: testCase

    name: "RoomGridKeys"
    when: windowShown
    width: 3 * (Theme.tileWidth + Theme.spacing)
    height: 2 * (Theme.tileHeight + Theme.spacing)
    visible: true

    function room(code: string, name: string): var {
        return { roomId: "r-" + code, code: code, name: name, typeCode: "CHAT", status: "ACTIVE",
                 online: 5, users: 4, capacity: 10, capacityPct: 50, avgLatencyMs: 41,
                 p95LatencyMs: 87, history: [], firingAlerts: 0 }
    }

    ListModel {
        id: rooms
    }
    Component {
        id: gridComponent
        RoomGrid {
            width: testCase.width
            height: testCase.height
            model: rooms
        }
    }
    SignalSpy {
        id: exportSpy
        signalName: "exportRequested"
    }

    function init() {
        RoomDetailState.close()
        rooms.clear()
        rooms.append(room("ALPHA", "Alpha"))
        rooms.append(room("BRAVO", "Bravo"))
        rooms.append(room("CHARLIE", "Charlie"))
        rooms.append(room("DELTA", "Delta"))
    }

    function test_arrowsAndEnterOpenATile() {
        const grid = createTemporaryObject(gridComponent, testCase)
        verify(grid !== null)
        waitForRendering(grid)
        grid.forceActiveFocus()
        verify(grid.activeFocus)
        compare(grid.currentIndex, 0)
        verify(grid.currentTile.focused)
        keyClick(Qt.Key_Right)
        compare(grid.currentIndex, 1)
        verify(grid.currentTile.focused)
        keyClick(Qt.Key_Return)
        compare(RoomDetailState.roomCode, "BRAVO")
        compare(RoomDetailState.roomName, "Bravo")
        RoomDetailState.close()
        // Down: the next row (three tiles per row here).
        keyClick(Qt.Key_Left)
        keyClick(Qt.Key_Down)
        compare(grid.currentIndex, 3)
        keyClick(Qt.Key_Space)
        compare(RoomDetailState.roomCode, "DELTA")
        RoomDetailState.close()
        keyClick(Qt.Key_Enter)
        compare(RoomDetailState.roomCode, "DELTA")
        RoomDetailState.close()
        // Without focus, no outline.
        testCase.forceActiveFocus()
        verify(!grid.currentTile.focused)
    }

    function test_clickMakesTheTileCurrent() {
        const grid = createTemporaryObject(gridComponent, testCase)
        waitForRendering(grid)
        mouseClick(grid, Theme.tileWidth + Theme.spacing + 20, Theme.tileHeight - 10)
        compare(RoomDetailState.roomCode, "BRAVO")
        compare(grid.currentIndex, 1)
        RoomDetailState.close()
    }

    function test_exportAndMenu() {
        const grid = createTemporaryObject(gridComponent, testCase)
        waitForRendering(grid)
        exportSpy.target = grid
        exportSpy.clear()
        grid.currentIndex = 2
        grid.exportCurrent()
        compare(exportSpy.count, 1)
        compare(exportSpy.signalArguments[0][1], "CHARLIE")
        compare(exportSpy.signalArguments[0][0], grid.currentTile)

        // The right-click menu: Open and Export for everyone.
        const tile = grid.currentTile
        const menu = findChild(tile, "tileMenu")
        verify(menu !== null)
        mouseClick(tile, 20, 20, Qt.RightButton)
        tryCompare(menu, "opened", true)
        const exportItem = findChild(menu.contentItem, "tileExportItem")
        verify(exportItem !== null)
        verify(exportItem.visible)
        exportItem.triggered()
        compare(exportSpy.count, 2)
        compare(exportSpy.signalArguments[1][1], "CHARLIE")
        menu.close()
    }
}
