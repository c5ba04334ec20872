import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Spidi.Ui

// Shown above every page while the connection is down: what is on screen may be out of date,
// since when, and why. Also while the server refuses the token (REST answers 401 even if the
// WebSocket opened earlier is still up).
Rectangle {
    id: banner

    readonly property bool shown: ConnectionService.configured
                                  && (ConnectionService.stale || ConnectionService.tokenRefused)

    visible: banner.shown
    implicitHeight: banner.shown ? row.implicitHeight + 2 * Theme.spacing : 0
    color: Theme.staleBackground

    function describe(): string {
        const when = ConnectionService.lastUpdate
        const since = isNaN(when.getTime()) ? "no data received yet"
                                            : "last update " + when.toLocaleTimeString(Qt.locale(), "HH:mm:ss")
        if (!ConnectionService.stale)
            return ConnectionService.lastError
        let state = "Not connected"
        if (ConnectionService.state === ConnectionService.Connecting)
            state = "Connecting"
        else if (ConnectionService.state === ConnectionService.Reconnecting)
            state = "Reconnecting"
        const why = ConnectionService.lastError !== "" ? " — " + ConnectionService.lastError : ""
        return state + ": the figures shown may be out of date (" + since + ")" + why
    }

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.leftMargin: Theme.padding
        anchors.rightMargin: Theme.padding
        spacing: Theme.spacing

        Text {
            objectName: "staleText"
            Layout.fillWidth: true
            text: banner.describe()
            wrapMode: Text.Wrap
            color: Theme.staleText
            font.pixelSize: Theme.fontNormal
        }
        Button {
            text: qsTr("Retry now")
            visible: !ConnectionService.tokenRefused
            flat: true
            onClicked: ConnectionService.reconnectNow()
        }
    }
}
