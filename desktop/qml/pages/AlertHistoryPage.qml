import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Spidi.Ui

// The alert history (docs/desktop.md#alert-history): every event, newest first, filtered by
// state, severity, room and time range, a page at a time (Editors.events). Read-only.
Rectangle {
    id: page

    readonly property AlertEventsModel events: Editors.events
    // "Open" is the inbox's set: the API takes a comma-separated list of states.
    readonly property var states: ["", "FIRING,ACKNOWLEDGED", "FIRING", "ACKNOWLEDGED", "RESOLVED"]
    readonly property var severities: ["", "INFO", "WARNING", "CRITICAL"]
    // Hours back of each range choice (0: any time; -1: between the two instants typed).
    readonly property var rangeHours: [0, 1, 24, 24 * 7, 24 * 30, -1]
    readonly property bool customRange: page.rangeHours[rangeBox.currentIndex] === -1
    // What is wrong with the room or the time range typed, in words ("" when nothing).
    property string roomProblem: ""
    property string rangeProblem: ""

    // A local date and time as typed ("2026-12-07 10:15", or a date alone for its midnight):
    // an invalid Date for an empty field (no bound), null for something unreadable. No type
    // annotations: qmllint 6.4 crashes compiling this function with them.
    function localInstant(text) {
        const t = text.trim()
        if (t === "")
            return new Date(NaN)
        for (const format of ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"]) {
            const d = Date.fromLocaleString(Qt.locale(), t, format)
            if (!isNaN(d.getTime()))
                return d
        }
        return null
    }

    color: Theme.background
    // Esc closes the page (a key event, not a Shortcut: the page under it may have its own Esc).
    focus: true
    Keys.onEscapePressed: Editors.close()

    function apply() {
        page.events.stateFilter = page.states[stateBox.currentIndex]
        page.events.severityFilter = page.severities[severityBox.currentIndex]
        const code = roomField.text.trim().toUpperCase()
        page.roomProblem = ""
        if (code === "") {
            page.events.roomId = ""
        } else {
            const row = ConnectionService.rooms.rowOfCode(code)
            if (row < 0) {
                page.roomProblem = qsTr("no room %1 on the dashboard").arg(code)
                return
            }
            page.events.roomId = ConnectionService.rooms.data(ConnectionService.rooms.index(row, 0), RoomListModel.RoomIdRole)
        }
        const hours = page.rangeHours[rangeBox.currentIndex]
        page.rangeProblem = ""
        if (hours === -1) {
            const from = page.localInstant(fromField.text)
            const to = page.localInstant(toField.text)
            if (from === null || to === null) {
                page.rangeProblem = qsTr("%1 is not a date and time: use 2026-12-07 10:15 or 2026-12-07")
                        .arg(from === null ? qsTr("From") : qsTr("To"))
                return
            }
            page.events.from = from
            page.events.to = to
        } else {
            page.events.from = hours > 0 ? new Date(Date.now() - hours * 3600 * 1000) : new Date(NaN)
            page.events.to = new Date(NaN)
        }
        page.events.refresh()
    }

    Component.onCompleted: page.apply()

    Shortcut {
        sequence: "PgDown"
        onActivated: page.events.nextPage()
    }
    Shortcut {
        sequence: "PgUp"
        onActivated: page.events.previousPage()
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        StaleBanner {
            Layout.fillWidth: true
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.margins: Theme.padding
            spacing: Theme.spacing

            Button {
                text: qsTr("← Back")
                flat: true
                onClicked: Editors.close()
            }
            Label {
                text: qsTr("Alert history")
                font.pixelSize: Theme.fontLarge
                font.bold: true
                color: Theme.text
            }
            Item { Layout.fillWidth: true }
            ComboBox {
                id: stateBox
                objectName: "stateFilter"
                implicitContentWidthPolicy: ComboBox.WidestText
                model: [qsTr("Any state"), qsTr("Open"), "FIRING", "ACKNOWLEDGED", "RESOLVED"]
                onActivated: page.apply()
            }
            ComboBox {
                id: severityBox
                objectName: "severityFilter"
                implicitContentWidthPolicy: ComboBox.WidestText
                model: [qsTr("Any severity"), "INFO", "WARNING", "CRITICAL"]
                onActivated: page.apply()
            }
            TextField {
                id: roomField
                objectName: "roomFilter"
                Layout.preferredWidth: 150
                placeholderText: qsTr("Room code")
                onAccepted: page.apply()
            }
            ComboBox {
                id: rangeBox
                objectName: "rangeFilter"
                implicitContentWidthPolicy: ComboBox.WidestText
                model: [qsTr("Any time"), qsTr("Last hour"), qsTr("Last 24 hours"), qsTr("Last 7 days"), qsTr("Last 30 days"), qsTr("Between…")]
                onActivated: {
                    if (page.customRange)
                        fromField.forceActiveFocus() // applied once the instants are typed
                    else
                        page.apply()
                }
            }
            TextField {
                id: fromField
                objectName: "rangeFrom"
                visible: page.customRange
                Layout.preferredWidth: 150
                placeholderText: qsTr("from 2026-12-07 10:15")
                onAccepted: page.apply()
            }
            TextField {
                id: toField
                objectName: "rangeTo"
                visible: page.customRange
                Layout.preferredWidth: 150
                placeholderText: qsTr("to (empty: now)")
                onAccepted: page.apply()
            }
            Button {
                text: qsTr("Refresh")
                onClicked: page.apply()
            }
        }

        FieldError {
            Layout.fillWidth: true
            Layout.leftMargin: Theme.padding
            message: page.roomProblem !== "" ? page.roomProblem
                     : page.rangeProblem !== "" ? page.rangeProblem : page.events.error
        }

        Item {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.leftMargin: Theme.padding
            Layout.rightMargin: Theme.padding

            ListView {
                objectName: "eventList"
                anchors.fill: parent
                clip: true
                spacing: 4
                model: page.events
                ScrollBar.vertical: ScrollBar {}

                delegate: Rectangle {
                    id: eventRow
                    required property string ruleName
                    required property string roomCode
                    required property string severity
                    required property string state
                    required property string message
                    required property date firedAt
                    required property string acknowledgedBy
                    required property date resolvedAt
                    required property string resolvedBy
                    required property string comment

                    width: ListView.view.width
                    implicitHeight: eventColumn.implicitHeight + 2 * Theme.spacing
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: Theme.border

                    ColumnLayout {
                        id: eventColumn
                        anchors.fill: parent
                        anchors.margins: Theme.spacing
                        spacing: 2
                        RowLayout {
                            Layout.fillWidth: true
                            Label {
                                text: eventRow.severity
                                color: Theme.severityColor(eventRow.severity)
                                font.bold: true
                                font.pixelSize: Theme.fontSmall
                            }
                            Label {
                                text: eventRow.state
                                color: eventRow.state === "RESOLVED" ? Theme.textMuted : Theme.text
                                font.pixelSize: Theme.fontSmall
                            }
                            Label {
                                Layout.fillWidth: true
                                text: eventRow.ruleName + " · " + eventRow.roomCode
                                elide: Text.ElideRight
                                color: Theme.text
                                font.bold: true
                            }
                            Label {
                                text: eventRow.firedAt.toLocaleString(Qt.locale(), "yyyy-MM-dd HH:mm:ss")
                                color: Theme.textMuted
                                font.pixelSize: Theme.fontSmall
                            }
                        }
                        Label {
                            Layout.fillWidth: true
                            text: eventRow.message
                            wrapMode: Text.Wrap
                            color: Theme.text
                        }
                        Label {
                            Layout.fillWidth: true
                            visible: text !== ""
                            font.pixelSize: Theme.fontSmall
                            color: Theme.textMuted
                            wrapMode: Text.Wrap
                            text: (eventRow.acknowledgedBy !== "" ? qsTr("acknowledged by %1").arg(eventRow.acknowledgedBy) + "  " : "")
                                  + (eventRow.state === "RESOLVED" ? (eventRow.resolvedBy !== "" ? qsTr("resolved by %1").arg(eventRow.resolvedBy) : qsTr("resolved (condition cleared)")) : "")
                                  + (eventRow.comment !== "" ? " — " + eventRow.comment : "")
                        }
                    }
                }
            }
            BusyIndicator {
                anchors.centerIn: parent
                running: page.events.loading && page.events.count === 0
                visible: running
            }
            Label {
                objectName: "historyEmpty"
                anchors.centerIn: parent
                visible: !page.events.loading && page.events.count === 0 && page.events.error === ""
                text: qsTr("No alert matches these filters.")
                color: Theme.textMuted
                font.pixelSize: Theme.fontLarge
            }
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.margins: Theme.padding
            Item { Layout.fillWidth: true }
            Button {
                objectName: "previousPage"
                text: qsTr("← Newer")
                enabled: page.events.hasPrevious && !page.events.loading
                onClicked: page.events.previousPage()
            }
            Label {
                objectName: "pageLabel"
                color: Theme.text
                text: page.events.total === 0 ? qsTr("0 events")
                    : qsTr("%1–%2 of %3").arg(page.events.offset + 1).arg(page.events.offset + page.events.count).arg(Number(page.events.total).toLocaleString(Qt.locale(), "f", 0))
            }
            Button {
                objectName: "nextPage"
                text: qsTr("Older →")
                enabled: page.events.hasNext && !page.events.loading
                onClicked: page.events.nextPage()
            }
        }
    }
}
