import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Spidi.Ui

// The global dashboard: totals, search / filter / sort, and a grid of room tiles.
Item {
    id: page

    function withAll(all: string, values: list<string>): list<string> {
        const choices = [all]
        for (let i = 0; i < values.length; ++i)
            choices.push(values[i])
        return choices
    }

    Shortcut {
        sequence: "Ctrl+F"
        enabled: RoomDetailState.roomCode === "" // the room page has its own
        onActivated: searchField.forceActiveFocus()
    }
    Shortcut {
        sequence: "Ctrl+E"
        enabled: RoomDetailState.roomCode === "" && Editors.page === "" && grid.currentTile !== null
        onActivated: grid.exportCurrent()
    }
    // Back from the room page: the keyboard is where it was, on the grid.
    Connections {
        target: RoomDetailState
        function onRoomCodeChanged() {
            if (RoomDetailState.roomCode === "" && grid.count > 0)
                grid.forceActiveFocus()
        }
    }
    ExportDialog {
        id: exportDialog
        objectName: "exportDialog"
        // Found from its parent item only when that is in a window at creation: said here.
        parentWindow: page.Window.window
        onFinished: (ok, message) => notice.show(message, ok)
    }
    Notice {
        id: notice
        objectName: "exportNotice"
    }

    RoomFilterModel {
        id: filtered
        sourceModel: ConnectionService.rooms
        search: searchField.text
        typeFilter: typeBox.currentIndex > 0 ? typeBox.currentText : ""
        statusFilter: statusBox.currentIndex > 0 ? statusBox.currentText : ""
        tagFilter: tagBox.currentIndex > 0 ? tagBox.currentText : ""
        sortKey: sortBox.currentIndex === 1 ? RoomFilterModel.ByLoad
               : sortBox.currentIndex === 2 ? RoomFilterModel.ByLatency : RoomFilterModel.ByName
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.padding
        spacing: Theme.padding

        RowLayout {
            objectName: "totalsRow"
            Layout.fillWidth: true
            spacing: Theme.spacing

            TotalCard {
                objectName: "totalRooms"
                Layout.fillWidth: true
                label: qsTr("rooms")
                value: ConnectionService.totals.rooms
            }
            TotalCard {
                objectName: "totalOnline"
                Layout.fillWidth: true
                label: qsTr("online sessions")
                value: ConnectionService.totals.online
            }
            TotalCard {
                objectName: "totalUsers"
                Layout.fillWidth: true
                label: qsTr("users (sum over rooms)")
                value: ConnectionService.totals.users
            }
            TotalCard {
                objectName: "totalFiring"
                Layout.fillWidth: true
                label: qsTr("firing alerts")
                value: ConnectionService.totals.firingAlerts
                accent: ConnectionService.totals.firingAlerts > 0 ? Theme.critical : Theme.text
            }
        }

        // The search, the filters and "New room": one row when the page is wide enough, else
        // (the alert inbox open beside it at the default 1320×840) the filters and the button
        // wrap under the search, so nothing is cut or pushed under the inbox.
        GridLayout {
            id: filterRow
            objectName: "filterRow"
            Layout.fillWidth: true
            columns: page.width >= 1100 ? 2 : 1
            columnSpacing: Theme.spacing
            rowSpacing: Theme.spacing

            TextField {
                id: searchField
                objectName: "searchField"
                Layout.fillWidth: true
                Layout.minimumWidth: 260
                placeholderText: qsTr("Search code or name (Ctrl+F)")
                selectByMouse: true
                Keys.onEscapePressed: text = ""
                // Down (or Enter) from the search: on to the tiles.
                Keys.onDownPressed: grid.forceActiveFocus()
                onAccepted: grid.forceActiveFocus()
            }
            RowLayout {
                // On the search's line the search takes the spare width; on a line of its own
                // the button goes to the right.
                Layout.fillWidth: filterRow.columns === 1
                spacing: Theme.spacing

                // Each as wide as its longest choice (long type codes and tags capped).
                ComboBox {
                    id: typeBox
                    implicitContentWidthPolicy: ComboBox.WidestText
                    Layout.maximumWidth: 220
                    model: page.withAll(qsTr("All types"), ConnectionService.rooms.typeCodes)
                }
                ComboBox {
                    id: statusBox
                    implicitContentWidthPolicy: ComboBox.WidestText
                    model: [qsTr("All statuses"), "ACTIVE", "MAINTENANCE", "CLOSED"]
                }
                ComboBox {
                    id: tagBox
                    implicitContentWidthPolicy: ComboBox.WidestText
                    Layout.maximumWidth: 220
                    visible: ConnectionService.rooms.tagList.length > 0
                    model: page.withAll(qsTr("All tags"), ConnectionService.rooms.tagList)
                }
                ComboBox {
                    id: sortBox
                    implicitContentWidthPolicy: ComboBox.WidestText
                    model: [qsTr("Sort by name"), qsTr("Sort by load"), qsTr("Sort by latency")]
                }
                Item { Layout.fillWidth: true }
                Button {
                    objectName: "newRoomButton"
                    visible: ConnectionService.canAdmin
                    text: qsTr("New room")
                    onClicked: Editors.newRoom()
                }
            }
        }

        Item {
            Layout.fillWidth: true
            Layout.fillHeight: true

            RoomGrid {
                id: grid
                objectName: "roomGrid"
                anchors.fill: parent
                model: filtered
                editable: ConnectionService.canAdmin
                // The keyboard's outline is not part of the room: not in its PNG.
                outlineSuppressed: exportDialog.visible || exportDialog.pending
                onEditRequested: (code) => Editors.editRoom(code)
                onDeleteRequested: (code) => Editors.deleteRoom(code)
                onExportRequested: (tile, code) => exportDialog.exportItem(tile, "spidi-" + code)
            }

            BusyIndicator {
                objectName: "loadingIndicator"
                anchors.centerIn: parent
                running: !ConnectionService.loaded && ConnectionService.rooms.count === 0
                visible: running
            }

            Label {
                objectName: "emptyState"
                anchors.centerIn: parent
                visible: ConnectionService.loaded && filtered.count === 0
                horizontalAlignment: Text.AlignHCenter
                text: ConnectionService.rooms.count === 0
                      ? qsTr("No rooms yet.\nRooms created on the server appear here.")
                      : qsTr("No room matches the search and filters.")
                color: Theme.textMuted
                font.pixelSize: Theme.fontLarge
            }
        }
    }
}
