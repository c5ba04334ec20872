import QtQuick
import QtQuick.Controls
import Spidi.Ui

// The live roster as a table: a header row (click a column to sort by it, again to reverse) and a
// ListView of light delegates (Text only, recycled), so 1,000+ sessions scroll smoothly. `model`
// is a RosterFilterModel over a RoomDetailController's roster. Admins get a Kick button per row,
// which asks RoomDetailState.requestKick (the page confirms).
Item {
    id: table

    required property RosterFilterModel model
    readonly property alias view: list

    function sortBy(role: int) {
        if (table.model.sortColumnRole === role) {
            table.model.descending = !table.model.descending
        } else {
            table.model.sortColumnRole = role
            table.model.descending = false
        }
    }

    // One sortable column title.
    component HeaderCell: Rectangle {
        id: cell
        required property int column
        required property string title
        required property bool sorted
        required property bool descending
        signal clicked()

        width: RoomDetailState.columnWidths[cell.column]
        height: 28
        color: Theme.surfaceRaised
        Text {
            anchors.fill: parent
            anchors.leftMargin: 6
            verticalAlignment: Text.AlignVCenter
            elide: Text.ElideRight
            font.bold: true
            font.pixelSize: Theme.fontSmall
            color: Theme.text
            text: cell.title + (cell.sorted ? (cell.descending ? " ▼" : " ▲") : "")
        }
        TapHandler {
            onTapped: cell.clicked()
        }
    }

    implicitWidth: 1000
    implicitHeight: 400

    // The header's band spans the table's width, as the rows' stripes do.
    Rectangle {
        anchors.fill: header
        color: Theme.surfaceRaised
    }
    Row {
        id: header
        objectName: "rosterHeader"
        width: parent.width
        height: 28

        HeaderCell {
            column: 0
            title: qsTr("User")
            sorted: table.model.sortColumnRole === RosterModel.UserIdRole
            descending: table.model.descending
            onClicked: table.sortBy(RosterModel.UserIdRole)
        }
        HeaderCell {
            column: 1
            title: qsTr("Device")
            sorted: table.model.sortColumnRole === RosterModel.DeviceRole
            descending: table.model.descending
            onClicked: table.sortBy(RosterModel.DeviceRole)
        }
        HeaderCell {
            column: 2
            title: qsTr("OS")
            sorted: table.model.sortColumnRole === RosterModel.OsRole
            descending: table.model.descending
            onClicked: table.sortBy(RosterModel.OsRole)
        }
        HeaderCell {
            column: 3
            title: qsTr("App")
            sorted: table.model.sortColumnRole === RosterModel.AppVersionRole
            descending: table.model.descending
            onClicked: table.sortBy(RosterModel.AppVersionRole)
        }
        HeaderCell {
            column: 4
            title: qsTr("IP")
            sorted: table.model.sortColumnRole === RosterModel.IpRole
            descending: table.model.descending
            onClicked: table.sortBy(RosterModel.IpRole)
        }
        HeaderCell {
            column: 5
            title: qsTr("Latency")
            sorted: table.model.sortColumnRole === RosterModel.LatencyMsRole
            descending: table.model.descending
            onClicked: table.sortBy(RosterModel.LatencyMsRole)
        }
        HeaderCell {
            column: 6
            title: qsTr("Connected since")
            sorted: table.model.sortColumnRole === RosterModel.ConnectedAtRole
            descending: table.model.descending
            onClicked: table.sortBy(RosterModel.ConnectedAtRole)
        }
        HeaderCell {
            column: 7
            title: qsTr("Last heartbeat")
            sorted: table.model.sortColumnRole === RosterModel.LastHeartbeatAtRole
            descending: table.model.descending
            onClicked: table.sortBy(RosterModel.LastHeartbeatAtRole)
        }
    }

    ListView {
        id: list
        objectName: "rosterList"
        anchors.top: header.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        clip: true
        model: table.model
        reuseItems: true
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar {}

        delegate: Rectangle {
            id: row
            required property int index
            required property string sessionId
            required property string userId
            required property string device
            required property string os
            required property string appVersion
            required property string ip
            required property real latencyMs
            required property real connectedAt
            required property real lastHeartbeatAt

            function when(ms: real): string {
                return ms > 0 ? new Date(ms).toLocaleString(Qt.locale(), Locale.ShortFormat) : "—"
            }

            width: ListView.view ? ListView.view.width : 0
            height: 26
            color: row.index % 2 === 0 ? Theme.surface : Theme.background

            Row {
                anchors.fill: parent
                Repeater {
                    model: [row.userId, row.device, row.os, row.appVersion, row.ip,
                        row.latencyMs >= 0 ? Number(row.latencyMs).toLocaleString(Qt.locale(), "f", 0) + " ms" : "—",
                        row.when(row.connectedAt), row.when(row.lastHeartbeatAt)]
                    delegate: Text {
                        required property string modelData
                        required property int index
                        width: RoomDetailState.columnWidths[index]
                        height: 26
                        leftPadding: 6
                        verticalAlignment: Text.AlignVCenter
                        elide: Text.ElideRight
                        color: Theme.text
                        font.pixelSize: Theme.fontSmall
                        text: modelData
                    }
                }
                Button {
                    objectName: "kickButton"
                    visible: ConnectionService.canAdmin
                    width: RoomDetailState.columnWidths[8]
                    height: 24
                    flat: true
                    font.pixelSize: Theme.fontSmall
                    text: qsTr("Kick")
                    onClicked: RoomDetailState.requestKick(row.sessionId, row.userId + " · " + row.device)
                }
            }
        }
    }

    Label {
        objectName: "rosterEmpty"
        anchors.centerIn: list
        visible: list.count === 0
        text: table.model.search !== "" ? qsTr("No session matches the search.") : qsTr("Nobody is in the room.")
        color: Theme.textMuted
    }
}
