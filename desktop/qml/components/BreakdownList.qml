import QtQuick
import QtQuick.Layouts
import Spidi.Ui

// A small bar list (label, count, bar by share): one of FleetBreakdown's lists.
ColumnLayout {
    id: box

    required property string title
    required property var entries

    spacing: 4

    Text {
        text: box.title
        font.bold: true
        color: Theme.text
    }
    Repeater {
        model: box.entries
        delegate: RowLayout {
            id: entry
            required property var modelData
            Layout.fillWidth: true
            spacing: Theme.spacing
            Text {
                Layout.preferredWidth: 120
                elide: Text.ElideRight
                color: Theme.text
                font.pixelSize: Theme.fontSmall
                text: entry.modelData.label
            }
            Rectangle {
                Layout.preferredWidth: Math.max(2, 120 * entry.modelData.fraction)
                Layout.preferredHeight: Theme.barHeight
                radius: 2
                color: Theme.accent
            }
            Text {
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall
                text: Number(entry.modelData.count).toLocaleString(Qt.locale(), "f", 0)
            }
        }
    }
    Text {
        visible: box.entries.length === 0
        text: qsTr("No sessions.")
        color: Theme.textMuted
        font.pixelSize: Theme.fontSmall
    }
}
