#pragma once

#include "models/fleet_breakdown.h"
#include "models/metrics_history.h"
#include "models/roster_model.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QVariantList>
#include <QVariantMap>

namespace spidi::desktop {

class ConnectionService;

// What the room page needs (docs/desktop.md, "Room detail"): while `active`, it subscribes to
// room/CODE/roster and room/CODE/metrics on the connection's WebSocket (again after every
// reconnect, through ConnectionService) and keeps the roster, the fleet breakdown and the live
// charts current (their first 15 minutes from the stats API's minute buckets); it loads the history
// chart (GET /rooms/{code}/stats), the point-in-time roster (GET /rooms/{code}/roster?at=) and
// performs the admin actions (kick, maintenance). Failures are kept in words (the problem+json
// detail).
class RoomDetailController : public QObject
{
    Q_OBJECT
    Q_PROPERTY(spidi::desktop::ConnectionService *connection READ connection WRITE setConnection
                   NOTIFY connectionChanged)
    Q_PROPERTY(QString roomCode READ roomCode WRITE setRoomCode NOTIFY roomCodeChanged)
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)

    Q_PROPERTY(spidi::desktop::RosterModel *roster READ roster CONSTANT)
    Q_PROPERTY(spidi::desktop::FleetBreakdown *fleet READ fleet CONSTANT)
    Q_PROPERTY(spidi::desktop::MetricsHistory *metrics READ metrics CONSTANT)
    // The newest ROOM_METRICS of the room (roomId, status, online, users, capacity,
    // capacityPct, avgLatencyMs, p95LatencyMs, ts); empty before the first.
    Q_PROPERTY(QVariantMap live READ live NOTIFY liveChanged)
    // A roster snapshot arrived since the subscription.
    Q_PROPERTY(bool rosterLoaded READ rosterLoaded NOTIFY rosterLoadedChanged)
    // The room was deleted (ROOM_REMOVED, by any admin on any instance) while shown: what the
    // page shows is its last state, and no more updates will come.
    Q_PROPERTY(bool removed READ removed NOTIFY removedChanged)

    Q_PROPERTY(HistoryRange historyRange READ historyRange NOTIFY historyChanged)
    Q_PROPERTY(bool historyLoading READ historyLoading NOTIFY historyChanged)
    Q_PROPERTY(int historyStatus READ historyStatus NOTIFY historyChanged)
    Q_PROPERTY(QString historyError READ historyError NOTIFY historyChanged)
    Q_PROPERTY(QString historyBucket READ historyBucket NOTIFY historyChanged)
    Q_PROPERTY(int historyCount READ historyCount NOTIFY historyChanged)
    Q_PROPERTY(double historyFrom READ historyFrom NOTIFY historyChanged)
    Q_PROPERTY(double historyTo READ historyTo NOTIFY historyChanged)
    Q_PROPERTY(double historyMaxOnline READ historyMaxOnline NOTIFY historyChanged)
    Q_PROPERTY(double historyMaxLatency READ historyMaxLatency NOTIFY historyChanged)

    Q_PROPERTY(QVariantList pointInTime READ pointInTime NOTIFY pointInTimeChanged)
    Q_PROPERTY(bool pointInTimeLoading READ pointInTimeLoading NOTIFY pointInTimeChanged)
    Q_PROPERTY(QString pointInTimeError READ pointInTimeError NOTIFY pointInTimeChanged)

    Q_PROPERTY(bool actionPending READ actionPending NOTIFY actionStateChanged)
    Q_PROPERTY(QString actionError READ actionError NOTIFY actionStateChanged)

public:
    enum HistoryRange { LastHour, LastDay, LastWeek, LastMonth };
    Q_ENUM(HistoryRange)

    explicit RoomDetailController(QObject *parent = nullptr);
    ~RoomDetailController() override;

    ConnectionService *connection() const { return m_connection; }
    void setConnection(ConnectionService *connection);
    QString roomCode() const { return m_roomCode; }
    void setRoomCode(const QString &code);
    bool active() const { return m_active; }
    void setActive(bool active);

    RosterModel *roster() const { return m_roster; }
    FleetBreakdown *fleet() const { return m_fleet; }
    MetricsHistory *metrics() const { return m_metrics; }
    QVariantMap live() const { return m_live; }
    bool rosterLoaded() const { return m_rosterLoaded; }
    bool removed() const { return m_removed; }

