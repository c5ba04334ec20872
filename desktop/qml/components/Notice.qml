import QtQuick
import QtQuick.Controls
import Spidi.Ui

// A short message at the bottom of the window (an export saved or refused), gone after a few
// seconds or on a click.
Popup {
    id: notice

    property bool ok: true
    property string message: ""

    function show(message: string, success: bool) {
        notice.message = message
        notice.ok = success
        notice.open()
        hideTimer.restart()
    }

    parent: Overlay.overlay
    x: parent ? (parent.width - width) / 2 : 0
    y: parent ? parent.height - height - 3 * Theme.padding : 0
    padding: Theme.padding
    closePolicy: Popup.CloseOnEscape | Popup.CloseOnPressOutside

    background: Rectangle {
        radius: Theme.radius
        color: Theme.surfaceRaised
        border.color: notice.ok ? Theme.good : Theme.critical
        border.width: 2
    }
    contentItem: Label {
        objectName: "noticeText"
        text: notice.message
        color: Theme.text
        wrapMode: Text.Wrap
        width: Math.min(implicitWidth, 640)
    }

    Timer {
        id: hideTimer
        interval: 6000
        onTriggered: notice.close()
    }
}
