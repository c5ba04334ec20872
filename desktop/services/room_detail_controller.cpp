#include "room_detail_controller.h"

#include "connection_service.h"
#include "desktop_logging.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTimeZone>
#include <QUrlQuery>

#include <cmath>

namespace spidi::desktop {

namespace {

QString topicFor(const QString &code, const char *what)
{
    return QStringLiteral("room/%1/%2").arg(code, QLatin1String(what));
}

QString detailOf(const QVariantMap &problem)
{
    return problem.value(QStringLiteral("detail")).toString();
}

// GET /rooms/{code}/stats parameters for [from, to) in buckets of `bucket`.
QUrlQuery statsQuery(const QDateTime &from, const QDateTime &to, const QString &bucket)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("from"), from.toString(Qt::ISODateWithMs));
    query.addQueryItem(QStringLiteral("to"), to.toString(Qt::ISODateWithMs));
    query.addQueryItem(QStringLiteral("bucket"), bucket);
    return query;
}

} // namespace

RoomDetailController::RoomDetailController(QObject *parent)
    : QObject(parent), m_roster(new RosterModel(this)), m_fleet(new FleetBreakdown(m_roster, this)),
      m_metrics(new MetricsHistory(this))
{}

RoomDetailController::~RoomDetailController()
{
    m_active = false;
    updateSubscription();
}

void RoomDetailController::setConnection(ConnectionService *connection)
{
    if (m_connection == connection)
        return;
    const bool wasActive = m_active;
    m_active = false;
    updateSubscription();
    if (m_connection)
        m_connection->disconnect(this);
    m_connection = connection;
    if (connection) {
        connect(connection, &ConnectionService::messageReceived, this,
                &RoomDetailController::onMessage);
        connect(connection, &QObject::destroyed, this, [this] { m_subscribedCode.clear(); });
        // Back after an outage: the minutes the live charts missed come from the stats API.
        connect(connection, &ConnectionService::stateChanged, this, [this] {
            if (m_connection->state() == ConnectionService::Connected &&
                !m_subscribedCode.isEmpty())
                loadRecentHistory();
        });
    }
    m_active = wasActive;
    updateSubscription();
    Q_EMIT connectionChanged();
}

void RoomDetailController::setRoomCode(const QString &code)
{
    if (m_roomCode == code)
        return;
    m_roomCode = code;
    updateSubscription();
    Q_EMIT roomCodeChanged();
}

void RoomDetailController::setActive(bool active)
{
    if (m_active == active)
        return;
    m_active = active;
    updateSubscription();
    Q_EMIT activeChanged();
}

void RoomDetailController::updateSubscription()
{
    const QString wanted = m_active && m_connection ? m_roomCode : QString();
    if (wanted == m_subscribedCode)
        return;
    if (!m_subscribedCode.isEmpty() && m_connection) {
        m_connection->unsubscribeTopic(topicFor(m_subscribedCode, "roster"));
        m_connection->unsubscribeTopic(topicFor(m_subscribedCode, "metrics"));
    }
    m_subscribedCode = wanted;
    // Another room (or none): what was shown belongs to the old one.
    m_roster->clear();
    m_metrics->clear();
    m_live.clear();
    Q_EMIT liveChanged();
    setRosterLoaded(false);
    if (m_removed) {
        m_removed = false;
        Q_EMIT removedChanged();
    }
    if (!wanted.isEmpty()) {
        m_connection->subscribeTopic(topicFor(wanted, "roster"));
        m_connection->subscribeTopic(topicFor(wanted, "metrics"));
        loadRecentHistory();
    }
}

void RoomDetailController::loadRecentHistory()
{
    ++m_recentRequest; // an answer for a room no longer shown is dropped
    if (!m_connection || !m_connection->configured())
        return;
    const QDateTime to = QDateTime::currentDateTimeUtc();
    const QUrlQuery query =
        statsQuery(to.addMSecs(-MetricsHistory::WindowMs), to, QStringLiteral("MINUTE"));
    const quint64 request = m_recentRequest;
    QPointer<RoomDetailController> self(this);
    m_connection->rest()->get(
        roomPath(QStringLiteral("/stats")), query, [self, request](const RestResult &result) {
            if (!self || request != self->m_recentRequest)
                return;
            int minutes = 0;
            if (result.ok()) {
                minutes = self->m_metrics->backfill(
                    result.object().value(QLatin1String("items")).toArray(),
                    QDateTime::currentMSecsSinceEpoch());
            } else {
                // The live charts still fill from ROOM_METRICS; only their start is missing.
                qCWarning(lcDesktop).noquote() << "room.recent_stats_failed"
                                               << "status=" + QString::number(result.status)
                                               << "detail=" + detailOf(result.problem);
            }
            Q_EMIT self->recentHistoryLoaded(result.status, minutes);
        });
}

