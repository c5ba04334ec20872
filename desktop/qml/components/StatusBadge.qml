import QtQuick
import Spidi.Ui

// A room status (ACTIVE, MAINTENANCE, CLOSED) as a small coloured pill.
Rectangle {
    id: badge

    required property string status

    implicitWidth: label.implicitWidth + 12
    implicitHeight: label.implicitHeight + 4
    radius: height / 2
    color: "transparent"
    border.color: Theme.statusColor(badge.status)

    Text {
        id: label
        anchors.centerIn: parent
        text: badge.status === "" ? "—" : badge.status
        color: Theme.statusColor(badge.status)
        font.pixelSize: Theme.fontSmall
        font.bold: true
    }
}
