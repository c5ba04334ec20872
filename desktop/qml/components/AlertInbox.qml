pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Spidi.Ui

// The open alert events (ConnectionService.alerts), CRITICAL first, newest first within a
// severity; acknowledge and resolve for tokens that may read (spidi:monitor or admin).
Rectangle {
    id: inbox

    // The pointer went over the panel or clicked it: the user has seen what is there.
    signal looked()
    // The event a notification was clicked for, outlined for a while.
    property string highlightedEventId: ""

    // Scrolls to an event and outlines it (a clicked notification).
    function showEvent(eventId: string) {
        const row = AlertNotifier.rowOf(eventId)
        if (row < 0)
            return
        list.positionViewAtIndex(row, ListView.Contain)
        inbox.highlightedEventId = eventId
        highlightTimer.restart()
    }

    color: Theme.surface

    HoverHandler {
        onHoveredChanged: {
            if (hovered)
                inbox.looked()
        }
    }
    TapHandler {
        onTapped: inbox.looked()
    }
    Timer {
        id: highlightTimer
        interval: 8000
        onTriggered: inbox.highlightedEventId = ""
    }

    Connections {
        target: ConnectionService.rest
        function onAlertActionFinished(action: string, eventId: string, ok: bool, problem: var) {
            actionError.text = ok ? "" : (action === "ack" ? qsTr("Acknowledge failed: ") : qsTr("Resolve failed: ")) + problem.detail
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.padding
        spacing: Theme.spacing

        Label {
            text: qsTr("Alerts") + " (" + Number(ConnectionService.alerts.count).toLocaleString(Qt.locale(), "f", 0) + ")"
            font.pixelSize: Theme.fontLarge
            font.bold: true
            color: Theme.text
        }
        Label {
            id: actionError
            objectName: "alertActionError"
            Layout.fillWidth: true
            visible: text !== ""
            wrapMode: Text.Wrap
            color: Theme.critical
        }
        Label {
            objectName: "alertsEmpty"
            Layout.fillWidth: true
            visible: ConnectionService.loaded && ConnectionService.alerts.count === 0
            text: qsTr("No open alerts.")
            color: Theme.textMuted
        }
        BusyIndicator {
            objectName: "alertsLoading"
            Layout.alignment: Qt.AlignHCenter
            running: !ConnectionService.loaded && ConnectionService.alerts.count === 0 && !ConnectionService.tokenRefused
            visible: running
        }

        ListView {
            id: list
            objectName: "alertList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: Theme.spacing
            model: ConnectionService.alerts

            delegate: Rectangle {
                id: row

                required property string eventId
                required property string ruleName
                required property string roomCode
                required property string severity
                required property string state
                required property string message
                required property date firedAt
                required property string acknowledgedBy
                required property bool critical

                width: ListView.view.width
                implicitHeight: content.implicitHeight + 2 * Theme.spacing
                radius: Theme.radius
                color: row.critical ? Qt.rgba(Theme.critical.r, Theme.critical.g, Theme.critical.b, 0.18) : Theme.surfaceRaised
                border.color: row.eventId === inbox.highlightedEventId ? Theme.accent : Theme.severityColor(row.severity)
                border.width: row.critical || row.eventId === inbox.highlightedEventId ? 2 : 1

                CommentDialog {
                    id: rowDialog
                    parent: Overlay.overlay
                    anchors.centerIn: parent
                }

                ColumnLayout {
                    id: content
                    anchors.left: parent.left
                    anchors.right: parent.right
                    anchors.top: parent.top
                    anchors.margins: Theme.spacing
                    spacing: 2

                    RowLayout {
                        Layout.fillWidth: true
                        Label {
                            text: row.severity
                            color: Theme.severityColor(row.severity)
                            font.bold: true
                            font.pixelSize: Theme.fontSmall
                        }
                        Label {
                            Layout.fillWidth: true
                            text: row.ruleName + " · " + row.roomCode
                            elide: Text.ElideRight
                            color: Theme.text
                            font.bold: true
                        }
                        Label {
                            text: row.state === "ACKNOWLEDGED" ? qsTr("ack'd by %1").arg(row.acknowledgedBy) : row.state
                            color: Theme.textMuted
                            font.pixelSize: Theme.fontSmall
                        }
                    }
                    Label {
                        Layout.fillWidth: true
                        text: row.message
                        wrapMode: Text.Wrap
                        color: Theme.text
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        Label {
                            Layout.fillWidth: true
                            text: qsTr("fired %1").arg(row.firedAt.toLocaleString(Qt.locale(), "yyyy-MM-dd HH:mm:ss"))
                            color: Theme.textMuted
                            font.pixelSize: Theme.fontSmall
                        }
                        Button {
                            text: qsTr("Acknowledge")
                            visible: ConnectionService.canRead && row.state === "FIRING"
                            flat: true
                            onClicked: rowDialog.ask("ack", row.eventId, row.message)
                        }
                        Button {
                            text: qsTr("Resolve")
                            visible: ConnectionService.canRead
                            flat: true
                            onClicked: rowDialog.ask("resolve", row.eventId, row.message)
                        }
                    }
                }
            }
        }
    }
}
