import QtQuick
import QtQuick.Controls
import QtQuick.Controls.Material
import QtQuick.Layouts
import Spidi.Ui

// Asks for an optional comment before acknowledging or resolving an alert event, then sends it
// through ConnectionService.rest.
Dialog {
    id: dialog

    property string action: "ack" // "ack" or "resolve"
    property string eventId
    property string summary

    function ask(action: string, eventId: string, summary: string) {
        dialog.action = action
        dialog.eventId = eventId
        dialog.summary = summary
        comment.text = ""
        dialog.open()
        comment.forceActiveFocus()
    }

    title: dialog.action === "ack" ? qsTr("Acknowledge alert") : qsTr("Resolve alert")
    modal: true
    standardButtons: Dialog.Ok | Dialog.Cancel
    width: 420
    // Drawn here rather than by the style: Material's elevation shadow is a shader effect that
    // the software renderer leaves out, background included.
    Material.background: Theme.surface
    background: Rectangle {
        color: Theme.surface
        radius: Theme.radius
        border.color: Theme.border
    }

    onAccepted: {
        if (dialog.action === "ack")
            ConnectionService.rest.ack(dialog.eventId, comment.text)
        else
            ConnectionService.rest.resolve(dialog.eventId, comment.text)
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Label {
            Layout.fillWidth: true
            text: dialog.summary
            wrapMode: Text.Wrap
        }
        TextArea {
            id: comment
            Layout.fillWidth: true
            Layout.preferredHeight: 90
            placeholderText: qsTr("Comment (optional)")
            wrapMode: TextEdit.Wrap
        }
    }
}
