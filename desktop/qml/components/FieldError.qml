import QtQuick
import QtQuick.Controls
import Spidi.Ui

// The message under a form field: the client-side check or the server's problem for it.
Label {
    property string message: ""

    visible: message !== ""
    text: message
    color: Theme.critical
    font.pixelSize: Theme.fontSmall
    wrapMode: Text.Wrap
}
