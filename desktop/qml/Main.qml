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

    // The default size; the remembered geometry, when there is one, replaces it before the
    // window shows (Component.onCompleted).
    width: 1320
    height: 840
    visible: false
    // "(2) Spidi — …": CRITICAL alerts not seen yet (AlertNotifier), also on the Alerts button.
    title: (AlertNotifier.unseenCount > 0 ? "(" + Number(AlertNotifier.unseenCount).toLocaleString(Qt.locale(), "f", 0) + ") " : "")
           + (ConnectionService.configured ? "Spidi — " + ConnectionService.serverUrl : "Spidi")
    color: Theme.background
    Material.theme: Theme.dark ? Material.Dark : Material.Light
    Material.accent: Theme.accent

    Component.onCompleted: {
        const saved = Preferences.restoredGeometry()
        if (saved.width > 0 && saved.height > 0) {
            window.x = saved.x
            window.y = saved.y
            window.width = saved.width
            window.height = saved.height
        }
        if (Preferences.windowMaximized)
            window.showMaximized()
        else
            window.show()
        AlertNotifier.window = window
        ConnectionService.start(window.serverOverride, window.tokenOverride)
    }

    // Window geometry (docs/desktop.md, "Settings"): the normal geometry saved half a second
    // after it last changed and on close; maximised or not as it changes.
    function saveGeometry() {
        if (window.visibility === Window.Windowed)
            Preferences.saveWindowGeometry(window.x, window.y, window.width, window.height)
    }
    onXChanged: geometrySaver.restart()
    onYChanged: geometrySaver.restart()
    onWidthChanged: geometrySaver.restart()
    onHeightChanged: geometrySaver.restart()
    onVisibilityChanged: {
        if (window.visibility === Window.Maximized || window.visibility === Window.Windowed)
            Preferences.windowMaximized = window.visibility === Window.Maximized
    }
    onClosing: window.saveGeometry()
    Timer {
        id: geometrySaver
        interval: 500
        onTriggered: window.saveGeometry()
    }

    // The unseen-critical badge clears once the inbox is in view: the window active, the panel
    // shown and not covered by a page (or the user's pointer on it, or Alerts toggled on).
    readonly property bool inboxInView: window.active && inboxPanel.visible
                                        && RoomDetailState.roomCode === "" && Editors.page === ""
    onInboxInViewChanged: {
        if (window.inboxInView)
            AlertNotifier.markSeen()
    }
    Connections {
        target: AlertNotifier
        // A notification (or the tray icon) clicked: the window is already raised; show the event.
        function onEventActivated(eventId: string) {
            if (!ConnectionService.configured)
                return
            RoomDetailState.close()
            alertsToggle.checked = true
            if (eventId !== "")
                inboxPanel.showEvent(eventId)
            if (Editors.page === "")
                AlertNotifier.markSeen()
        }
    }

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
                text: qsTr("Alerts") + (ConnectionService.alerts.firingCount > 0
                                        ? " (" + Number(ConnectionService.alerts.firingCount).toLocaleString(Qt.locale(), "f", 0) + ")" : "")
                checkable: true
                checked: true
                Material.foreground: ConnectionService.alerts.criticalCount > 0 ? Theme.critical : Theme.text
                onToggled: {
                    if (alertsToggle.checked)
                        AlertNotifier.markSeen()
                }
                ToolTip.visible: hovered && AlertNotifier.unseenCount > 0
                ToolTip.text: qsTr("%n new critical alert(s)", "", AlertNotifier.unseenCount)

                // New CRITICAL alerts since the inbox was last looked at.
                Rectangle {
                    objectName: "alertsBadge"
                    visible: AlertNotifier.unseenCount > 0
                    anchors.right: parent.right
                    anchors.top: parent.top
                    anchors.topMargin: 1
                    width: Math.max(height, badgeText.implicitWidth + 8)
                    height: badgeText.implicitHeight + 2
                    radius: height / 2
                    color: Theme.critical

                    Text {
                        id: badgeText
                        anchors.centerIn: parent
                        text: Number(AlertNotifier.unseenCount).toLocaleString(Qt.locale(), "f", 0)
                        color: "white"
                        font.pixelSize: Theme.fontSmall
                        font.bold: true
                    }
                }
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
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Server and token (Ctrl+,)")
            }
            ToolButton {
                objectName: "aboutButton"
                text: qsTr("About")
                onClicked: aboutDialog.open()
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Versions and licence (F1)")
            }
        }
    }

    AboutDialog {
        id: aboutDialog
        objectName: "aboutDialog"
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
                onLooked: AlertNotifier.markSeen()
            }
        }
    }

    // The room detail page (RoomDetailState.open from a dashboard tile; Back or Esc closes it),
    // over the dashboard, which keeps its state; the editors open above it.
    Loader {
        id: roomDetailLoader
        objectName: "roomDetailLoader"
        anchors.fill: parent
        z: 1
        active: ConnectionService.configured && RoomDetailState.roomCode !== ""
        sourceComponent: roomDetailPage
        // The keyboard goes with the page (not left on the dashboard's grid under it).
        onLoaded: roomDetailLoader.forceActiveFocus()
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
        sequence: "F1"
        onActivated: aboutDialog.open()
    }
    // Ctrl+R is the rules page: reconnecting is F5 (and Ctrl+Shift+R).
    Shortcut {
        sequences: ["F5", "Ctrl+Shift+R"]
        enabled: ConnectionService.configured
        onActivated: ConnectionService.reconnectNow()
    }
    Shortcut {
        sequence: "Ctrl+,"
        enabled: ConnectionService.configured
        onActivated: ConnectionService.editConnection()
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
