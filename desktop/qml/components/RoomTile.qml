import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Spidi.Ui

// One room on the dashboard: name, code and type, status, online against capacity as a bar
// coloured by load (Theme.loadColor), users, average and p95 latency, the last 15 minutes of
// online sessions, and the number of firing alerts. The required properties are the roles of
// RoomListModel, so a view's delegate gets them by name.
Rectangle {
    id: tile

    required property string roomId
    required property string code
    required property string name
    required property string typeCode
    required property string status
    required property int online
    required property int users
    required property int capacity
    required property real capacityPct
    required property real avgLatencyMs
    required property real p95LatencyMs
    required property var history
    required property int firingAlerts
    // Admin entry points (docs/desktop.md#room-editor): a "⋯" menu and the right-click menu
    // offer Edit and Delete when true; the dashboard opens the editor on these signals.
    property bool editable: false
    signal editRequested()
    signal deleteRequested()
    // Left click: open the room's detail page.
    signal activated()
    // "Export as PNG…" in the right-click menu (docs/desktop.md, "Exports").
    signal exportRequested()
    // The keyboard's current tile in the dashboard's grid: outlined.
    property bool focused: false

    function openMenu() {
        tileMenu.popup(tile, tile.width / 2, tile.height / 2)
    }

    // End of the sparkline's window (ms since epoch).
    property real windowEnd: Clock.now
    readonly property color barColor: Theme.loadColor(tile.capacityPct)

    function formatCount(n: real): string {
        return Number(n).toLocaleString(Qt.locale(), "f", 0)
    }
    function formatLatency(ms: real): string {
        return tile.online > 0 && ms > 0 ? Number(ms).toLocaleString(Qt.locale(), "f", 0) + " ms" : "—"
    }

    implicitWidth: Theme.tileWidth
    implicitHeight: Theme.tileHeight
    radius: Theme.radius
    color: Theme.surface
    border.color: tile.focused ? Theme.accent : tile.firingAlerts > 0 ? Theme.critical : Theme.border
    border.width: tile.focused || tile.firingAlerts > 0 ? 2 : 1

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.padding
        spacing: 4

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            Text {
                Layout.fillWidth: true
                text: tile.name
                elide: Text.ElideRight
                color: Theme.text
                font.pixelSize: Theme.fontLarge
                font.bold: true
            }
            Rectangle {
                objectName: "alertIndicator"
                visible: tile.firingAlerts > 0
                implicitWidth: alertText.implicitWidth + 10
                implicitHeight: alertText.implicitHeight + 4
                radius: height / 2
                color: Theme.critical

                Text {
                    id: alertText
                    anchors.centerIn: parent
                    text: "⚠ " + tile.formatCount(tile.firingAlerts)
                    color: "white"
                    font.pixelSize: Theme.fontSmall
                    font.bold: true
                }
            }
            StatusBadge {
                status: tile.status
            }
            ToolButton {
                objectName: "tileMenuButton"
                visible: tile.editable
                text: "⋯"
                implicitWidth: 28
                implicitHeight: 28
                padding: 0
                onClicked: tileMenu.popup()
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Edit or delete this room")
            }
        }

        Text {
            Layout.fillWidth: true
            text: tile.code + (tile.typeCode !== "" ? " · " + tile.typeCode : "")
            elide: Text.ElideRight
            color: Theme.textMuted
            font.pixelSize: Theme.fontSmall
        }

        RowLayout {
            Layout.fillWidth: true
            Text {
                Layout.fillWidth: true
                text: qsTr("%1 / %2 online").arg(tile.formatCount(tile.online)).arg(tile.formatCount(tile.capacity))
                color: Theme.text
                font.pixelSize: Theme.fontNormal
            }
            Text {
                text: Number(tile.capacityPct).toLocaleString(Qt.locale(), "f", 0) + " %"
                color: tile.barColor
                font.pixelSize: Theme.fontNormal
                font.bold: true
            }
        }

        Rectangle {
            id: bar
            objectName: "loadBar"
            Layout.fillWidth: true
            implicitHeight: Theme.barHeight
            radius: height / 2
            color: Theme.surfaceRaised

            Rectangle {
                objectName: "loadBarFill"
                width: bar.width * Math.min(1, Math.max(0, tile.capacityPct / 100))
                height: bar.height
                radius: bar.radius
                color: tile.barColor
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing * 2
            Text {
                text: tile.users === 1 ? qsTr("1 user") : qsTr("%1 users").arg(tile.formatCount(tile.users))
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall
            }
            Text {
                text: "avg " + tile.formatLatency(tile.avgLatencyMs)
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall
            }
            Text {
                text: "p95 " + tile.formatLatency(tile.p95LatencyMs)
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall
            }
        }

        Sparkline {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.minimumHeight: 24
            points: tile.history
            windowEnd: tile.windowEnd
            maxValue: tile.capacity
            lineColor: tile.barColor
        }
    }

    Menu {
        id: tileMenu
        objectName: "tileMenu"
        // Drawn here rather than by the style (see the dialogs): no shader-effect shadow.
        background: Rectangle {
            implicitWidth: 200
            implicitHeight: 40
            color: Theme.surface
            radius: Theme.radius
            border.color: Theme.border
        }
        MenuItem {
            objectName: "tileOpenItem"
            text: qsTr("Open")
            onTriggered: tile.activated()
        }
        MenuItem {
            objectName: "tileExportItem"
            text: qsTr("Export as PNG…")
            onTriggered: tile.exportRequested()
        }
        // Hidden items would still take their height in a Menu.
        MenuItem {
            text: qsTr("Edit…")
            visible: tile.editable
            height: visible ? implicitHeight : 0
            onTriggered: tile.editRequested()
        }
        MenuItem {
            text: qsTr("Delete…")
            visible: tile.editable
            height: visible ? implicitHeight : 0
            onTriggered: tile.deleteRequested()
        }
    }
    TapHandler {
        objectName: "tileContextMenu"
        acceptedButtons: Qt.RightButton
        onTapped: tileMenu.popup()
    }
    TapHandler {
        objectName: "tileOpen"
        acceptedButtons: Qt.LeftButton
        onTapped: tile.activated()
    }
}
