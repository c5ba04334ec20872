pragma Singleton
import QtQuick

// The room detail page's navigation and shared state, one per engine (docs/desktop.md#room-detail):
// which room is open (Main.qml shows the page while roomCode is set), the roster table's column
// widths, and the kick request a roster row makes (delegates reach singletons, not page ids:
// Qt 6.4 has no `pragma ComponentBehavior: Bound`).
QtObject {
    property string roomCode: ""
    property string roomName: ""
    property string typeCode: ""

    // user, device, OS, app version, IP, latency, connected since, last heartbeat, action: the
    // one width source of the roster's header cells and row cells (both dates fit in full).
    readonly property list<int> columnWidths: [140, 150, 120, 90, 120, 80, 150, 150, 70]

    signal kickRequested(sessionId: string, label: string)

    function open(code: string, name: string, type: string) {
        roomName = name
        typeCode = type
        roomCode = code
    }
    function close() {
        roomCode = ""
    }
    function requestKick(sessionId: string, label: string) {
        kickRequested(sessionId, label)
    }
}
