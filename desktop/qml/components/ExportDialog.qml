import QtQuick
import QtQuick.Dialogs
import Spidi.Ui

// The save dialog of the exports (docs/desktop.md, "Exports"): a PNG of an item (a chart, a
// tile; ImageExporter) or the roster as CSV (CsvExporter), under a suggested name in the
// Pictures or Documents folder. `finished` says how it went, in words.
FileDialog {
    id: dialog

    property Item target: null
    property RosterFilterModel rows: null
    property bool csv: false
    // A PNG grab is on its way (ImageExporter answers asynchronously).
    property bool pending: false

    signal finished(bool ok, string message)

    function exportItem(item: Item, stem: string) {
        dialog.target = item
        dialog.rows = null
        dialog.csv = false
        dialog.ask(ImageExporter.suggestedFile(stem))
    }
    function exportRows(model: RosterFilterModel, stem: string) {
        dialog.target = null
        dialog.rows = model
        dialog.csv = true
        dialog.ask(CsvExporter.suggestedFile(stem))
    }
    function ask(file: url) {
        const path = "" + file
        dialog.currentFolder = path.substring(0, path.lastIndexOf("/"))
        dialog.selectedFile = file
        dialog.open()
    }
    function localPath(file: url): string {
        return decodeURIComponent(("" + file).replace(/^file:\/\//, ""))
    }

    title: dialog.csv ? qsTr("Export the roster as CSV") : qsTr("Export as PNG")
    fileMode: FileDialog.SaveFile
    defaultSuffix: dialog.csv ? "csv" : "png"
    nameFilters: dialog.csv ? [qsTr("CSV files (*.csv)")] : [qsTr("PNG images (*.png)")]

    onAccepted: {
        if (dialog.csv) {
            const ok = CsvExporter.exportRoster(dialog.rows, dialog.selectedFile)
            dialog.finished(ok, ok ? qsTr("Roster saved to %1").arg(dialog.localPath(dialog.selectedFile))
                                   : CsvExporter.lastError)
        } else if (dialog.target) {
            dialog.pending = true
            ImageExporter.exportItem(dialog.target, dialog.selectedFile)
        }
    }

    Connections {
        target: ImageExporter
        enabled: dialog.pending
        function onFinished(ok: bool, file: string, error: string) {
            dialog.pending = false
            dialog.finished(ok, ok ? qsTr("Image saved to %1").arg(file) : error)
        }
    }
}
