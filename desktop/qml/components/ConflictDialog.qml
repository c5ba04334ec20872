import QtQuick
import QtQuick.Controls
import QtQuick.Controls.Material
import QtQuick.Layouts
import Spidi.Ui

// A 409: the object changed on the server since it was loaded. Lists every field where the
// edit differs from the server's current version ("yours" against "server's") and lets the
// admin reload (discard the edit) or overwrite deliberately.
Dialog {
    id: dialog

    // [{field, mine, theirs}] (RoomEditor.conflictDiff, RuleForm.conflictDiff).
    property var diff: []
    property string what: qsTr("room")

    signal reloadRequested()
    signal overwriteRequested()

    title: qsTr("Changed on the server")
    modal: true
    width: 560
    closePolicy: Popup.NoAutoClose
    // Drawn here rather than by the style: Material's elevation shadow is a shader effect that
    // the software renderer leaves out, background included.
    Material.background: Theme.surface
    background: Rectangle {
        color: Theme.surface
        radius: Theme.radius
        border.color: Theme.border
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Label {
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            text: qsTr("Someone changed this %1 after you opened it. Your version and the server's differ in:").arg(dialog.what)
        }
        RowLayout {
            Layout.fillWidth: true
            Label { Layout.preferredWidth: 120; text: qsTr("field"); font.bold: true }
            Label { Layout.preferredWidth: 190; text: qsTr("yours"); font.bold: true }
            Label { Layout.preferredWidth: 190; text: qsTr("server's"); font.bold: true }
        }
        Repeater {
            objectName: "conflictRows"
            model: dialog.diff
            delegate: RowLayout {
                id: diffRow
                required property var modelData
                Layout.fillWidth: true
                Label {
                    Layout.preferredWidth: 120
                    text: diffRow.modelData.field
                    elide: Text.ElideRight
                }
                Label {
                    Layout.preferredWidth: 190
                    text: diffRow.modelData.mine
                    elide: Text.ElideRight
                }
                Label {
                    Layout.preferredWidth: 190
                    text: diffRow.modelData.theirs
                    elide: Text.ElideRight
                    color: Theme.warning
                }
            }
        }
        Label {
            Layout.fillWidth: true
            visible: dialog.diff.length === 0
            text: qsTr("No field differs: only the version moved on.")
            color: Theme.textMuted
        }
        RowLayout {
            Layout.fillWidth: true
            Item { Layout.fillWidth: true }
            Button {
                objectName: "conflictReload"
                text: qsTr("Reload (discard mine)")
                onClicked: {
                    dialog.close()
                    dialog.reloadRequested()
                }
            }
            Button {
                objectName: "conflictOverwrite"
                text: qsTr("Overwrite with mine")
                highlighted: true
                onClicked: {
                    dialog.close()
                    dialog.overwriteRequested()
                }
            }
        }
    }
}
