#include "db/session_history_repository.h"

#include "db/sql_dialect.h"
#include "db/sql_support.h"

#include <QDateTime>
#include <QSqlQuery>

namespace spidi {

namespace {

const QString kSessionColumns = QStringLiteral(
    "id, tenant_id, room_id, room_code, user_id, client_id, device, os, app_version, ip, "
    "started_at, last_heartbeat_at, ended_at, end_reason, heartbeat_count, last_latency_ms, "
    "avg_latency_ms, latency_samples");

// ON CONFLICT … DO UPDATE and CASE are accepted as is by SQLite (3.24+) and PostgreSQL.
const QString kUpsert = QStringLiteral(
    "INSERT INTO dat_spd_session (id, tenant_id, room_id, room_code, user_id, client_id, device, "
    "os, app_version, ip, started_at, last_heartbeat_at, ended_at, end_reason, heartbeat_count, "
    "last_latency_ms, avg_latency_ms, latency_samples, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET "
    "room_code = excluded.room_code, client_id = excluded.client_id, "
    "device = excluded.device, os = excluded.os, app_version = excluded.app_version, "
    "ip = excluded.ip, "
    "last_heartbeat_at = CASE WHEN excluded.heartbeat_count >= dat_spd_session.heartbeat_count "
    "  THEN COALESCE(excluded.last_heartbeat_at, dat_spd_session.last_heartbeat_at) "
    "  ELSE dat_spd_session.last_heartbeat_at END, "
    "ended_at = COALESCE(dat_spd_session.ended_at, excluded.ended_at), "
    "end_reason = COALESCE(dat_spd_session.end_reason, excluded.end_reason), "
    "last_latency_ms = CASE WHEN excluded.heartbeat_count >= dat_spd_session.heartbeat_count "
    "  THEN COALESCE(excluded.last_latency_ms, dat_spd_session.last_latency_ms) "
    "  ELSE dat_spd_session.last_latency_ms END, "
    "avg_latency_ms = CASE WHEN excluded.latency_samples >= dat_spd_session.latency_samples "
    "  THEN excluded.avg_latency_ms ELSE dat_spd_session.avg_latency_ms END, "
    "latency_samples = CASE WHEN excluded.latency_samples >= dat_spd_session.latency_samples "
    "  THEN excluded.latency_samples ELSE dat_spd_session.latency_samples END, "
    "heartbeat_count = CASE WHEN excluded.heartbeat_count >= dat_spd_session.heartbeat_count "
    "  THEN excluded.heartbeat_count ELSE dat_spd_session.heartbeat_count END, "
    "updated_at = excluded.updated_at");

// Qt binds a null QString as SQL NULL; the NOT NULL text columns want '' instead.
QString text(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : value;
}

QVariant nullable(const QVariant &value, bool isNull)
{
    return isNull ? QVariant(value.metaType()) : value;
}

SessionRecord recordFromRow(const QSqlQuery &query)
{
    SessionRecord record;
    record.id = sql::fromDbId(query.value(0));
    record.tenantId = query.value(1).toString();
    record.roomId = query.value(2).toString();
    record.roomCode = query.value(3).toString();
    record.userId = query.value(4).toString();
    record.clientId = query.value(5).toString();
    record.device = query.value(6).toString();
    record.os = query.value(7).toString();
    record.appVersion = query.value(8).toString();
    record.ip = query.value(9).toString();
    record.connectedAtMs = sql::fromDbTimeMs(query.value(10));
    record.lastHeartbeatAtMs = sql::fromDbTimeMs(query.value(11));
    record.endedAtMs = sql::fromDbTimeMs(query.value(12));
    if (!query.value(13).isNull())
        record.endReason = sessionEndReasonFromString(query.value(13).toString());
    record.heartbeatCount = query.value(14).toLongLong();
    record.latencyMs = query.value(15).isNull() ? -1 : query.value(15).toInt();
    record.latencySamples = query.value(17).toLongLong();
    // Only the average is stored; the sum is recovered from it.
    record.latencySumMs =
        query.value(16).isNull() ? 0.0 : query.value(16).toDouble() * double(record.latencySamples);
    return record;
}

} // namespace

SessionHistoryRepository::SessionHistoryRepository(const Database &database) : m_db(database) {}

Status SessionHistoryRepository::upsert(const QList<SessionRecord> &records)
{
    if (records.isEmpty())
        return Ok{};
    const SqlDialect dialect = m_db.dialect();
    sql::Transaction transaction(m_db);
    // One batch holds sessions of many tenants: the deliberate cross-tenant path.
    if (auto begun = transaction.beginCrossTenant(QStringLiteral("session history write-behind"));
        !begun)
        return begun;
    QSqlQuery query(m_db.handle());
    if (auto prepared =
            sql::prepare(query, kUpsert, dialect, QStringLiteral("preparing session upsert"));
        !prepared)
        return prepared;
    const QVariant now = sql::toDbTime(QDateTime::currentDateTimeUtc(), dialect);
    for (const SessionRecord &record : records) {
        const double average = record.averageLatencyMs();
        const QList<QVariant> values = {
            text(record.id),
            text(record.tenantId),
            text(record.roomId),
            text(record.roomCode),
            text(record.userId),
            text(record.clientId),
            text(record.device),
            text(record.os),
            text(record.appVersion),
            text(record.ip),
            // started_at is NOT NULL; a record without a start time must not jam the queue.
            record.connectedAtMs > 0 ? sql::toDbTimeMs(record.connectedAtMs, dialect) : now,
            sql::toDbTimeMs(record.lastHeartbeatAtMs, dialect),
            sql::toDbTimeMs(record.endedAtMs, dialect),
            record.endReason ? QVariant(toString(*record.endReason))
                             : QVariant(QMetaType(QMetaType::QString)),
            record.heartbeatCount,
            nullable(QVariant(record.latencyMs), record.latencyMs < 0),
            nullable(QVariant(average), record.latencySamples <= 0),
            record.latencySamples,
            now,
            now,
        };
        for (qsizetype i = 0; i < values.size(); ++i)
            query.bindValue(int(i), values.at(i));
        if (auto done =
                sql::exec(query, dialect, QStringLiteral("upserting session %1").arg(record.id));
            !done)
            return done;
    }
    return transaction.commit();
}

Result<SessionRecord> SessionHistoryRepository::find(const QString &tenantId,
                                                     const QString &sessionId) const
{
    const Error notFound =
        makeError(ErrorKind::NotFound, QStringLiteral("session '%1' not found").arg(sessionId));
    if (tenantId.isEmpty() || sessionId.isEmpty() || !sql::isDbId(sessionId, m_db.dialect()))
        return notFound;
    auto records = selectRecords(tenantId, QStringLiteral("id = ?"), {sessionId},
                                 QStringLiteral("finding session"));
    if (!records)
        return records.error();
    if (records->isEmpty())
        return notFound;
    return records->constFirst();
}

Result<QList<SessionRecord>> SessionHistoryRepository::selectRecords(const QString &tenantId,
                                                                     const QString &condition,
                                                                     const QVariantList &binds,
                                                                     const QString &what) const
{
    if (tenantId.isEmpty())
        return QList<SessionRecord>{};
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginForTenant(tenantId); !begun)
        return begun.error();
    QSqlQuery query(m_db.handle());
    query.prepare(QStringLiteral("SELECT ") + kSessionColumns +
                  QStringLiteral(" FROM dat_spd_session WHERE tenant_id = ? AND ") + condition);
    query.addBindValue(tenantId);
    for (const QVariant &value : binds)
        query.addBindValue(value);
    if (auto done = sql::exec(query, m_db.dialect(), what); !done)
        return done.error();
    QList<SessionRecord> records;
    while (query.next())
        records.append(recordFromRow(query));
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return records;
}

