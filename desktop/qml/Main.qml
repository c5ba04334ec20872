import QtQuick
import QtQuick.Controls
import QtQuick.Controls.Material
import QtQuick.Layouts
import Spidi.Ui

// The console's window: the connect page until a server and token are configured, then the
// dashboard with the alert inbox at its side; the stale-data banner above whichever is shown.
ApplicationWindow {
    id: window

    // From the command line (--server, --token / --token-file); empty when not given.
    required property string serverOverride
    required property string tokenOverride

    width: 1320
    height: 840
    visible: true
    title: ConnectionService.configured ? "Spidi — " + ConnectionService.serverUrl : "Spidi"
    color: Theme.background
    Material.theme: Theme.dark ? Material.Dark : Material.Light
    Material.accent: Theme.accent

    Component.onCompleted: ConnectionService.start(window.serverOverride, window.tokenOverride)

    header: ToolBar {
        Material.background: Theme.surface
        Material.foreground: Theme.text
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: Theme.padding
            anchors.rightMargin: Theme.padding
            spacing: Theme.spacing

            Label {
                text: "Spidi"
                font.pixelSize: Theme.fontLarge
                font.bold: true
                color: Theme.text
            }
            Rectangle {
                objectName: "connectionDot"
                implicitWidth: 10
                implicitHeight: 10
                radius: 5
                visible: ConnectionService.configured
                color: ConnectionService.state === ConnectionService.Connected ? Theme.good
                     : ConnectionService.state === ConnectionService.Disconnected ? Theme.critical : Theme.warning
            }
            Label {
                Layout.fillWidth: true
                visible: ConnectionService.configured
                elide: Text.ElideRight
                color: Theme.textMuted
                text: ConnectionService.serverUrl + " · " + ConnectionService.userId + "@" + ConnectionService.tenantId
                      + (ConnectionService.canAdmin ? qsTr(" · admin") : ConnectionService.canRead ? qsTr(" · read-only") : "")
            }
            Item {
                Layout.fillWidth: true
                visible: !ConnectionService.configured
            }
            ToolButton {
                objectName: "rulesButton"
                visible: ConnectionService.configured
                text: qsTr("Rules")
                checked: Editors.page === "rules"
                onClicked: Editors.page === "rules" ? Editors.close() : Editors.openRules()
            }
            ToolButton {
                objectName: "historyButton"
                visible: ConnectionService.configured
                text: qsTr("Alert history")
                checked: Editors.page === "history"
                onClicked: Editors.page === "history" ? Editors.close() : Editors.openHistory()
            }
            ToolButton {
                id: alertsToggle
                objectName: "alertsButton"
                visible: ConnectionService.configured
                text: qsTr("Alerts") + (ConnectionService.alerts.firingCount > 0 ? " (" + ConnectionService.alerts.firingCount + ")" : "")
                checkable: true
                checked: true
                Material.foreground: ConnectionService.alerts.criticalCount > 0 ? Theme.critical : Theme.text
            }
            Switch {
                text: qsTr("Dark")
                checked: Preferences.darkTheme
                onToggled: Preferences.darkTheme = checked
            }
            ToolButton {
                visible: ConnectionService.configured
                text: qsTr("Connection…")
                onClicked: ConnectionService.editConnection()
            }
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        StaleBanner {
            objectName: "staleBanner"
            Layout.fillWidth: true
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 0

            Loader {
                id: pageLoader
                objectName: "pageLoader"
                Layout.fillWidth: true
                Layout.fillHeight: true
                sourceComponent: ConnectionService.configured ? dashboardPage : connectPage
            }
            AlertInbox {
                id: inboxPanel
                objectName: "alertInbox"
                Layout.preferredWidth: 400
                Layout.fillHeight: true
                visible: ConnectionService.configured && alertsToggle.checked
            }
        }
    }

    // The room detail page (RoomDetailState.open from a dashboard tile; Back or Esc closes it),
    // over the dashboard, which keeps its state; the editors open above it.
    Loader {
        objectName: "roomDetailLoader"
        anchors.fill: parent
        z: 1
        active: ConnectionService.configured && RoomDetailState.roomCode !== ""
        sourceComponent: roomDetailPage
    }
    Component {
        id: roomDetailPage
        RoomDetailPage {}
    }
    // The editors and alert pages, over the whole content (each shows its own stale banner).
    Loader {
        id: toolPageLoader
        objectName: "toolPageLoader"
        anchors.fill: parent
        z: 1
        active: ConnectionService.configured && Editors.page !== ""
        // The page has focus: true; giving the loader (a focus scope) active focus hands it on.
        onLoaded: toolPageLoader.forceActiveFocus()
        sourceComponent: Editors.page === "roomEditor" ? roomEditorPage
                       : Editors.page === "rules" ? alertRulesPage : alertHistoryPage
    }
    Component {
        id: roomEditorPage
        RoomEditorPage {}
    }
    Component {
        id: alertRulesPage
        AlertRulesPage {}
    }
    Component {
        id: alertHistoryPage
        AlertHistoryPage {}
    }
    Shortcut {
        sequence: "Ctrl+R"
        enabled: ConnectionService.configured
        onActivated: Editors.openRules()
    }
    Shortcut {
        sequence: "Ctrl+H"
        enabled: ConnectionService.configured
        onActivated: Editors.openHistory()
    }
    Shortcut {
        sequence: "Ctrl+N"
        enabled: ConnectionService.configured && ConnectionService.canAdmin && Editors.page === ""
        onActivated: Editors.newRoom()
    }

    Component {
        id: dashboardPage
        DashboardPage {}
    }
    Component {
        id: connectPage
        ConnectPage {}
    }
}
