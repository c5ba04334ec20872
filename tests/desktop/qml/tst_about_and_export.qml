import QtQuick
import QtQuick.Controls
import QtTest
import Spidi.Ui

// The About box shows this build's version and Qt's, and no server while not connected; the
// export dialog suggests a file named after the room in the right folder and type; a Notice
// shows a message and its outcome.
TestCase {
    id: testCase

    name: "AboutAndExport"
    when: windowShown
    width: 800
    height: 600
    visible: true

    Component {
        id: aboutComponent
        AboutDialog {}
    }
    Component {
        id: exportComponent
        ExportDialog {
            parentWindow: testCase.Window.window
        }
    }
    Component {
        id: noticeComponent
        Notice {}
    }
    Rectangle {
        id: target
        width: 100
        height: 50
        color: "orange"
    }

    function test_about() {
        const about = createTemporaryObject(aboutComponent, testCase)
        verify(about !== null)
        about.open()
        tryCompare(about, "opened", true)
        const version = findChild(about.contentItem, "aboutVersion")
        verify(version.text.indexOf(AppInfo.version) >= 0)
        verify(AppInfo.version.length > 0)
        verify(findChild(about.contentItem, "aboutQt").text.indexOf(AppInfo.qtRuntimeVersion) >= 0)
        compare(findChild(about.contentItem, "aboutServer").text, "not connected")
        about.close()
        tryCompare(about, "visible", false)
    }

    function test_exportDialogSuggestsAName() {
        const dialog = createTemporaryObject(exportComponent, testCase)
        verify(dialog !== null)
        dialog.exportItem(target, "spidi-LOBBY-online")
        verify(!dialog.csv)
        compare(dialog.defaultSuffix, "png")
        const png = "" + dialog.selectedFile
        verify(png.indexOf("/spidi-LOBBY-online-") > 0, png)
        verify(png.endsWith(".png"), png)
        // Qt Quick's own dialog (no native one here): open, the name in its file name field.
        tryCompare(dialog, "visible", true)
        const nameField = findChild(testCase.Overlay.overlay, "fileNameTextField")
        verify(nameField !== null)
        compare(nameField.text, png.substring(png.lastIndexOf("/") + 1))
        dialog.close()
        dialog.exportRows(null, "spidi-LOBBY-roster")
        verify(dialog.csv)
        compare(dialog.defaultSuffix, "csv")
        const csv = "" + dialog.selectedFile
        verify(csv.indexOf("/spidi-LOBBY-roster-") > 0, csv)
        verify(csv.endsWith(".csv"), csv)
        dialog.close()
    }

    function test_notice() {
        const notice = createTemporaryObject(noticeComponent, testCase)
        notice.show("Image saved to /tmp/x.png", true)
        tryCompare(notice, "opened", true)
        compare(notice.message, "Image saved to /tmp/x.png")
        verify(notice.ok)
        notice.show("Cannot write /nope", false)
        verify(!notice.ok)
        notice.close()
    }
}