void RoomDetailController::onMessage(const QString &type, const QJsonObject &message)
{
    if (m_subscribedCode.isEmpty() ||
        message.value(QLatin1String("roomCode")).toString() != m_subscribedCode)
        return;
    if (type == QLatin1String("ROOM_ROSTER")) {
        m_roster->applySnapshot(message);
        setRosterLoaded(true);
    } else if (type == QLatin1String("ROOM_ROSTER_DIFF")) {
        m_roster->applyDiff(message);
    } else if (type == QLatin1String("ROOM_METRICS")) {
        m_metrics->apply(message);
        m_live = message.toVariantMap();
        Q_EMIT liveChanged();
    } else if (type == QLatin1String("ROOM_REMOVED") && !m_removed) {
        m_removed = true;
        Q_EMIT removedChanged();
    }
}

void RoomDetailController::setRosterLoaded(bool loaded)
{
    if (m_rosterLoaded == loaded)
        return;
    m_rosterLoaded = loaded;
    Q_EMIT rosterLoadedChanged();
}

QString RoomDetailController::roomPath(const QString &suffix) const
{
    return QStringLiteral("/api/v1/rooms/%1%2")
        .arg(QString::fromLatin1(QUrl::toPercentEncoding(m_roomCode)), suffix);
}

QString RoomDetailController::bucketFor(HistoryRange range)
{
    switch (range) {
    case LastHour:
        return QStringLiteral("MINUTE");
    case LastDay:
    case LastWeek:
        return QStringLiteral("HOUR");
    case LastMonth:
        return QStringLiteral("DAY");
    }
    return QStringLiteral("MINUTE");
}

qint64 RoomDetailController::rangeMs(HistoryRange range)
{
    constexpr qint64 hour = 3600 * 1000;
    switch (range) {
    case LastHour:
        return hour;
    case LastDay:
        return 24 * hour;
    case LastWeek:
        return 7 * 24 * hour;
    case LastMonth:
        return 30 * 24 * hour;
    }
    return hour;
}

double RoomDetailController::historyMaxLatency() const
{
    return std::max(MetricsHistory::maxY(m_histAvg), MetricsHistory::maxY(m_histP95));
}

void RoomDetailController::loadHistory(HistoryRange range)
{
    m_range = range;
    const QDateTime to = QDateTime::currentDateTimeUtc();
    const QDateTime from = to.addMSecs(-rangeMs(range));
    m_historyFrom = double(from.toMSecsSinceEpoch());
    m_historyTo = double(to.toMSecsSinceEpoch());
    if (!m_connection || !m_connection->configured() || m_roomCode.isEmpty()) {
        Q_EMIT historyChanged();
        return;
    }
    m_historyLoading = true;
    m_historyError.clear();
    Q_EMIT historyChanged();
    const QUrlQuery query = statsQuery(from, to, bucketFor(range));
    const quint64 request = ++m_historyRequest;
    QPointer<RoomDetailController> self(this);
    m_connection->rest()->get(
        roomPath(QStringLiteral("/stats")), query, [self, request](const RestResult &result) {
            if (!self || request != self->m_historyRequest)
                return;
            self->m_historyLoading = false;
            self->m_historyStatus = result.status;
            self->m_histOnline.clear();
            self->m_histAvg.clear();
            self->m_histP95.clear();
            if (!result.ok()) {
                self->m_historyError = detailOf(result.problem);
            } else {
                const QJsonObject o = result.object();
                self->m_historyBucket = o.value(QLatin1String("bucket")).toString();
                const auto buckets =
                    MetricsHistory::parseBuckets(o.value(QLatin1String("items")).toArray());
                for (const MetricsHistory::Bucket &b : buckets) {
                    self->m_histOnline.append(QPointF(b.startMs, b.online));
                    if (!std::isnan(b.avgLatencyMs))
                        self->m_histAvg.append(QPointF(b.startMs, b.avgLatencyMs));
                    if (!std::isnan(b.p95LatencyMs))
                        self->m_histP95.append(QPointF(b.startMs, b.p95LatencyMs));
                }
            }
            Q_EMIT self->historyChanged();
        });
}

