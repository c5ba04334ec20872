pragma Singleton
import QtQml

// Wall-clock time for views that show "the last N minutes", advanced every 10 s (the
// sparklines' resolution) so that rooms without updates move on too.
QtObject {
    id: clock

    property real now: Date.now()

    readonly property Timer ticker: Timer {
        interval: 10000
        running: true
        repeat: true
        onTriggered: clock.now = Date.now()
    }
}
