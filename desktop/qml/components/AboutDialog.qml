import QtQuick
import QtQuick.Controls
import QtQuick.Controls.Material
import QtQuick.Layouts
import Spidi.Ui

// Help → About (F1): this build's version, the Qt it was built with and runs on, the platform,
// the server in use and the version its GET /health reports, the licence and the links.
Dialog {
    id: about

    parent: Overlay.overlay
    anchors.centerIn: parent
    modal: true
    title: qsTr("About Spidi")
    standardButtons: Dialog.Close
    width: Math.min(560, parent ? parent.width - 2 * Theme.padding : 560)
    // Drawn here rather than by the style: Material's elevation shadow is a shader effect that
    // the software renderer leaves out, background included.
    Material.background: Theme.surface
    background: Rectangle {
        color: Theme.surface
        radius: Theme.radius
        border.color: Theme.border
    }

    onAboutToShow: {
        if (ConnectionService.configured)
            AppInfo.refreshServer()
    }

    // The server line: its version once known, why not otherwise.
    function serverText(): string {
        if (!ConnectionService.configured)
            return qsTr("not connected")
        if (AppInfo.serverLoading)
            return qsTr("%1 (asking for its version…)").arg(ConnectionService.serverUrl)
        if (AppInfo.serverVersion !== "")
            return qsTr("%1 · Spidi server %2 (%3)").arg(ConnectionService.serverUrl)
                       .arg(AppInfo.serverVersion).arg(AppInfo.serverStatus)
        return ConnectionService.serverUrl + (AppInfo.serverError !== "" ? " · " + AppInfo.serverError : "")
    }

    RowLayout {
        anchors.fill: parent
        spacing: Theme.padding * 2

        Image {
            Layout.alignment: Qt.AlignTop
            source: "qrc:/spidi/icons/org.spidi.Desktop-128.png"
            sourceSize.width: 96
            sourceSize.height: 96
            fillMode: Image.PreserveAspectFit
        }
        GridLayout {
            Layout.fillWidth: true
            columns: 2
            columnSpacing: Theme.padding
            rowSpacing: 6

            Label {
                Layout.columnSpan: 2
                text: qsTr("Spidi %1").arg(AppInfo.version)
                objectName: "aboutVersion"
                font.pixelSize: Theme.fontLarge
                font.bold: true
                color: Theme.text
            }
            Label {
                Layout.columnSpan: 2
                Layout.fillWidth: true
                text: qsTr("Real-time presence monitoring console")
                color: Theme.textMuted
                wrapMode: Text.Wrap
            }
            Label { text: qsTr("Qt"); color: Theme.textMuted }
            Label {
                objectName: "aboutQt"
                Layout.fillWidth: true
                text: qsTr("%1 (built with %2)").arg(AppInfo.qtRuntimeVersion).arg(AppInfo.qtBuildVersion)
                color: Theme.text
            }
            Label { text: qsTr("System"); color: Theme.textMuted }
            Label {
                Layout.fillWidth: true
                text: AppInfo.platform
                color: Theme.text
                elide: Text.ElideRight
            }
            Label { text: qsTr("Server"); color: Theme.textMuted }
            Label {
                objectName: "aboutServer"
                Layout.fillWidth: true
                text: about.serverText()
                color: Theme.text
                wrapMode: Text.Wrap
            }
            Label { text: qsTr("Signed in"); color: Theme.textMuted; visible: ConnectionService.configured }
            Label {
                Layout.fillWidth: true
                visible: ConnectionService.configured
                text: ConnectionService.userId + "@" + ConnectionService.tenantId
                color: Theme.text
            }
            Label { text: qsTr("Licence"); color: Theme.textMuted }
            Label {
                Layout.fillWidth: true
                text: AppInfo.license
                color: Theme.text
                wrapMode: Text.Wrap
            }
            Label { text: qsTr("Links"); color: Theme.textMuted }
            Label {
                Layout.fillWidth: true
                textFormat: Text.StyledText
                text: '<a href="%1">%1</a> · <a href="https://www.qt.io/">qt.io</a>'.arg(AppInfo.homepage)
                color: Theme.text
                linkColor: Theme.accent
                onLinkActivated: (link) => Qt.openUrlExternally(link)
                HoverHandler { cursorShape: Qt.PointingHandCursor }
            }
        }
    }
}
