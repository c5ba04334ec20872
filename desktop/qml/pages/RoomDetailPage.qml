import QtQuick
import QtQuick.Controls
import QtQuick.Controls.Material
import QtQuick.Layouts
import QtCharts
import Spidi.Ui

// One room in detail (docs/desktop.md#room-detail): header with the live figures, live charts of
// the last 15 minutes (online; latency avg and p95), the history chart with a range picker, the
// fleet breakdown, "who was here at…", and the roster table; admins can kick a session and
// switch maintenance. Opened from a dashboard tile (RoomDetailState.open), closed with Back/Esc.
// ValuesAxis rather than ValueAxis: the same QValueAxis, but Qt 6.4's QtCharts qmltypes describe
// QValueAxis twice and the second (ValuesAxis) hides ValueAxis from qmllint.
Rectangle {
    id: page

    color: Theme.background
    focus: true

    readonly property var live: controller.live
    readonly property bool hasLive: page.live.online !== undefined

    function formatCount(n: real): string {
        return Number(n).toLocaleString(Qt.locale(), "f", 0)
    }
    function formatLatency(v: var): string {
        return v === null || v === undefined ? "—" : Number(v).toLocaleString(Qt.locale(), "f", 0) + " ms"
    }
    // The top of a value axis whose page.axisTicks ticks (0 included) all land on whole, round
    // numbers: 4 intervals of a step taken from 1, 2, 2.5, 3, 4, 5, 6, 8 × 10^n, at least
    // minStep, the first that leaves a little room above the peak. Counts get integer steps only.
    readonly property int axisTicks: 5
    function axisMax(peak: real, minStep: real): real {
        const intervals = page.axisTicks - 1
        const raw = Math.max(minStep, (peak > 0 ? peak * 1.1 : 0) / intervals)
        const decade = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10))
        for (const f of [1, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
            const step = f * decade
            if (step >= raw && Number.isInteger(step))
                return step * intervals
        }
        return 10 * decade * intervals
    }

    function refreshLive() {
        controller.metrics.updateSeries(onlineSeries, avgSeries, p95Series)
    }
    function refreshHistory() {
        controller.updateHistorySeries(historyOnlineSeries, historyAvgSeries, historyP95Series)
    }

    RoomDetailController {
        id: controller
        objectName: "roomController"
        connection: ConnectionService
        roomCode: RoomDetailState.roomCode
        active: RoomDetailState.roomCode !== ""
        Component.onCompleted: controller.loadHistory(RoomDetailController.LastHour)
        onActionFinished: (action, ok, message) => {
            actionMessage.text = ok ? (action === "kick" ? qsTr("Session kicked.") : qsTr("Maintenance switched."))
                                    : message
            actionMessage.ok = ok
        }
    }
    RosterFilterModel {
        id: rosterView
        objectName: "rosterView"
        sourceModel: controller.roster
        search: searchField.text
    }
    Connections {
        target: controller.metrics
        function onChanged() { page.refreshLive() }
    }
    Connections {
        target: controller
        function onHistoryChanged() { page.refreshHistory() }
    }
    Connections {
        target: RoomDetailState
        function onKickRequested(sessionId: string, label: string) {
            kickDialog.sessionId = sessionId
            kickDialog.label = label
            kickDialog.open()
        }
    }

    Shortcut {
        sequence: "Esc"
        // Not while a dialog or an editor is open, nor in a search that Esc clears first.
        enabled: Editors.page === "" && !kickDialog.visible
                 && !(searchField.activeFocus && searchField.text !== "")
        onActivated: RoomDetailState.close()
    }
    Shortcut {
        sequence: "Alt+Left"
        enabled: Editors.page === ""
        onActivated: RoomDetailState.close()
    }
    Shortcut {
        sequence: "Ctrl+F"
        enabled: Editors.page === ""
        onActivated: searchField.forceActiveFocus()
    }
    Shortcut {
        sequence: "Ctrl+E"
        enabled: Editors.page === "" && !kickDialog.visible
        onActivated: exportMenu.popup(exportButton, 0, exportButton.height)
    }

    // Exports (docs/desktop.md, "Exports"): the charts as PNG, the roster as CSV.
    readonly property string fileStem: "spidi-" + RoomDetailState.roomCode
    readonly property string historyStem: controller.historyRange === RoomDetailController.LastHour ? "1h"
                                        : controller.historyRange === RoomDetailController.LastDay ? "24h"
                                        : controller.historyRange === RoomDetailController.LastWeek ? "7d" : "30d"
    ExportDialog {
        id: exportDialog
        objectName: "exportDialog"
        // Found from its parent item only when that is in a window at creation: said here.
        parentWindow: page.Window.window
        onFinished: (ok, message) => {
            actionMessage.text = message
            actionMessage.ok = ok
        }
    }
    Menu {
        id: exportMenu
        objectName: "exportMenu"
        // Drawn here rather than by the style (see the dialogs): no shader-effect shadow.
        background: Rectangle {
            implicitWidth: 200
            implicitHeight: 40
            color: Theme.surface
            radius: Theme.radius
            border.color: Theme.border
        }
        MenuItem {
            text: qsTr("Online chart as PNG…")
            onTriggered: exportDialog.exportItem(onlineChart, page.fileStem + "-online")
        }
        MenuItem {
            text: qsTr("Latency chart as PNG…")
            onTriggered: exportDialog.exportItem(latencyChart, page.fileStem + "-latency")
        }
        MenuItem {
            text: qsTr("History chart as PNG…")
            onTriggered: exportDialog.exportItem(historyChart, page.fileStem + "-history-" + page.historyStem)
        }
        MenuItem {
            text: qsTr("Roster as CSV…")
            onTriggered: exportDialog.exportRows(rosterView, page.fileStem + "-roster")
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        StaleBanner {
            Layout.fillWidth: true
        }
        // Deleted while shown (ROOM_REMOVED): the figures below are its last ones.
        Rectangle {
            objectName: "roomRemovedBanner"
            Layout.fillWidth: true
            visible: controller.removed
            implicitHeight: removedText.implicitHeight + 2 * Theme.spacing
            color: Theme.critical
            Label {
                id: removedText
                anchors.fill: parent
                anchors.margins: Theme.spacing
                verticalAlignment: Text.AlignVCenter
                color: "white"
                font.bold: true
                text: qsTr("This room has been deleted. What is shown is its last state; nothing more will arrive.")
            }
        }

        // Header: back, name, code, type, status, online / capacity, latency, admin actions.
        RowLayout {
            Layout.fillWidth: true
            Layout.margins: Theme.padding
            spacing: Theme.spacing

            Button {
                objectName: "backButton"
                text: qsTr("‹ Back")
                onClicked: RoomDetailState.close()
            }
            Label {
                objectName: "roomTitle"
                text: RoomDetailState.roomName !== "" ? RoomDetailState.roomName : RoomDetailState.roomCode
                font.pixelSize: Theme.fontHuge
                font.bold: true
                color: Theme.text
            }
            Label {
                text: RoomDetailState.roomCode + (RoomDetailState.typeCode !== "" ? " · " + RoomDetailState.typeCode : "")
                color: Theme.textMuted
            }
            StatusBadge {
                status: page.hasLive ? page.live.status : ""
            }
            Label {
                objectName: "onlineLabel"
                color: Theme.text
                text: page.hasLive
                      ? qsTr("%1 online of %2 · %3 users").arg(page.formatCount(page.live.online))
                            .arg(page.formatCount(page.live.capacity)).arg(page.formatCount(page.live.users))
                      : qsTr("waiting for figures…")
            }
            Label {
                color: Theme.textMuted
                visible: page.hasLive
                text: qsTr("latency avg %1 · p95 %2").arg(page.formatLatency(page.live.avgLatencyMs))
                                                      .arg(page.formatLatency(page.live.p95LatencyMs))
            }
            Item { Layout.fillWidth: true }
            Label {
                id: actionMessage
                objectName: "actionMessage"
                property bool ok: true
                color: actionMessage.ok ? Theme.good : Theme.critical
                elide: Text.ElideRight
                Layout.maximumWidth: 320
            }
            Switch {
                objectName: "maintenanceSwitch"
                visible: ConnectionService.canAdmin
                enabled: !controller.actionPending && page.hasLive
                text: qsTr("Maintenance")
                checked: page.hasLive && page.live.status === "MAINTENANCE"
                // Shows the room's status, not the click: back to the binding until the server's
                // ROOM_METRICS reports the new status (or the refusal is shown).
                onToggled: {
                    controller.setMaintenance(checked)
                    checked = Qt.binding(() => page.hasLive && page.live.status === "MAINTENANCE")
                }
            }
            Button {
                id: exportButton
                objectName: "exportButton"
                text: qsTr("Export ▾")
                onClicked: exportMenu.popup(exportButton, 0, exportButton.height)
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Charts as PNG, the roster as CSV (Ctrl+E)")
            }
            Button {
                visible: ConnectionService.canAdmin
                text: qsTr("Edit…")
                onClicked: Editors.editRoom(RoomDetailState.roomCode)
            }
        }

        ScrollView {
            id: scroller
            Layout.fillWidth: true
            Layout.fillHeight: true
            contentWidth: availableWidth
            clip: true

            ColumnLayout {
                width: scroller.availableWidth
                spacing: Theme.spacing

                // Live charts, last 15 minutes.
                RowLayout {
                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.padding
                    Layout.rightMargin: Theme.padding
                    spacing: Theme.spacing

                    ChartView {
                        id: onlineChart
                        objectName: "onlineChart"
                        Layout.fillWidth: true
                        Layout.preferredHeight: 220
                        title: qsTr("Online sessions (15 min)")
                        titleColor: Theme.text
                        backgroundColor: Theme.surface
                        legend.visible: false
                        antialiasing: true

                        DateTimeAxis {
                            id: onlineX
                            format: "hh:mm"
                            labelsColor: Theme.textMuted
                            min: new Date(controller.metrics.windowStart)
                            max: new Date(controller.metrics.windowEnd)
                        }
                        ValuesAxis {
                            id: onlineY
                            labelFormat: "%.0f"
                            labelsColor: Theme.textMuted
                            tickCount: page.axisTicks
                            min: 0
                            max: page.axisMax(controller.metrics.maxOnline, 1)
                        }
                        LineSeries {
                            id: onlineSeries
                            objectName: "onlineSeries"
                            name: qsTr("online")
                            axisX: onlineX
                            axisY: onlineY
                            color: Theme.accent
                        }
                    }
                    ChartView {
                        id: latencyChart
                        objectName: "latencyChart"
                        Layout.fillWidth: true
                        Layout.preferredHeight: 220
                        title: qsTr("Latency (15 min)")
                        titleColor: Theme.text
                        backgroundColor: Theme.surface
                        legend.labelColor: Theme.text
                        antialiasing: true

                        DateTimeAxis {
                            id: latencyX
                            format: "hh:mm"
                            labelsColor: Theme.textMuted
                            min: new Date(controller.metrics.windowStart)
                            max: new Date(controller.metrics.windowEnd)
                        }
                        ValuesAxis {
                            id: latencyY
                            labelFormat: "%.0f ms"
                            labelsColor: Theme.textMuted
                            tickCount: page.axisTicks
                            min: 0
                            max: page.axisMax(controller.metrics.maxLatency, 10)
                        }
                        LineSeries {
                            id: avgSeries
                            objectName: "avgSeries"
                            name: qsTr("average")
                            axisX: latencyX
                            axisY: latencyY
                            color: Theme.good
                        }
                        LineSeries {
                            id: p95Series
                            objectName: "p95Series"
                            name: qsTr("p95")
                            axisX: latencyX
                            axisY: latencyY
                            color: Theme.warning
                        }
                    }
                }

                // History from the stats API.
                RowLayout {
                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.padding
                    Layout.rightMargin: Theme.padding
                    Label {
                        text: qsTr("History")
                        font.pixelSize: Theme.fontLarge
                        font.bold: true
                        color: Theme.text
                    }
                    Button {
                        text: qsTr("1 h")
                        highlighted: controller.historyRange === RoomDetailController.LastHour
                        onClicked: controller.loadHistory(RoomDetailController.LastHour)
                    }
                    Button {
                        text: qsTr("24 h")
                        highlighted: controller.historyRange === RoomDetailController.LastDay
                        onClicked: controller.loadHistory(RoomDetailController.LastDay)
                    }
                    Button {
                        text: qsTr("7 d")
                        highlighted: controller.historyRange === RoomDetailController.LastWeek
                        onClicked: controller.loadHistory(RoomDetailController.LastWeek)
                    }
                    Button {
                        text: qsTr("30 d")
                        highlighted: controller.historyRange === RoomDetailController.LastMonth
                        onClicked: controller.loadHistory(RoomDetailController.LastMonth)
                    }
                    BusyIndicator {
                        running: controller.historyLoading
                        visible: running
                        implicitHeight: 28
                        implicitWidth: 28
                    }
                    Label {
                        color: Theme.critical
                        visible: controller.historyError !== ""
                        text: controller.historyError
                    }
                    Item { Layout.fillWidth: true }
                }
                Item {
                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.padding
                    Layout.rightMargin: Theme.padding
                    Layout.preferredHeight: 220

                    ChartView {
                        id: historyChart
                        objectName: "historyChart"
                        anchors.fill: parent
                        backgroundColor: Theme.surface
                        legend.labelColor: Theme.text
                        antialiasing: true

                        DateTimeAxis {
                            id: historyX
                            format: controller.historyRange === RoomDetailController.LastHour ? "hh:mm"
                                  : controller.historyRange === RoomDetailController.LastDay ? "dd hh:mm" : "MM-dd"
                            labelsColor: Theme.textMuted
                            min: new Date(controller.historyFrom)
                            max: new Date(controller.historyTo)
                        }
                        ValuesAxis {
                            id: historyOnlineY
                            labelFormat: "%.0f"
                            labelsColor: Theme.textMuted
                            tickCount: page.axisTicks
                            min: 0
                            max: page.axisMax(controller.historyMaxOnline, 1)
                        }
                        ValuesAxis {
                            id: historyLatencyY
                            labelFormat: "%.0f ms"
                            labelsColor: Theme.textMuted
                            tickCount: page.axisTicks
                            min: 0
                            max: page.axisMax(controller.historyMaxLatency, 10)
                        }
                        LineSeries {
                            id: historyOnlineSeries
                            objectName: "historyOnlineSeries"
                            name: qsTr("online (avg)")
                            axisX: historyX
                            axisY: historyOnlineY
                            color: Theme.accent
                        }
                        LineSeries {
                            id: historyAvgSeries
                            name: qsTr("latency avg")
                            axisX: historyX
                            axisYRight: historyLatencyY
                            color: Theme.good
                        }
                        LineSeries {
                            id: historyP95Series
                            name: qsTr("latency p95")
                            axisX: historyX
                            axisYRight: historyLatencyY
                            color: Theme.warning
                        }
                    }
                    Label {
                        objectName: "historyEmpty"
                        anchors.centerIn: parent
                        visible: !controller.historyLoading && controller.historyError === "" && controller.historyCount === 0
                        text: qsTr("No activity in this period.")
                        color: Theme.textMuted
                    }
                }

                // Fleet breakdown and "who was here at…".
                RowLayout {
                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.padding
                    Layout.rightMargin: Theme.padding
                    spacing: Theme.padding

                    BreakdownList {
                        Layout.preferredWidth: 300
                        Layout.alignment: Qt.AlignTop
                        title: qsTr("Sessions by OS")
                        entries: controller.fleet.byOs
                    }
                    BreakdownList {
                        Layout.preferredWidth: 300
                        Layout.alignment: Qt.AlignTop
                        title: qsTr("Sessions by app version")
                        entries: controller.fleet.byAppVersion
                    }
                    ColumnLayout {
                        Layout.fillWidth: true
                        Layout.alignment: Qt.AlignTop
                        Label {
                            text: qsTr("Who was here at…")
                            font.bold: true
                            color: Theme.text
                        }
                        RowLayout {
                            TextField {
                                id: atField
                                objectName: "atField"
                                Layout.preferredWidth: 220
                                placeholderText: "2026-11-23 10:15"
                                text: new Date(Date.now() - 3600000).toLocaleString(Qt.locale("C"), "yyyy-MM-dd HH:mm")
                                onAccepted: controller.loadRosterAt(atField.text)
                            }
                            Button {
                                text: qsTr("Show")
                                enabled: !controller.pointInTimeLoading
                                onClicked: controller.loadRosterAt(atField.text)
                            }
                            BusyIndicator {
                                running: controller.pointInTimeLoading
                                visible: running
                                implicitWidth: 28
                                implicitHeight: 28
                            }
                        }
                        Label {
                            visible: controller.pointInTimeError !== ""
                            text: controller.pointInTimeError
                            color: Theme.critical
                            wrapMode: Text.Wrap
                            Layout.fillWidth: true
                        }
                        ListView {
                            objectName: "pointInTimeList"
                            Layout.fillWidth: true
                            Layout.preferredHeight: 140
                            clip: true
                            model: controller.pointInTime
                            delegate: Text {
                                required property var modelData
                                width: ListView.view ? ListView.view.width : 0
                                elide: Text.ElideRight
                                color: Theme.text
                                font.pixelSize: Theme.fontSmall
                                text: modelData.userId + " · " + modelData.device + " · " + modelData.os
                                      + " · " + modelData.appVersion
                                      + (modelData.live ? "" : " (" + modelData.endReason + ")")
                            }
                        }
                    }
                }

                // The roster.
                RowLayout {
                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.padding
                    Layout.rightMargin: Theme.padding
                    Label {
                        objectName: "rosterTitle"
                        // While a search filters the table, how many of the room's sessions match.
                        text: rosterView.search !== ""
                              ? qsTr("Roster · %1 of %2 sessions").arg(page.formatCount(rosterView.count)).arg(page.formatCount(controller.roster.count))
                              : qsTr("Roster · %1 sessions").arg(page.formatCount(controller.roster.count))
                        font.pixelSize: Theme.fontLarge
                        font.bold: true
                        color: Theme.text
                    }
                    Item { Layout.fillWidth: true }
                    Button {
                        objectName: "exportRosterButton"
                        text: qsTr("Export CSV…")
                        enabled: rosterView.count > 0
                        onClicked: exportDialog.exportRows(rosterView, page.fileStem + "-roster")
                    }
                    TextField {
                        id: searchField
                        objectName: "rosterSearch"
                        Layout.preferredWidth: 280
                        placeholderText: qsTr("Search user, device, OS, app, IP (Ctrl+F)")
                        Keys.onEscapePressed: (event) => {
                            if (searchField.text !== "") {
                                searchField.clear()
                                event.accepted = true
                            } else {
                                event.accepted = false
                            }
                        }
                    }
                }
                Item {
                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.padding
                    Layout.rightMargin: Theme.padding
                    Layout.preferredHeight: 420
                    RosterTable {
                        objectName: "rosterTable"
                        anchors.fill: parent
                        model: rosterView
                    }
                    BusyIndicator {
                        anchors.centerIn: parent
                        running: !controller.rosterLoaded && !ConnectionService.stale
                        visible: running
                    }
                }
            }
        }
    }

    Dialog {
        id: kickDialog
        property string sessionId: ""
        property string label: ""
        anchors.centerIn: parent
        modal: true
        title: qsTr("Kick this session?")
        // Drawn here rather than by the style: Material's elevation shadow is a shader effect
        // that the software renderer leaves out, background included.
        Material.background: Theme.surface
        background: Rectangle {
            color: Theme.surface
            radius: Theme.radius
            border.color: Theme.border
        }
        standardButtons: Dialog.Yes | Dialog.Cancel
        Label {
            text: qsTr("%1 will be disconnected (reason KICKED).").arg(kickDialog.label)
        }
        onAccepted: controller.kick(kickDialog.sessionId)
    }
}
