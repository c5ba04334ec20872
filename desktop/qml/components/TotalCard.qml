import QtQuick
import QtQuick.Layouts
import Spidi.Ui

// One figure of the dashboard's totals row.
Rectangle {
    id: card

    required property string label
    required property int value
    property color accent: Theme.text

    implicitWidth: 160
    implicitHeight: column.implicitHeight + 2 * Theme.padding
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.border

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: Theme.padding
        spacing: 2

        Text {
            text: Number(card.value).toLocaleString(Qt.locale(), "f", 0)
            color: card.accent
            font.pixelSize: Theme.fontHuge
            font.bold: true
        }
        Text {
            text: card.label
            color: Theme.textMuted
            font.pixelSize: Theme.fontSmall
        }
    }
}
