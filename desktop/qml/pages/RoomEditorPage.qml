import QtQuick
import QtQuick.Controls
import QtQuick.Controls.Material
import QtQuick.Layouts
import Spidi.Ui

// Create, edit or delete a room (admin; docs/desktop.md#room-editor). The form is
// Editors.room (RoomEditor): the server's checks are shown under each field as it is edited,
// the server's own refusals under the field they name, a 409 opens the conflict dialog.
Rectangle {
    id: page

    readonly property RoomEditor editor: Editors.room
    readonly property int attributeCount: page.editor.attributes.length

    color: Theme.background
    // Esc closes the page (a key event, not a Shortcut: the page under it may have its own Esc).
    focus: true
    Keys.onEscapePressed: Editors.close()

    function err(field: string): string {
        const message = page.editor.errors[field]
        return message === undefined ? "" : message
    }

    Component.onCompleted: {
        page.editor.loadTypes()
        if (Editors.roomCode === "")
            page.editor.newRoom()
        else
            page.editor.open(Editors.roomCode)
    }

    Connections {
        target: page.editor
        function onLoaded() {
            if (Editors.confirmDelete)
                deleteDialog.open()
        }
        function onSaved() {
            Editors.close()
        }
        function onRemoved() {
            Editors.close()
        }
        function onConflictChanged() {
            if (page.editor.conflict)
                conflictDialog.open()
        }
    }

    Shortcut {
        sequence: "Ctrl+S"
        onActivated: {
            // Focus off the field being typed in first: an attribute row and an editable spin
            // box take what was typed when they lose focus, and that must be in what is saved.
            page.forceActiveFocus()
            page.editor.save()
        }
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
                objectName: "backButton"
                text: qsTr("← Back")
                flat: true
                onClicked: Editors.close()
            }
            Label {
                Layout.fillWidth: true
                objectName: "editorTitle"
                text: page.editor.creating ? qsTr("New room") : qsTr("Edit room %1 (version %2)").arg(page.editor.code).arg(page.editor.version)
                font.pixelSize: Theme.fontLarge
                font.bold: true
                color: Theme.text
            }
            BusyIndicator {
                running: page.editor.busy
                visible: running
                implicitWidth: 32
                implicitHeight: 32
            }
        }

        ScrollView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            contentWidth: availableWidth
            clip: true

            GridLayout {
                width: Math.min(parent.width, 760)
                x: Theme.padding
                columns: 2
                columnSpacing: Theme.padding
                rowSpacing: 4
                // A GridLayout gives no cell to a hidden item: each error row's spacer Item is
                // shown only with its FieldError, so the rows below keep their cells.

                Label { text: qsTr("Code"); color: Theme.text }
                TextField {
                    objectName: "codeField"
                    Layout.fillWidth: true
                    enabled: page.editor.creating
                    text: page.editor.code
                    placeholderText: "LOBBY-1"
                    onTextEdited: {
                        page.editor.code = text
                        page.editor.validate()
                    }
                }
                Item { visible: codeError.visible; implicitWidth: 1; implicitHeight: 1 }
                FieldError { id: codeError; objectName: "codeError"; Layout.fillWidth: true; message: page.err("code") }

                Label { text: qsTr("Name"); color: Theme.text }
                TextField {
                    objectName: "nameField"
                    Layout.fillWidth: true
                    text: page.editor.name
                    onTextEdited: {
                        page.editor.name = text
                        page.editor.validate()
                    }
                }
                Item { visible: nameError.visible; implicitWidth: 1; implicitHeight: 1 }
                FieldError { id: nameError; objectName: "nameError"; Layout.fillWidth: true; message: page.err("name") }

                Label { text: qsTr("Type"); color: Theme.text }
                ComboBox {
                    objectName: "typeBox"
                    Layout.fillWidth: true
                    model: page.editor.roomTypeCodes
                    currentIndex: count > 0 ? find(page.editor.typeCode) : -1
                    displayText: currentIndex < 0 ? qsTr("Choose a type…") : currentText
                    onActivated: {
                        page.editor.typeCode = currentText
                        page.editor.validate()
                    }
                }
                Item { visible: typeCodeError.visible; implicitWidth: 1; implicitHeight: 1 }
                FieldError { id: typeCodeError; Layout.fillWidth: true; message: page.err("typeCode") }

                Label { text: qsTr("Status"); color: Theme.text }
                ComboBox {
                    Layout.fillWidth: true
                    model: ["ACTIVE", "MAINTENANCE", "CLOSED"]
                    currentIndex: find(page.editor.status)
                    onActivated: page.editor.status = currentText
                }
                Item { visible: statusError.visible; implicitWidth: 1; implicitHeight: 1 }
                FieldError { id: statusError; Layout.fillWidth: true; message: page.err("status") }

                Label { text: qsTr("Capacity"); color: Theme.text }
                SpinBox {
                    objectName: "capacityBox"
                    from: 0
                    to: 2147483647
                    editable: true
                    value: page.editor.capacity
                    onValueModified: {
                        page.editor.capacity = value
                        page.editor.validate()
                    }
                }
                Item { visible: capacityError.visible; implicitWidth: 1; implicitHeight: 1 }
                FieldError { id: capacityError; Layout.fillWidth: true; message: page.err("capacity") }

                Label { text: qsTr("Session TTL (s)"); color: Theme.text }
                SpinBox {
                    objectName: "ttlBox"
                    from: 0
                    to: 2147483647
                    editable: true
                    value: page.editor.ttlSec
                    onValueModified: {
                        page.editor.ttlSec = value
                        page.editor.validate()
                    }
                }
                Item { visible: ttlSecError.visible; implicitWidth: 1; implicitHeight: 1 }
                FieldError { id: ttlSecError; Layout.fillWidth: true; message: page.err("ttlSec") }

                Label { text: qsTr("Tags"); color: Theme.text; Layout.alignment: Qt.AlignTop }
                ColumnLayout {
                    Layout.fillWidth: true
                    Flow {
                        Layout.fillWidth: true
                        spacing: 4
                        Repeater {
                            model: page.editor.tags
                            delegate: Button {
                                required property string modelData
                                required property int index
                                text: modelData + "  ×"
                                flat: true
                                ToolTip.visible: hovered
                                ToolTip.text: qsTr("Remove this tag")
                                onClicked: Editors.room.removeTag(index)
                            }
                        }
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        TextField {
                            id: tagField
                            objectName: "tagField"
                            Layout.fillWidth: true
                            placeholderText: qsTr("New tag, Enter to add")
                            onAccepted: addTag.clicked()
                        }
                        Button {
                            id: addTag
                            text: qsTr("Add tag")
                            enabled: tagField.text.trim() !== ""
                            onClicked: {
                                page.editor.addTag(tagField.text)
                                tagField.text = ""
                                page.editor.validate()
                            }
                        }
                    }
                }
                Item { visible: tagsError.visible; implicitWidth: 1; implicitHeight: 1 }
                FieldError { id: tagsError; Layout.fillWidth: true; message: page.err("tags") }

                Label { text: qsTr("Attributes"); color: Theme.text; Layout.alignment: Qt.AlignTop }
                ColumnLayout {
                    objectName: "attributesTable"
                    Layout.fillWidth: true
                    Repeater {
                        // The row count only (an int property notifies only when it changes):
                        // committing a key or value changes the list, which must not rebuild the
                        // rows, or the field being typed in would lose its focus.
                        model: page.attributeCount
                        delegate: RowLayout {
                            id: attributeRow
                            required property int index
                            readonly property var entry: Editors.room.attributes[attributeRow.index] || ({ key: "", value: "" })
                            Layout.fillWidth: true
                            TextField {
                                id: keyField
                                objectName: "attributeKey"
                                Layout.preferredWidth: 180
                                placeholderText: qsTr("key")
                                text: attributeRow.entry.key
                                onEditingFinished: Editors.room.setAttribute(attributeRow.index, keyField.text, valueField.text)
                            }
                            TextField {
                                id: valueField
                                objectName: "attributeValue"
                                Layout.fillWidth: true
                                placeholderText: qsTr("value")
                                text: attributeRow.entry.value
                                onEditingFinished: Editors.room.setAttribute(attributeRow.index, keyField.text, valueField.text)
                            }
                            Button {
                                text: "×"
                                flat: true
                                onClicked: Editors.room.removeAttribute(attributeRow.index)
                            }
                        }
                    }
                    Button {
                        objectName: "addAttribute"
                        text: qsTr("Add attribute")
                        flat: true
                        onClicked: page.editor.addAttribute()
                    }
                }
                Item { visible: attributesError.visible; implicitWidth: 1; implicitHeight: 1 }
                FieldError { id: attributesError; Layout.fillWidth: true; message: page.err("attributes") }

                Item { visible: editorMessage.visible; implicitWidth: 1; implicitHeight: 1 }
                FieldError {
                    id: editorMessage
                    objectName: "editorMessage"
                    Layout.fillWidth: true
                    message: page.editor.message
                }

                Item { implicitWidth: 1; implicitHeight: 1 }
                RowLayout {
                    spacing: Theme.spacing
                    Button {
                        objectName: "saveRoom"
                        text: page.editor.creating ? qsTr("Create room") : qsTr("Save (Ctrl+S)")
                        highlighted: true
                        enabled: !page.editor.busy
                        onClicked: page.editor.save()
                    }
                    Button {
                        objectName: "deleteRoom"
                        text: qsTr("Delete…")
                        visible: !page.editor.creating
                        enabled: !page.editor.busy
                        onClicked: deleteDialog.open()
                    }
                    Button {
                        text: qsTr("Cancel")
                        flat: true
                        onClicked: Editors.close()
                    }
                }
            }
        }
    }

    Dialog {
        id: deleteDialog
        objectName: "deleteDialog"
        anchors.centerIn: parent
        modal: true
        title: qsTr("Delete room %1?").arg(page.editor.code)
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
            text: qsTr("It disappears from every list and its code becomes free for a new room.")
            wrapMode: Text.Wrap
        }
        onAccepted: page.editor.remove()
    }

    ConflictDialog {
        id: conflictDialog
        anchors.centerIn: parent
        what: qsTr("room")
        diff: page.editor.conflictDiff
        onReloadRequested: page.editor.reload()
        onOverwriteRequested: page.editor.overwrite()
    }
}
