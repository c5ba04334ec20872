import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Spidi.Ui

// Server URL and access token (pasted or read from a file), optionally remembered.
Item {
    id: page

    function connectToServer() {
        ConnectionService.configure(urlField.text, tokenField.text, rememberBox.checked)
    }

    FileDialog {
        id: tokenFileDialog
        title: qsTr("Token file")
        onAccepted: {
            const token = ConnectionService.readTokenFile(tokenFileDialog.selectedFile)
            if (token !== "")
                tokenField.text = token
        }
    }

    Rectangle {
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.padding, 560)
        implicitHeight: form.implicitHeight + 4 * Theme.padding
        radius: Theme.radius
        color: Theme.surface
        border.color: Theme.border

        ColumnLayout {
            id: form
            anchors.fill: parent
            anchors.margins: 2 * Theme.padding
            spacing: Theme.spacing

            Label {
                text: qsTr("Connect to a Spidi server")
                font.pixelSize: Theme.fontLarge
                font.bold: true
                color: Theme.text
            }
            Label {
                text: qsTr("Server URL")
                color: Theme.textMuted
            }
            TextField {
                id: urlField
                objectName: "serverUrlField"
                Layout.fillWidth: true
                text: ConnectionService.serverUrl !== "" ? ConnectionService.serverUrl : "http://127.0.0.1:8080"
                placeholderText: "http://host:8080"
                selectByMouse: true
                onAccepted: page.connectToServer()
            }
            Label {
                text: qsTr("Access token (JWT)")
                color: Theme.textMuted
            }
            RowLayout {
                Layout.fillWidth: true
                TextField {
                    id: tokenField
                    objectName: "tokenField"
                    Layout.fillWidth: true
                    text: ConnectionService.rememberedToken
                    placeholderText: qsTr("paste the token, or load it from a file")
                    echoMode: TextInput.Password
                    selectByMouse: true
                    onAccepted: page.connectToServer()
                }
                Button {
                    text: qsTr("From file…")
                    onClicked: tokenFileDialog.open()
                }
            }
            CheckBox {
                id: rememberBox
                text: qsTr("Remember the token on this computer")
                checked: ConnectionService.rememberToken
            }
            Label {
                objectName: "connectError"
                Layout.fillWidth: true
                visible: text !== ""
                text: ConnectionService.lastError
                wrapMode: Text.Wrap
                color: Theme.critical
            }
            Button {
                Layout.alignment: Qt.AlignRight
                text: qsTr("Connect")
                highlighted: true
                enabled: urlField.text !== "" && tokenField.text !== ""
                onClicked: page.connectToServer()
            }
        }
    }
}
