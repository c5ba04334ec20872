pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import Spidi.Ui

// The dashboard's room tiles (a model with RoomListModel's roles). Keyboard: the arrow keys
// move between tiles (the current one is outlined while the grid has focus), Enter or Space
// opens it, the Menu key opens its menu; a click opens a tile too. Opening goes through
// RoomDetailState; editing, deleting and exporting are left to the page (signals).
GridView {
    id: grid

    property bool editable: false
    // No outline on the current tile (while it is being exported as PNG).
    property bool outlineSuppressed: false
    signal editRequested(string code)
    signal deleteRequested(string code)
    signal exportRequested(Item tile, string code)

    // The current tile as the keyboard sees it, or null.
    readonly property RoomTile currentTile: grid.currentItem as RoomTile

    function openCurrent() {
        if (grid.currentTile)
            grid.currentTile.activated()
    }
    function exportCurrent() {
        if (grid.currentTile)
            grid.exportRequested(grid.currentTile, grid.currentTile.code)
    }

    clip: true
    cellWidth: Theme.tileWidth + Theme.spacing
    cellHeight: Theme.tileHeight + Theme.spacing
    reuseItems: true
    keyNavigationEnabled: true
    activeFocusOnTab: true
    highlightFollowsCurrentItem: false
    ScrollBar.vertical: ScrollBar {}

    Keys.onReturnPressed: grid.openCurrent()
    Keys.onEnterPressed: grid.openCurrent()
    Keys.onSpacePressed: grid.openCurrent()
    Keys.onMenuPressed: {
        if (grid.currentTile)
            grid.currentTile.openMenu()
    }

    delegate: RoomTile {
        id: roomTile
        required property int index
        width: Theme.tileWidth
        height: Theme.tileHeight
        editable: grid.editable
        focused: grid.activeFocus && !grid.outlineSuppressed && roomTile.index === grid.currentIndex
        onEditRequested: grid.editRequested(roomTile.code)
        onDeleteRequested: grid.deleteRequested(roomTile.code)
        onExportRequested: grid.exportRequested(roomTile, roomTile.code)
        onActivated: {
            grid.currentIndex = roomTile.index
            RoomDetailState.open(roomTile.code, roomTile.name, roomTile.typeCode)
        }
    }
}
