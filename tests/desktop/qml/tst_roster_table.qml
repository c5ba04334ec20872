import QtQuick
import QtTest
import Spidi.Ui

// RosterTable over a RosterFilterModel of a RoomDetailController's roster (filled here with a
// ROOM_ROSTER and a ROOM_ROSTER_DIFF, no server): one row per session, sorted by the clicked
// column (again: reversed), searchable, following diffs.
TestCase {
    id: testCase

    name: "RosterTable"
    when: windowShown
    width: 1100
    height: 400
    visible: true

    RoomDetailController {
        id: controller
    }
    RosterFilterModel {
        id: proxy
        sourceModel: controller.roster
    }
    Component {
        id: tableComponent
        RosterTable {
            width: 1100
            height: 360
            model: proxy
        }
    }

    function session(id, user, device, os, latency) {
        return { sessionId: id, userId: user, device: device, os: os, appVersion: "2.4",
                 ip: "10.0.0." + id.length, latencyMs: latency, connectedAt: 1795000000000,
                 lastHeartbeatAt: 1795000000000 }
    }

    function init() {
        proxy.search = ""
        proxy.sortColumnRole = RosterModel.UserIdRole
        proxy.descending = false
        controller.roster.applySnapshot({ type: "ROOM_ROSTER", roomCode: "R", users: [
            { userId: "carol", sessions: [session("s3", "carol", "ThinkPad", "Linux", 50)] },
            { userId: "alice", sessions: [session("s1", "alice", "Pixel 8", "Android 14", 80)] },
            { userId: "bob", sessions: [session("s2", "bob", "iPad", "iPadOS 17", 20)] }] })
    }

    function userAt(table, row) {
        // The view lays out model changes at its next polish: callers retry (tryVerify).
        const item = table.view.itemAtIndex(row)
        return item === null ? "" : item.userId
    }

    function test_rowsAndSorting() {
        const table = createTemporaryObject(tableComponent, testCase)
        verify(table !== null)
        tryCompare(table.view, "count", 3)
        tryVerify(() => userAt(table, 0) === "alice")
        compare(userAt(table, 2), "carol")

        // Click "Latency" (column 5): ascending, then again: descending.
        const header = findChild(table, "rosterHeader")
        let x = 0
        for (let i = 0; i < 5; ++i)
            x += RoomDetailState.columnWidths[i]
        mouseClick(header, x + 10, 14)
        compare(proxy.sortColumnRole, RosterModel.LatencyMsRole)
        tryVerify(() => userAt(table, 0) === "bob" && userAt(table, 2) === "alice")
        mouseClick(header, x + 10, 14)
        verify(proxy.descending)
        tryVerify(() => userAt(table, 0) === "alice")
    }

    function test_searchAndDiffs() {
        const table = createTemporaryObject(tableComponent, testCase)
        proxy.search = "ipad"
        tryCompare(table.view, "count", 1)
        tryVerify(() => userAt(table, 0) === "bob")
        proxy.search = ""
        controller.roster.applyDiff({ type: "ROOM_ROSTER_DIFF", roomCode: "R",
                                      joins: [session("s4", "aaron", "Mac", "macOS", 10)],
                                      leaves: ["s3"], updates: [] })
        tryCompare(table.view, "count", 3)
        tryVerify(() => userAt(table, 0) === "aaron")
        verify(userAt(table, 1) !== "carol" && userAt(table, 2) !== "carol")
        compare(controller.fleet.total, 3)
        verify(findChild(table, "rosterEmpty").visible === false)
    }
}