    HistoryRange historyRange() const { return m_range; }
    bool historyLoading() const { return m_historyLoading; }
    int historyStatus() const { return m_historyStatus; }
    QString historyError() const { return m_historyError; }
    QString historyBucket() const { return m_historyBucket; }
    int historyCount() const { return int(m_histOnline.size()); }
    double historyFrom() const { return m_historyFrom; }
    double historyTo() const { return m_historyTo; }
    double historyMaxOnline() const { return MetricsHistory::maxY(m_histOnline); }
    double historyMaxLatency() const;
    const QList<QPointF> &historyOnline() const { return m_histOnline; }

    QVariantList pointInTime() const { return m_pointInTime; }
    bool pointInTimeLoading() const { return m_pointInTimeLoading; }
    QString pointInTimeError() const { return m_pointInTimeError; }
    bool actionPending() const { return m_actionPending; }
    QString actionError() const { return m_actionError; }

    // The bucket asked for a range: 1 h MINUTE, 24 h and 7 d HOUR, 30 d DAY.
    static QString bucketFor(HistoryRange range);
    static qint64 rangeMs(HistoryRange range);

    // GET /rooms/{code}/stats for the range ending now; the points replace the chart's.
    Q_INVOKABLE void loadHistory(spidi::desktop::RoomDetailController::HistoryRange range);
    // onlineAvg, latencyAvgMs and latencyP95Ms of the buckets (x = bucket start, ms since epoch)
    // into three XY series, with QXYSeries::replace().
    Q_INVOKABLE void updateHistorySeries(QAbstractSeries *online, QAbstractSeries *avg,
                                         QAbstractSeries *p95) const;
    // GET /rooms/{code}/roster?at=: `at` as typed (ISO 8601; a local date-time without a zone is
    // taken as local time). False with pointInTimeError set when it cannot be read.
    Q_INVOKABLE bool loadRosterAt(const QString &at);
    // DELETE /sessions/{id} (admin).
    Q_INVOKABLE void kick(const QString &sessionId);
    // POST /rooms/{code}/maintenance {"enabled": on} (admin).
    Q_INVOKABLE void setMaintenance(bool on);

    // ISO 8601 with a zone for `text`: as is when it has one, a zone-less date-time as local
    // time; an empty string when unreadable.
    static QString isoInstant(const QString &text);

Q_SIGNALS:
    void connectionChanged();
    void roomCodeChanged();
    void activeChanged();
    void liveChanged();
    void rosterLoadedChanged();
    void removedChanged();
    void historyChanged();
    void pointInTimeChanged();
    void actionStateChanged();
    // The minute buckets of the last 15 minutes (GET /rooms/{code}/stats, asked when the room
    // is subscribed and again after every reconnect): the HTTP status and how many minutes the
    // live charts got (MetricsHistory::backfill).
    void recentHistoryLoaded(int status, int minutes);
    // action is "kick" or "maintenance"; message is the problem's detail on failure.
    void actionFinished(const QString &action, bool ok, const QString &message);

private:
    void updateSubscription();
    void loadRecentHistory();
    void onMessage(const QString &type, const QJsonObject &message);
    void setRosterLoaded(bool loaded);
    void finishAction(const QString &action, bool ok, const QVariantMap &problem);
    QString roomPath(const QString &suffix) const;

    QPointer<ConnectionService> m_connection;
    QString m_roomCode;
    bool m_active = false;
    QString m_subscribedCode; // the room whose topics are subscribed (empty: none)

    RosterModel *m_roster;
    FleetBreakdown *m_fleet;
    MetricsHistory *m_metrics;
    QVariantMap m_live;
    bool m_rosterLoaded = false;
    bool m_removed = false;

    HistoryRange m_range = LastHour;
    bool m_historyLoading = false;
    int m_historyStatus = 0;
    QString m_historyError;
    QString m_historyBucket;
    double m_historyFrom = 0;
    double m_historyTo = 0;
    QList<QPointF> m_histOnline;
    QList<QPointF> m_histAvg;
    QList<QPointF> m_histP95;
    quint64 m_historyRequest = 0;
    quint64 m_recentRequest = 0;

    QVariantList m_pointInTime;
    bool m_pointInTimeLoading = false;
    QString m_pointInTimeError;
    quint64 m_pointInTimeRequest = 0;

    bool m_actionPending = false;
    QString m_actionError;
};

} // namespace spidi::desktop