void RoomDetailController::updateHistorySeries(QAbstractSeries *online, QAbstractSeries *avg,
                                               QAbstractSeries *p95) const
{
    MetricsHistory::replaceSeries(online, m_histOnline);
    MetricsHistory::replaceSeries(avg, m_histAvg);
    MetricsHistory::replaceSeries(p95, m_histP95);
}

QString RoomDetailController::isoInstant(const QString &text)
{
    const QString t = text.trimmed();
    QDateTime dt = QDateTime::fromString(t, Qt::ISODateWithMs);
    if (!dt.isValid())
        dt = QDateTime::fromString(t, QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    if (!dt.isValid())
        dt = QDateTime::fromString(t, QStringLiteral("yyyy-MM-dd HH:mm"));
    if (!dt.isValid())
        return {};
    return dt.toUTC().toString(Qt::ISODateWithMs);
}

bool RoomDetailController::loadRosterAt(const QString &at)
{
    const QString iso = isoInstant(at);
    if (iso.isEmpty()) {
        m_pointInTimeError =
            QStringLiteral("Not a date and time: use 2026-11-23 10:15 or ISO 8601");
        Q_EMIT pointInTimeChanged();
        return false;
    }
    if (!m_connection || !m_connection->configured() || m_roomCode.isEmpty())
        return false;
    m_pointInTimeLoading = true;
    m_pointInTimeError.clear();
    Q_EMIT pointInTimeChanged();
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("at"), iso);
    const quint64 request = ++m_pointInTimeRequest;
    QPointer<RoomDetailController> self(this);
    m_connection->rest()->get(
        roomPath(QStringLiteral("/roster")), query, [self, request](const RestResult &result) {
            if (!self || request != self->m_pointInTimeRequest)
                return;
            self->m_pointInTimeLoading = false;
            self->m_pointInTime.clear();
            if (!result.ok()) {
                self->m_pointInTimeError = detailOf(result.problem);
            } else {
                const QJsonArray items = result.object().value(QLatin1String("items")).toArray();
                for (const QJsonValue &v : items)
                    self->m_pointInTime.append(v.toObject().toVariantMap());
            }
            Q_EMIT self->pointInTimeChanged();
        });
    return true;
}

void RoomDetailController::finishAction(const QString &action, bool ok, const QVariantMap &problem)
{
    m_actionPending = false;
    m_actionError = ok ? QString() : detailOf(problem);
    Q_EMIT actionStateChanged();
    Q_EMIT actionFinished(action, ok, m_actionError);
}

void RoomDetailController::kick(const QString &sessionId)
{
    if (!m_connection || sessionId.isEmpty())
        return;
    m_actionPending = true;
    m_actionError.clear();
    Q_EMIT actionStateChanged();
    QPointer<RoomDetailController> self(this);
    m_connection->rest()->deleteResource(
        QStringLiteral("/api/v1/sessions/") +
            QString::fromLatin1(QUrl::toPercentEncoding(sessionId)),
        [self](const RestResult &result) {
            if (self)
                self->finishAction(QStringLiteral("kick"), result.ok(), result.problem);
        });
}

void RoomDetailController::setMaintenance(bool on)
{
    if (!m_connection || m_roomCode.isEmpty())
        return;
    m_actionPending = true;
    m_actionError.clear();
    Q_EMIT actionStateChanged();
    QPointer<RoomDetailController> self(this);
    m_connection->rest()->post(roomPath(QStringLiteral("/maintenance")),
                               {{QStringLiteral("enabled"), on}}, [self](const RestResult &result) {
                                   if (self)
                                       self->finishAction(QStringLiteral("maintenance"),
                                                          result.ok(), result.problem);
                               });
}

} // namespace spidi::desktop
