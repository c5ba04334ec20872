import QtQuick
import QtQuick.Controls
import QtQuick.Controls.Material
import QtQuick.Layouts
import Spidi.Ui

// The alert rules (docs/desktop.md#alert-rules): the list on the left (Editors.rules), the
// selected or new rule's form on the right (Editors.rule). Writing needs an admin token; a
// read-only token sees the same form disabled. A CUSTOM expression is checked by the server as
// it is typed; a 409 opens the conflict dialog.
Rectangle {
    id: page

    readonly property RuleForm form: Editors.rule
    readonly property bool canWrite: ConnectionService.canAdmin
    readonly property var types: ["CAPACITY", "LATENCY", "HEARTBEAT", "MASS_DISCONNECT", "CUSTOM"]
    readonly property var severities: ["INFO", "WARNING", "CRITICAL"]
    readonly property var scopeKinds: ["all", "room", "roomType"]

    color: Theme.background
    // Esc closes the page (a key event, not a Shortcut: the page under it may have its own Esc).
    focus: true
    Keys.onEscapePressed: Editors.close()

    function err(field: string): string {
        const message = page.form.errors[field]
        return message === undefined ? "" : message
    }

    Component.onCompleted: {
        Editors.rules.reload()
        Editors.room.loadTypes()
        page.form.newRule()
    }

    Connections {
        target: page.form
        function onRemoved() {
            page.form.newRule()
        }
        function onConflictChanged() {
            if (page.form.conflict)
                conflictDialog.open()
        }
    }

    Shortcut {
        sequence: "Ctrl+S"
        enabled: page.canWrite
        onActivated: {
            // Focus off the field being typed in first: an editable spin box takes what was
            // typed when it loses focus, and that must be in what is saved.
            page.forceActiveFocus()
            page.form.save()
        }
    }
    Shortcut {
        sequence: "Ctrl+N"
        enabled: page.canWrite
        onActivated: page.form.newRule()
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
                Layout.fillWidth: true
                text: qsTr("Alert rules")
                font.pixelSize: Theme.fontLarge
                font.bold: true
                color: Theme.text
            }
            Button {
                objectName: "newRule"
                text: qsTr("New rule (Ctrl+N)")
                visible: page.canWrite
                onClicked: page.form.newRule()
            }
            Button {
                text: qsTr("Refresh")
                flat: true
                onClicked: Editors.rules.reload()
            }
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.leftMargin: Theme.padding
            Layout.rightMargin: Theme.padding
            spacing: Theme.padding

            // The list.
            Item {
                Layout.preferredWidth: 420
                Layout.fillHeight: true

                ListView {
                    id: ruleList
                    objectName: "ruleList"
                    anchors.fill: parent
                    clip: true
                    spacing: 4
                    model: Editors.rules
                    ScrollBar.vertical: ScrollBar {}

                    delegate: Rectangle {
                        id: ruleRow
                        required property string ruleId
                        required property string name
                        required property string type
                        required property string severity
                        required property bool enabled
                        required property string condition
                        required property string scopeText
                        required property var rule

                        width: ListView.view.width
                        implicitHeight: rowColumn.implicitHeight + 2 * Theme.spacing
                        radius: Theme.radius
                        color: Editors.rule.ruleId === ruleRow.ruleId ? Theme.surfaceRaised : Theme.surface
                        border.color: Theme.border

                        ColumnLayout {
                            id: rowColumn
                            anchors.fill: parent
                            anchors.margins: Theme.spacing
                            spacing: 2
                            RowLayout {
                                Layout.fillWidth: true
                                Label {
                                    Layout.fillWidth: true
                                    text: ruleRow.name
                                    font.bold: true
                                    elide: Text.ElideRight
                                    color: ruleRow.enabled ? Theme.text : Theme.textMuted
                                }
                                Label {
                                    text: ruleRow.enabled ? ruleRow.severity : qsTr("disabled")
                                    color: ruleRow.enabled ? Theme.severityColor(ruleRow.severity) : Theme.textMuted
                                    font.pixelSize: Theme.fontSmall
                                    font.bold: true
                                }
                            }
                            Label {
                                Layout.fillWidth: true
                                text: ruleRow.type + " · " + ruleRow.condition
                                elide: Text.ElideRight
                                color: Theme.textMuted
                                font.pixelSize: Theme.fontSmall
                            }
                            Label {
                                Layout.fillWidth: true
                                text: Editors.scopeText(ruleRow.rule)
                                elide: Text.ElideRight
                                color: Theme.textMuted
                                font.pixelSize: Theme.fontSmall
                            }
                        }
                        MouseArea {
                            anchors.fill: parent
                            onClicked: Editors.rule.load(ruleRow.rule)
                        }
                    }
                }
                BusyIndicator {
                    anchors.centerIn: parent
                    running: Editors.rules.loading && Editors.rules.count === 0
                    visible: running
                }
                Label {
                    objectName: "rulesEmpty"
                    anchors.centerIn: parent
                    visible: !Editors.rules.loading && Editors.rules.count === 0
                    horizontalAlignment: Text.AlignHCenter
                    text: Editors.rules.error !== "" ? Editors.rules.error : qsTr("No rules yet.")
                    color: Theme.textMuted
                }
            }

            // The form.
            ScrollView {
                Layout.fillWidth: true
                Layout.fillHeight: true
                contentWidth: availableWidth
                clip: true

                GridLayout {
                    width: Math.min(parent.width, 720)
                    columns: 2
                    columnSpacing: Theme.padding
                    rowSpacing: 4
                    // A GridLayout gives no cell to a hidden item: each error row's spacer
                    // Item is shown only with its FieldError, so the rows below keep their cells.
                    enabled: page.canWrite && !page.form.busy

                    Label {
                        Layout.columnSpan: 2
                        text: page.form.creating ? qsTr("New rule") : qsTr("Rule “%1” (version %2)").arg(page.form.name).arg(page.form.version)
                        font.bold: true
                        color: Theme.text
                    }

                    Label { text: qsTr("Name"); color: Theme.text }
                    TextField {
                        objectName: "ruleName"
                        Layout.fillWidth: true
                        text: page.form.name
                        onTextEdited: {
                            page.form.name = text
                            page.form.validate()
                        }
                    }
                    Item { visible: nameError.visible; implicitWidth: 1; implicitHeight: 1 }
                    FieldError { id: nameError; Layout.fillWidth: true; message: page.err("name") }

                    Label { text: qsTr("Type"); color: Theme.text }
                    ComboBox {
                        objectName: "ruleType"
                        Layout.fillWidth: true
                        model: page.types
                        currentIndex: page.types.indexOf(page.form.type)
                        onActivated: page.form.type = currentText
                    }

                    Label {
                        visible: page.form.type !== "CUSTOM"
                        text: page.form.type === "CAPACITY" ? qsTr("Above (% of capacity)")
                            : page.form.type === "LATENCY" ? qsTr("Above (ms)")
                            : page.form.type === "HEARTBEAT" ? qsTr("Silent for more than (s)")
                            : qsTr("More than (sessions)")
                        color: Theme.text
                    }
                    RowLayout {
                        visible: page.form.type !== "CUSTOM"
                        Layout.fillWidth: true
                        TextField {
                            objectName: "thresholdField"
                            Layout.preferredWidth: 140
                            text: String(page.form.threshold)
                            validator: DoubleValidator { bottom: 0 }
                            onTextEdited: {
                                page.form.threshold = Number(text)
                                page.form.validate()
                            }
                        }
                        Label { text: page.form.thresholdUnit; color: Theme.textMuted }
                        ComboBox {
                            visible: page.form.type === "LATENCY"
                            implicitContentWidthPolicy: ComboBox.WidestText
                            model: ["P95", "AVG"]
                            currentIndex: page.form.latencyStat === "AVG" ? 1 : 0
                            onActivated: page.form.latencyStat = currentText
                        }
                        Label {
                            visible: page.form.type === "MASS_DISCONNECT"
                            text: qsTr("within (s)")
                            color: Theme.text
                        }
                        SpinBox {
                            visible: page.form.type === "MASS_DISCONNECT"
                            from: 1
                            to: 3600
                            editable: true
                            value: page.form.windowSec
                            onValueModified: page.form.windowSec = value
                        }
                    }
                    Item { visible: thresholdError.visible; implicitWidth: 1; implicitHeight: 1 }
                    FieldError {
                        id: thresholdError
                        visible: thresholdError.message !== "" && page.form.type !== "CUSTOM"
                        Layout.fillWidth: true
                        message: page.err("threshold") || page.err("windowSec") || page.err("latencyStat")
                    }

                    Label {
                        visible: page.form.type === "CUSTOM"
                        text: qsTr("Expression")
                        color: Theme.text
                        Layout.alignment: Qt.AlignTop
                    }
                    ColumnLayout {
                        visible: page.form.type === "CUSTOM"
                        Layout.fillWidth: true
                        TextArea {
                            objectName: "expressionField"
                            Layout.fillWidth: true
                            Layout.preferredHeight: 70
                            font.family: "monospace"
                            wrapMode: TextEdit.Wrap
                            placeholderText: "online > 100 && p95LatencyMs > 300"
                            text: page.form.expression
                            onTextChanged: if (text !== page.form.expression) page.form.expression = text
                        }
                        Label {
                            objectName: "expressionStatus"
                            Layout.fillWidth: true
                            wrapMode: Text.Wrap
                            font.pixelSize: Theme.fontSmall
                            text: page.form.expressionState === "checking" ? qsTr("checking with the server…")
                                : page.form.expressionState === "valid" ? qsTr("✓ valid") + (page.form.expressionMessage !== "" ? " — " + page.form.expressionMessage : "")
                                : page.form.expressionMessage
                            color: page.form.expressionState === "valid" ? Theme.good
                                 : page.form.expressionState === "invalid" ? Theme.critical : Theme.textMuted
                        }
                        Label {
                            Layout.fillWidth: true
                            wrapMode: Text.Wrap
                            font.pixelSize: Theme.fontSmall
                            color: Theme.textMuted
                            text: qsTr("Names: online, users, peak, capacity, capacityPct, avgLatencyMs, p95LatencyMs; operators && || ! == != < <= > >= + - * /")
                        }
                    }

                    Label { text: qsTr("Applies to"); color: Theme.text }
                    RowLayout {
                        Layout.fillWidth: true
                        ComboBox {
                            objectName: "scopeKind"
                            // Sized to its longest choice, not the first one shown.
                            implicitContentWidthPolicy: ComboBox.WidestText
                            model: [qsTr("All rooms"), qsTr("One room"), qsTr("Rooms of a type")]
                            currentIndex: page.scopeKinds.indexOf(page.form.scopeKind)
                            onActivated: page.form.scopeKind = page.scopeKinds[currentIndex]
                        }
                        ComboBox {
                            objectName: "scopeRoom"
                            visible: page.form.scopeKind === "room"
                            Layout.fillWidth: true
                            model: ConnectionService.rooms
                            textRole: "code"
                            valueRole: "roomId"
                            currentIndex: indexOfValue(page.form.scopeRoom)
                            displayText: currentIndex < 0 ? (page.form.scopeRoom !== "" ? page.form.scopeRoom : qsTr("Choose a room…")) : currentText
                            onActivated: page.form.scopeRoom = currentValue
                        }
                        ComboBox {
                            visible: page.form.scopeKind === "roomType"
                            Layout.fillWidth: true
                            model: Editors.room.roomTypeCodes
                            currentIndex: count > 0 ? find(page.form.scopeRoomType) : -1
                            displayText: currentIndex < 0 ? qsTr("Choose a type…") : currentText
                            onActivated: page.form.scopeRoomType = currentText
                        }
                    }
                    Item { visible: scopeError.visible; implicitWidth: 1; implicitHeight: 1 }
                    FieldError { id: scopeError; Layout.fillWidth: true; message: page.err("scope") }

                    Label { text: qsTr("For (s)"); color: Theme.text }
                    SpinBox {
                        from: 0
                        to: 86400
                        editable: true
                        value: page.form.forSec
                        onValueModified: page.form.forSec = value
                    }
                    Item { visible: forSecError.visible; implicitWidth: 1; implicitHeight: 1 }
                    FieldError { id: forSecError; Layout.fillWidth: true; message: page.err("forSec") }

                    Label { text: qsTr("Severity"); color: Theme.text }
                    ComboBox {
                        implicitContentWidthPolicy: ComboBox.WidestText
                        model: page.severities
                        currentIndex: page.severities.indexOf(page.form.severity)
                        onActivated: page.form.severity = currentText
                    }

                    Label { text: qsTr("Cooldown (s)"); color: Theme.text }
                    SpinBox {
                        from: 0
                        to: 604800
                        editable: true
                        value: page.form.cooldownSec
                        onValueModified: page.form.cooldownSec = value
                    }
                    Item { visible: cooldownSecError.visible; implicitWidth: 1; implicitHeight: 1 }
                    FieldError { id: cooldownSecError; Layout.fillWidth: true; message: page.err("cooldownSec") }

                    Label { text: qsTr("Enabled"); color: Theme.text }
                    Switch {
                        checked: page.form.enabled
                        onToggled: page.form.enabled = checked
                    }

                    Label { text: qsTr("Notify"); color: Theme.text; Layout.alignment: Qt.AlignTop }
                    ColumnLayout {
                        Layout.fillWidth: true
                        CheckBox {
                            text: qsTr("In the console (in-app)")
                            checked: page.form.inapp
                            onToggled: page.form.inapp = checked
                        }
                        TextField {
                            objectName: "webhookField"
                            Layout.fillWidth: true
                            placeholderText: qsTr("Webhook URL (https://…), empty for none")
                            text: page.form.webhookUrl
                            onTextEdited: {
                                page.form.webhookUrl = text
                                page.form.validate()
                            }
                        }
                        FieldError { Layout.fillWidth: true; message: page.err("webhookUrl") }
                        TextField {
                            objectName: "emailField"
                            Layout.fillWidth: true
                            placeholderText: qsTr("E-mail recipients, separated by commas; empty for none")
                            text: page.form.emailTo
                            onTextEdited: {
                                page.form.emailTo = text
                                page.form.validate()
                            }
                        }
                        FieldError { Layout.fillWidth: true; message: page.err("emailTo") || page.err("channels") }
                    }

                    Item { visible: ruleMessage.visible; implicitWidth: 1; implicitHeight: 1 }
                    FieldError { id: ruleMessage; objectName: "ruleMessage"; Layout.fillWidth: true; message: page.form.message }

                    Item { visible: page.canWrite; implicitWidth: 1; implicitHeight: 1 }
                    RowLayout {
                        visible: page.canWrite
                        Button {
                            objectName: "saveRule"
                            text: page.form.creating ? qsTr("Create rule") : qsTr("Save (Ctrl+S)")
                            highlighted: true
                            onClicked: page.form.save()
                        }
                        Button {
                            text: qsTr("Delete…")
                            visible: !page.form.creating
                            onClicked: deleteDialog.open()
                        }
                    }
                    Label {
                        Layout.columnSpan: 2
                        visible: !page.canWrite
                        text: qsTr("Read-only: changing rules needs an admin token.")
                        color: Theme.textMuted
                    }
                }
            }
        }
    }

    Dialog {
        id: deleteDialog
        anchors.centerIn: parent
        modal: true
        title: qsTr("Delete rule “%1”?").arg(page.form.name)
        // Drawn here rather than by the style: Material's elevation shadow is a shader effect
        // that the software renderer leaves out, background included.
        Material.background: Theme.surface
        background: Rectangle {
            color: Theme.surface
            radius: Theme.radius
            border.color: Theme.border
        }
        standardButtons: Dialog.Yes | Dialog.No
        Label {
            text: qsTr("Its open alerts are resolved.")
        }
        onAccepted: page.form.remove()
    }

    ConflictDialog {
        id: conflictDialog
        anchors.centerIn: parent
        what: qsTr("rule")
        diff: page.form.conflictDiff
        onReloadRequested: page.form.reload()
        onOverwriteRequested: page.form.overwrite()
    }
}
