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

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            TextField {
                id: searchField
                objectName: "searchField"
                Layout.fillWidth: true
                Layout.minimumWidth: 220
                placeholderText: qsTr("Search code or name (Ctrl+F)")
                selectByMouse: true
                Keys.onEscapePressed: text = ""
            }
            ComboBox {
                id: typeBox
                Layout.preferredWidth: 150
                model: page.withAll(qsTr("All types"), ConnectionService.rooms.typeCodes)
            }
            ComboBox {
                id: statusBox
                Layout.preferredWidth: 150
                model: [qsTr("All statuses"), "ACTIVE", "MAINTENANCE", "CLOSED"]
            }
            ComboBox {
                id: tagBox
                Layout.preferredWidth: 150
                visible: ConnectionService.rooms.tagList.length > 0
                model: page.withAll(qsTr("All tags"), ConnectionService.rooms.tagList)
            }
            ComboBox {
                id: sortBox
                Layout.preferredWidth: 180
                model: [qsTr("Sort by name"), qsTr("Sort by load"), qsTr("Sort by latency")]
            }
            Button {
                objectName: "newRoomButton"
                visible: ConnectionService.canAdmin
                text: qsTr("New room")
                onClicked: Editors.newRoom()
            }
        }

        Item {
            Layout.fillWidth: true
            Layout.fillHeight: true

            GridView {
                id: grid
                objectName: "roomGrid"
                anchors.fill: parent
                clip: true
                model: filtered
                cellWidth: Theme.tileWidth + Theme.spacing
                cellHeight: Theme.tileHeight + Theme.spacing
                reuseItems: true
                ScrollBar.vertical: ScrollBar {}

                delegate: RoomTile {
                    id: roomTile
                    width: Theme.tileWidth
                    height: Theme.tileHeight
                    editable: ConnectionService.canAdmin
                    onEditRequested: Editors.editRoom(roomTile.code)
                    onDeleteRequested: Editors.deleteRoom(roomTile.code)
                    onActivated: RoomDetailState.open(roomTile.code, roomTile.name, roomTile.typeCode)
                }
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
