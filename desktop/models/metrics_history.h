#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointF>

#include <QtCharts/QAbstractSeries>

namespace spidi::desktop {

// The live charts of the room page: the last 15 minutes of ROOM_METRICS of one room (online
// sessions, average and p95 latency), at most one point per second (the server's `ts`, floored
// to the second; a later message in the same second replaces that second's point). Points are
// QPointF(x = ms since epoch, y). QML Qt Charts series get them through updateSeries(), which
// calls QXYSeries::replace() once per series (one repaint, no clear + append).
class MetricsHistory : public QObject
{
    Q_OBJECT
    Q_PROPERTY(int count READ count NOTIFY changed)
    // The window's ends (ms since epoch): the newest point's second (or the time of a backfill
    // before any live point) and 15 minutes before.
    Q_PROPERTY(double windowStart READ windowStart NOTIFY changed)
    Q_PROPERTY(double windowEnd READ windowEnd NOTIFY changed)
    // Highest values in the window (for the axes), 0 when there is none.
    Q_PROPERTY(double maxOnline READ maxOnline NOTIFY changed)
    Q_PROPERTY(double maxLatency READ maxLatency NOTIFY changed)

public:
    static constexpr qint64 WindowMs = 15 * 60 * 1000;
    static constexpr qint64 StepMs = 1000;

    explicit MetricsHistory(QObject *parent = nullptr);

    static constexpr qint64 MinuteMs = 60 * 1000;

    // A ROOM_METRICS message of the room. Latencies that are null add no latency point.
    void apply(const QJsonObject &metrics);
    // Minutes without live points, from the stats API's MINUTE buckets (`items` of
    // GET /rooms/{code}/stats: ts, onlineAvg, latencyAvgMs, latencyP95Ms): the 15 minutes before
    // the page opened, and a gap while the connection was down. A bucket becomes one point in
    // the middle of its minute when the minute is over (before `now`) and no point lies in it
    // yet: what the live points cover stays theirs. Returns how many online points were added.
    int backfill(const QJsonArray &minuteBuckets, qint64 now);
    void clear();

    int count() const { return int(m_online.size()); }
    double windowStart() const { return windowEnd() - double(WindowMs); }
    double windowEnd() const;
    double maxOnline() const;
    double maxLatency() const;

    const QList<QPointF> &online() const { return m_online; }
    const QList<QPointF> &avgLatency() const { return m_avg; }
    const QList<QPointF> &p95Latency() const { return m_p95; }

    // One bucket of GET /rooms/{code}/stats (`items`: ts, onlineAvg, latencyAvgMs,
    // latencyP95Ms) as chart values; latencies are NaN when the bucket had no report.
    struct Bucket
    {
        double startMs = 0;
        double online = 0;
        double avgLatencyMs = 0;
        double p95LatencyMs = 0;
    };
    // The readable buckets of a stats answer, in its order (unreadable ones are skipped).
    static QList<Bucket> parseBuckets(const QJsonArray &items);

    // Replaces the points of the three QXYSeries (QML LineSeries and the like; null or a
    // series that is not an XY series is skipped).
    Q_INVOKABLE void updateSeries(QAbstractSeries *online, QAbstractSeries *avg,
                                  QAbstractSeries *p95) const;

    // Helpers shared with the history chart: replace a series' points; the highest y.
    static void replaceSeries(QAbstractSeries *series, const QList<QPointF> &points);
    static double maxY(const QList<QPointF> &points);

Q_SIGNALS:
    void changed();

private:
    static void put(QList<QPointF> &points, double second, double value, double oldest);
    void trim(double oldest);

    QList<QPointF> m_online;
    QList<QPointF> m_avg;
    QList<QPointF> m_p95;
    double m_backfilledAt = 0; // `now` of the last backfill() (ms since epoch), 0 before
    double m_lastLive = 0;     // second of the newest ROOM_METRICS applied, 0 before
};

} // namespace spidi::desktop