Result<QList<SessionRecord>> SessionHistoryRepository::listForRoom(const QString &tenantId,
                                                                   const QString &roomId,
                                                                   int limit) const
{
    return selectRecords(tenantId,
                         QStringLiteral("room_id = ? ORDER BY started_at DESC, id LIMIT ?"),
                         {roomId, qMax(1, limit)}, QStringLiteral("listing room sessions"));
}

Result<QList<SessionRecord>> SessionHistoryRepository::presentAt(const QString &tenantId,
                                                                 const QString &roomId,
                                                                 qint64 atMs) const
{
    const QVariant at = sql::toDbTimeMs(atMs, m_db.dialect());
    return selectRecords(tenantId,
                         QStringLiteral("room_id = ? AND started_at <= ? AND (ended_at IS NULL "
                                        "OR ended_at > ?) ORDER BY started_at, id"),
                         {roomId, at, at}, QStringLiteral("reading a past roster"));
}

Result<SessionHistoryRepository::Page>
SessionHistoryRepository::listForUser(const QString &tenantId, const QString &userId, int offset,
                                      int limit) const
{
    Page page;
    if (tenantId.isEmpty())
        return page;
    {
        sql::Transaction transaction(m_db);
        if (auto begun = transaction.beginForTenant(tenantId); !begun)
            return begun.error();
        QSqlQuery count(m_db.handle());
        count.prepare(QStringLiteral(
            "SELECT count(*) FROM dat_spd_session WHERE tenant_id = ? AND user_id = ?"));
        count.addBindValue(tenantId);
        count.addBindValue(userId);
        if (auto done = sql::exec(count, m_db.dialect(), QStringLiteral("counting user sessions"));
            !done)
            return done.error();
        page.total = count.next() ? count.value(0).toLongLong() : 0;
        if (auto committed = transaction.commit(); !committed)
            return committed.error();
    }
    auto records = selectRecords(
        tenantId, QStringLiteral("user_id = ? ORDER BY started_at DESC, id LIMIT ? OFFSET ?"),
        {userId, qMax(1, limit), qMax(0, offset)}, QStringLiteral("listing user sessions"));
    if (!records)
        return records.error();
    page.records = std::move(*records);
    return page;
}

Result<int> SessionHistoryRepository::closeOpenSessions(SessionEndReason reason)
{
    // Sessions of every tenant left open by a crash: the deliberate cross-tenant path.
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginCrossTenant(QStringLiteral("closing open sessions")); !begun)
        return begun.error();
    QSqlQuery query(m_db.handle());
    if (auto prepared = sql::prepare(
            query,
            QStringLiteral("UPDATE dat_spd_session SET ended_at = COALESCE(last_heartbeat_at, "
                           "started_at), end_reason = ?, updated_at = ? WHERE ended_at IS NULL"),
            m_db.dialect(), QStringLiteral("preparing to close open sessions"));
        !prepared)
        return prepared.error();
    query.addBindValue(toString(reason));
    query.addBindValue(sql::toDbTime(QDateTime::currentDateTimeUtc(), m_db.dialect()));
    if (auto done = sql::exec(query, m_db.dialect(), QStringLiteral("closing open sessions"));
        !done)
        return done.error();
    const int closed = query.numRowsAffected();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return closed;
}

} // namespace spidi
