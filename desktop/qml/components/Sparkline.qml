import QtQuick
import Spidi.Ui

// Online sessions over the last `windowMs` as a step line: `points` are {x: ms since epoch,
// y: online}, oldest first; the last value extends to `windowEnd`.
Canvas {
    id: spark

    property var points: []
    property real windowEnd: Date.now()
    property real windowMs: 15 * 60 * 1000
    property real maxValue: 1
    property color lineColor: Theme.accent

    onPointsChanged: requestPaint()
    onWindowEndChanged: requestPaint()
    onLineColorChanged: requestPaint()
    onWidthChanged: requestPaint()
    onHeightChanged: requestPaint()

    onPaint: {
        const ctx = getContext("2d")
        ctx.reset()
        const pts = spark.points
        // Not an array (a ListModel's nested list) or empty: nothing to draw.
        if (!pts || !(pts.length > 0) || width <= 0 || height <= 0)
            return
        let top = Math.max(1, spark.maxValue)
        for (let i = 0; i < pts.length; ++i)
            top = Math.max(top, pts[i].y)
        // Server and local clocks differ a little: the newest point is never past the end.
        const end = Math.max(spark.windowEnd, pts[pts.length - 1].x)
        const start = end - spark.windowMs
        const xOf = t => Math.max(0, (t - start) / spark.windowMs * width)
        const yOf = v => height - 1 - v / top * (height - 2)
        ctx.strokeStyle = spark.lineColor
        ctx.lineWidth = 1.5
        ctx.beginPath()
        ctx.moveTo(xOf(pts[0].x), yOf(pts[0].y))
        for (let j = 1; j < pts.length; ++j) {
            ctx.lineTo(xOf(pts[j].x), yOf(pts[j - 1].y))
            ctx.lineTo(xOf(pts[j].x), yOf(pts[j].y))
        }
        ctx.lineTo(width, yOf(pts[pts.length - 1].y))
        ctx.stroke()
    }
}
