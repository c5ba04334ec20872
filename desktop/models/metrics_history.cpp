#include "metrics_history.h"

#include <QDateTime>
#include <QtCharts/QXYSeries>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

namespace spidi::desktop {

MetricsHistory::MetricsHistory(QObject *parent) : QObject(parent) {}

void MetricsHistory::put(QList<QPointF> &points, double second, double value, double oldest)
{
    if (!points.isEmpty() && points.constLast().x() >= second) {
        if (points.constLast().x() == second)
            points.last().setY(value);
        // An older second than the newest point: out of order, dropped.
    } else {
        points.append(QPointF(second, value));
    }
    qsizetype drop = 0;
    while (drop < points.size() && points.at(drop).x() < oldest)
        ++drop;
    if (drop > 0)
        points.remove(0, drop);
}

void MetricsHistory::apply(const QJsonObject &metrics)
{
    double ts = metrics.value(QLatin1String("ts")).toDouble();
    if (ts <= 0)
        ts = double(QDateTime::currentMSecsSinceEpoch());
    const double second = std::floor(ts / double(StepMs)) * double(StepMs);
    if (second < m_lastLive)
        return; // older than the newest live point
    // Backfilled minute points after it were estimates (a console clock ahead of the
    // server's can place one there): the live point wins.
    for (QList<QPointF> *points : {&m_online, &m_avg, &m_p95})
        while (!points->isEmpty() && points->constLast().x() > second)
            points->removeLast();
    m_lastLive = second;
    const double oldest = second - double(WindowMs);
    put(m_online, second, metrics.value(QLatin1String("online")).toDouble(), oldest);
    const QJsonValue avg = metrics.value(QLatin1String("avgLatencyMs"));
    const QJsonValue p95 = metrics.value(QLatin1String("p95LatencyMs"));
    if (avg.isDouble())
        put(m_avg, second, avg.toDouble(), oldest);
    if (p95.isDouble())
        put(m_p95, second, p95.toDouble(), oldest);
    // Latency series trimmed too when this message had no latency.
    trim(oldest);
    Q_EMIT changed();
}

void MetricsHistory::trim(double oldest)
{
    for (QList<QPointF> *points : {&m_online, &m_avg, &m_p95}) {
        qsizetype drop = 0;
        while (drop < points->size() && points->at(drop).x() < oldest)
            ++drop;
        if (drop > 0)
            points->remove(0, drop);
    }
}

QList<MetricsHistory::Bucket> MetricsHistory::parseBuckets(const QJsonArray &items)
{
    const auto orNan = [](const QJsonValue &v) {
        return v.isDouble() ? v.toDouble() : std::numeric_limits<double>::quiet_NaN();
    };
    QList<Bucket> buckets;
    buckets.reserve(items.size());
    for (const QJsonValue &v : items) {
        const QJsonObject o = v.toObject();
        const QDateTime start =
            QDateTime::fromString(o.value(QLatin1String("ts")).toString(), Qt::ISODateWithMs);
        const QJsonValue online = o.value(QLatin1String("onlineAvg"));
        if (!start.isValid() || !online.isDouble())
            continue;
        buckets.append({double(start.toMSecsSinceEpoch()), online.toDouble(),
                        orNan(o.value(QLatin1String("latencyAvgMs"))),
                        orNan(o.value(QLatin1String("latencyP95Ms")))});
    }
    return buckets;
}

int MetricsHistory::backfill(const QJsonArray &minuteBuckets, qint64 now)
{
    // Seconds already covered by a point: a minute with one is left to the live data.
    const auto covered = [this](double startMs) {
        const auto from = std::lower_bound(m_online.cbegin(), m_online.cend(), startMs,
                                           [](const QPointF &p, double x) { return p.x() < x; });
        return from != m_online.cend() && from->x() < startMs + double(MinuteMs);
    };
    QList<QPointF> online;
    QList<QPointF> avg;
    QList<QPointF> p95;
    for (const Bucket &bucket : parseBuckets(minuteBuckets)) {
        // The minute in progress is averaged over its whole length by the server: not yet.
        if (bucket.startMs + double(MinuteMs) > double(now) || covered(bucket.startMs))
            continue;
        const double x = bucket.startMs + double(MinuteMs / 2);
        online.append(QPointF(x, bucket.online));
        if (!std::isnan(bucket.avgLatencyMs))
            avg.append(QPointF(x, bucket.avgLatencyMs));
        if (!std::isnan(bucket.p95LatencyMs))
            p95.append(QPointF(x, bucket.p95LatencyMs));
    }
    if (online.isEmpty())
        return 0;
    const auto byX = [](const QPointF &a, const QPointF &b) { return a.x() < b.x(); };
    const int added = int(online.size());
    const auto merge = [&byX](QList<QPointF> &points, QList<QPointF> &more) {
        std::sort(more.begin(), more.end(), byX);
        QList<QPointF> merged;
        merged.reserve(points.size() + more.size());
        std::merge(points.cbegin(), points.cend(), more.cbegin(), more.cend(),
                   std::back_inserter(merged), byX);
        points = std::move(merged);
    };
    merge(m_online, online);
    merge(m_avg, avg);
    merge(m_p95, p95);
    // Until the first live point, the window ends now rather than at the last full minute.
    m_backfilledAt = std::max(m_backfilledAt, double(now));
    trim(windowEnd() - double(WindowMs));
    Q_EMIT changed();
    return added;
}

void MetricsHistory::clear()
{
    m_online.clear();
    m_avg.clear();
    m_p95.clear();
    m_backfilledAt = 0;
    m_lastLive = 0;
    Q_EMIT changed();
}

double MetricsHistory::windowEnd() const
{
    if (m_online.isEmpty())
        return double(QDateTime::currentMSecsSinceEpoch());
    return std::max(m_online.constLast().x(), m_backfilledAt);
}

double MetricsHistory::maxY(const QList<QPointF> &points)
{
    double m = 0;
    for (const QPointF &p : points)
        m = std::max(m, p.y());
    return m;
}

double MetricsHistory::maxOnline() const
{
    return maxY(m_online);
}

double MetricsHistory::maxLatency() const
{
    return std::max(maxY(m_avg), maxY(m_p95));
}

void MetricsHistory::replaceSeries(QAbstractSeries *series, const QList<QPointF> &points)
{
    if (auto *xy = qobject_cast<QXYSeries *>(series))
        xy->replace(points);
}

void MetricsHistory::updateSeries(QAbstractSeries *online, QAbstractSeries *avg,
                                  QAbstractSeries *p95) const
{
    replaceSeries(online, m_online);
    replaceSeries(avg, m_avg);
    replaceSeries(p95, m_p95);
}

} // namespace spidi::desktop
