#include "alerts/alert_repository.h"

#include "alerts/alert_json.h"
#include "db/audit_log.h"
#include "db/sql_dialect.h"
#include "db/sql_support.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QUuid>

namespace spidi {

namespace {

const QString kRuleColumns = QStringLiteral(
    "id, tenant_id, name, type, threshold, expression, latency_stat, window_sec, for_sec, "
    "severity, scope_room_id, scope_room_type, scope_all, cooldown_sec, enabled, channels, "
    "version, created_at, updated_at");

const QString kEventColumns = QStringLiteral(
    "id, tenant_id, rule_id, rule_name, rule_type, room_id, room_code, severity, state, value, "
    "threshold, message, fired_at, acknowledged_at, acknowledged_by, comment, resolved_at, "
    "resolved_by, notifications");

QVariant nullableText(const QString &text)
{
    return text.isEmpty() ? QVariant() : QVariant(text);
}

QVariant optionalNumber(const std::optional<double> &value)
{
    return value ? QVariant(*value) : QVariant();
}

QString jsonText(const QJsonArray &array)
{
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QJsonArray jsonArray(const QVariant &value)
{
    return QJsonDocument::fromJson(value.toString().toUtf8()).array();
}

AlertRule ruleFromRow(const QSqlQuery &q)
{
    AlertRule rule;
    rule.id = sql::fromDbId(q.value(0));
    rule.tenantId = q.value(1).toString();
    rule.name = q.value(2).toString();
    rule.type = alertRuleTypeFromName(q.value(3).toString()).value_or(AlertRuleType::Custom);
    rule.threshold = q.value(4).isNull() ? defaultThreshold(rule.type) : q.value(4).toDouble();
    rule.expression = q.value(5).toString();
    rule.latencyStat = latencyStatFromName(q.value(6).toString()).value_or(LatencyStat::P95);
    rule.windowSec = q.value(7).isNull() ? 60 : q.value(7).toInt();
    rule.forSec = q.value(8).toInt();
    rule.severity = alertSeverityFromName(q.value(9).toString()).value_or(AlertSeverity::Warning);
    rule.scope.roomId = q.value(10).isNull() ? QString() : sql::fromDbId(q.value(10));
    rule.scope.roomType = q.value(11).toString();
    rule.scope.all = q.value(12).toBool();
    rule.cooldownSec = q.value(13).toInt();
    rule.enabled = q.value(14).toBool();
    if (auto channels = channelsFromJson(jsonArray(q.value(15))); channels.ok())
        rule.channels = channels.value();
    rule.version = q.value(16).toLongLong();
    rule.createdAtMs = sql::fromDbTimeMs(q.value(17));
    rule.updatedAtMs = sql::fromDbTimeMs(q.value(18));
    return rule;
}

AlertEvent eventFromRow(const QSqlQuery &q)
{
    AlertEvent e;
    e.id = sql::fromDbId(q.value(0));
    e.tenantId = q.value(1).toString();
    e.ruleId = sql::fromDbId(q.value(2));
    e.ruleName = q.value(3).toString();
    e.ruleType = alertRuleTypeFromName(q.value(4).toString()).value_or(AlertRuleType::Custom);
    e.roomId = q.value(5).isNull() ? QString() : sql::fromDbId(q.value(5));
    e.roomCode = q.value(6).toString();
    e.severity = alertSeverityFromName(q.value(7).toString()).value_or(AlertSeverity::Warning);
    e.state = alertStateFromName(q.value(8).toString()).value_or(AlertState::Firing);
    if (!q.value(9).isNull())
        e.value = q.value(9).toDouble();
    if (!q.value(10).isNull())
        e.threshold = q.value(10).toDouble();
    e.message = q.value(11).toString();
    e.firedAtMs = sql::fromDbTimeMs(q.value(12));
    e.acknowledgedAtMs = sql::fromDbTimeMs(q.value(13));
    e.acknowledgedBy = q.value(14).toString();
    e.comment = q.value(15).toString();
    e.resolvedAtMs = sql::fromDbTimeMs(q.value(16));
    e.resolvedBy = q.value(17).toString();
    e.notifications = jsonArray(q.value(18));
    return e;
}

Error notFound(const QString &what, const QString &id)
{
    return makeError(ErrorKind::NotFound, QStringLiteral("no %1 with id %2").arg(what, id));
}

Error invalid(const QString &field, const QString &message)
{
    return makeError(ErrorKind::Invalid, message, field);
}

QVariantList ruleValues(const AlertRule &rule, SqlDialect dialect)
{
    return {QVariant(rule.name),
            QVariant(alertRuleTypeName(rule.type)),
            rule.type == AlertRuleType::Custom ? QVariant() : QVariant(rule.threshold),
            rule.type == AlertRuleType::Custom ? QVariant(rule.expression) : QVariant(),
            rule.type == AlertRuleType::Latency ? QVariant(latencyStatName(rule.latencyStat))
                                                : QVariant(),
            rule.type == AlertRuleType::MassDisconnect ? QVariant(rule.windowSec) : QVariant(),
            QVariant(rule.forSec),
            QVariant(alertSeverityName(rule.severity)),
            nullableText(rule.scope.roomId),
            nullableText(rule.scope.roomType),
            QVariant(rule.scope.all),
            QVariant(rule.cooldownSec),
            QVariant(rule.enabled),
            QVariant(jsonText(channelsToJson(rule.channels))),
            QVariant(rule.version),
            sql::toDbTimeMs(rule.updatedAtMs, dialect)};
}

} // namespace

AlertRepository::AlertRepository(const Database &database) : m_db(database) {}

Result<AlertRule> AlertRepository::createRule(const Actor &actor, AlertRule rule)
{
    if (actor.tenantId.isEmpty())
        return invalid(QStringLiteral("tenant"), QStringLiteral("the caller has no tenant"));
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginForTenant(actor.tenantId); !begun)
        return begun.error();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    rule.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    rule.tenantId = actor.tenantId;
    rule.version = 1;
    rule.createdAtMs = now;
    rule.updatedAtMs = now;

    QSqlQuery insert(m_db.handle());
    if (auto prepared = sql::prepare(
            insert,
            QStringLiteral(
                "INSERT INTO dat_spd_alert_rule (name, type, threshold, expression, "
                "latency_stat, window_sec, for_sec, severity, scope_room_id, "
                "scope_room_type, scope_all, cooldown_sec, enabled, channels, version, "
                "updated_at, id, tenant_id, created_at, created_by, updated_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            m_db.dialect(), QStringLiteral("preparing alert rule insert"));
        !prepared)
        return prepared.error();
    for (const QVariant &value : ruleValues(rule, m_db.dialect()))
        insert.addBindValue(value);
    for (const QVariant &value :
         {QVariant(rule.id), QVariant(rule.tenantId), sql::toDbTimeMs(now, m_db.dialect()),
          QVariant(actor.userId), QVariant(actor.userId)})
        insert.addBindValue(value);
    if (auto done = sql::exec(insert, m_db.dialect(), QStringLiteral("inserting alert rule"));
        !done)
        return done.error();
    if (auto audited = writeAudit(m_db, AuditEntry{rule.tenantId,
                                                   actor.userId,
                                                   QStringLiteral("alert_rule.create"),
                                                   QStringLiteral("alert_rule"),
                                                   rule.id,
                                                   {},
                                                   ruleToJson(rule)});
        !audited)
        return audited.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return rule;
}

Result<AlertRule> AlertRepository::findRule(const QString &tenantId, const QString &id) const
{
    if (!sql::isDbId(id, m_db.dialect()))
        return notFound(QStringLiteral("alert rule"), id);
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginForTenant(tenantId); !begun)
        return begun.error();
    QSqlQuery q(m_db.handle());
    if (auto prepared = sql::prepare(q,
                                     QStringLiteral("SELECT ") + kRuleColumns +
                                         QStringLiteral(" FROM dat_spd_alert_rule WHERE id = ? "
                                                        "AND tenant_id = ? AND deleted_at IS NULL"),
                                     m_db.dialect(), QStringLiteral("preparing alert rule read"));
        !prepared)
        return prepared.error();
    q.addBindValue(id);
    q.addBindValue(tenantId);
    if (auto done = sql::exec(q, m_db.dialect(), QStringLiteral("reading alert rule")); !done)
        return done.error();
    if (!q.next())
        return notFound(QStringLiteral("alert rule"), id);
    AlertRule rule = ruleFromRow(q);
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return rule;
}

Result<AlertRulePage> AlertRepository::listRules(const QString &tenantId, int offset,
                                                 int limit) const
{
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginForTenant(tenantId); !begun)
        return begun.error();
    AlertRulePage page;
    QSqlQuery count(m_db.handle());
    if (auto prepared = sql::prepare(count,
                                     QStringLiteral("SELECT COUNT(*) FROM dat_spd_alert_rule "
                                                    "WHERE tenant_id = ? AND deleted_at IS NULL"),
                                     m_db.dialect(), QStringLiteral("preparing alert rule count"));
        !prepared)
        return prepared.error();
    count.addBindValue(tenantId);
    if (auto done = sql::exec(count, m_db.dialect(), QStringLiteral("counting alert rules")); !done)
        return done.error();
    page.total = count.next() ? count.value(0).toLongLong() : 0;

    QSqlQuery q(m_db.handle());
    if (auto prepared = sql::prepare(
            q,
            QStringLiteral("SELECT ") + kRuleColumns +
                QStringLiteral(" FROM dat_spd_alert_rule WHERE tenant_id = ? AND deleted_at IS "
                               "NULL ORDER BY name, id LIMIT ? OFFSET ?"),
            m_db.dialect(), QStringLiteral("preparing alert rule list"));
        !prepared)
        return prepared.error();
    q.addBindValue(tenantId);
    q.addBindValue(limit);
    q.addBindValue(offset);
    if (auto done = sql::exec(q, m_db.dialect(), QStringLiteral("listing alert rules")); !done)
        return done.error();
    while (q.next())
        page.items.append(ruleFromRow(q));
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return page;
}

Result<AlertRule> AlertRepository::updateRule(const Actor &actor, AlertRule rule,
                                              std::optional<qint64> expectedVersion)
{
    if (!expectedVersion)
        return invalid(QStringLiteral("version"),
                       QStringLiteral("a version is required (body field \"version\" or an "
                                      "If-Match header) so that concurrent edits are detected"));
    auto current = findRule(actor.tenantId, rule.id);
    if (!current.ok())
        return current.error();
    if (current->version != *expectedVersion)
        return makeError(ErrorKind::Conflict,
                         QStringLiteral("the rule was changed by someone else: you edited "
                                        "version %1, it is at version %2")
                             .arg(*expectedVersion)
                             .arg(current->version),
                         QStringLiteral("version"));
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginForTenant(actor.tenantId); !begun)
        return begun.error();
    rule.tenantId = actor.tenantId;
    rule.createdAtMs = current->createdAtMs;
    rule.version = current->version + 1;
    rule.updatedAtMs = QDateTime::currentMSecsSinceEpoch();
    QSqlQuery update(m_db.handle());
    if (auto prepared = sql::prepare(
            update,
            QStringLiteral("UPDATE dat_spd_alert_rule SET name = ?, type = ?, threshold = ?, "
                           "expression = ?, latency_stat = ?, window_sec = ?, for_sec = ?, "
                           "severity = ?, scope_room_id = ?, scope_room_type = ?, scope_all = ?, "
                           "cooldown_sec = ?, enabled = ?, channels = ?, version = ?, "
                           "updated_at = ?, updated_by = ? WHERE id = ? AND tenant_id = ? AND "
                           "version = ? AND deleted_at IS NULL"),
            m_db.dialect(), QStringLiteral("preparing alert rule update"));
        !prepared)
        return prepared.error();
    for (const QVariant &value : ruleValues(rule, m_db.dialect()))
        update.addBindValue(value);
    for (const QVariant &value : {QVariant(actor.userId), QVariant(rule.id),
                                  QVariant(actor.tenantId), QVariant(*expectedVersion)})
        update.addBindValue(value);
    if (auto done = sql::exec(update, m_db.dialect(), QStringLiteral("updating alert rule")); !done)
        return done.error();
    if (update.numRowsAffected() != 1)
        return makeError(ErrorKind::Conflict,
                         QStringLiteral("the rule was changed by someone else meanwhile"),
                         QStringLiteral("version"));
    if (auto audited = writeAudit(m_db, AuditEntry{rule.tenantId, actor.userId,
                                                   QStringLiteral("alert_rule.update"),
                                                   QStringLiteral("alert_rule"), rule.id,
                                                   ruleToJson(current.value()), ruleToJson(rule)});
        !audited)
        return audited.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return rule;
}

Result<AlertRule> AlertRepository::deleteRule(const Actor &actor, const QString &id,
                                              std::optional<qint64> expectedVersion)
{
    auto current = findRule(actor.tenantId, id);
    if (!current.ok())
        return current.error();
    if (expectedVersion && current->version != *expectedVersion)
        return makeError(ErrorKind::Conflict,
                         QStringLiteral("the rule was changed by someone else: you saw version "
                                        "%1, it is at version %2")
                             .arg(*expectedVersion)
                             .arg(current->version),
                         QStringLiteral("version"));
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginForTenant(actor.tenantId); !begun)
        return begun.error();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QSqlQuery update(m_db.handle());
    if (auto prepared = sql::prepare(
            update,
            QStringLiteral("UPDATE dat_spd_alert_rule SET deleted_at = ?, updated_at = ?, "
                           "updated_by = ?, version = version + 1 WHERE id = ? AND tenant_id = ? "
                           "AND version = ? AND deleted_at IS NULL"),
            m_db.dialect(), QStringLiteral("preparing alert rule delete"));
        !prepared)
        return prepared.error();
    for (const QVariant &value :
         {sql::toDbTimeMs(now, m_db.dialect()), sql::toDbTimeMs(now, m_db.dialect()),
          QVariant(actor.userId), QVariant(id), QVariant(actor.tenantId),
          QVariant(current->version)})
        update.addBindValue(value);
    if (auto done = sql::exec(update, m_db.dialect(), QStringLiteral("deleting alert rule")); !done)
        return done.error();
    if (update.numRowsAffected() != 1)
        return makeError(ErrorKind::Conflict,
                         QStringLiteral("the rule was changed by someone else meanwhile"),
                         QStringLiteral("version"));
    if (auto audited = writeAudit(m_db, AuditEntry{actor.tenantId,
                                                   actor.userId,
                                                   QStringLiteral("alert_rule.delete"),
                                                   QStringLiteral("alert_rule"),
                                                   id,
                                                   ruleToJson(current.value()),
                                                   {}});
        !audited)
        return audited.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return current;
}

Result<QList<AlertRule>> AlertRepository::allRules() const
{
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginCrossTenant(QStringLiteral("alert evaluation")); !begun)
        return begun.error();
    QSqlQuery q(m_db.handle());
    if (auto prepared = sql::prepare(q,
                                     QStringLiteral("SELECT ") + kRuleColumns +
                                         QStringLiteral(" FROM dat_spd_alert_rule WHERE "
                                                        "deleted_at IS NULL"),
                                     m_db.dialect(), QStringLiteral("preparing alert rules load"));
        !prepared)
        return prepared.error();
    if (auto done = sql::exec(q, m_db.dialect(), QStringLiteral("loading alert rules")); !done)
        return done.error();
    QList<AlertRule> rules;
    while (q.next())
        rules.append(ruleFromRow(q));
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return rules;
}

Status AlertRepository::fire(const AlertEvent &e)
{
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginCrossTenant(QStringLiteral("alert firing")); !begun)
        return begun.error();
    QSqlQuery insert(m_db.handle());
    if (auto prepared = sql::prepare(
            insert,
            QStringLiteral("INSERT INTO dat_spd_alert_event (id, tenant_id, rule_id, rule_name, "
                           "rule_type, room_id, room_code, severity, state, value, threshold, "
                           "message, fired_at, notifications, created_at, updated_at) VALUES "
                           "(?, ?, ?, ?, ?, ?, ?, ?, 'FIRING', ?, ?, ?, ?, ?, ?, ?)"),
            m_db.dialect(), QStringLiteral("preparing alert event insert"));
        !prepared)
        return prepared.error();
    const QVariant firedAt = sql::toDbTimeMs(e.firedAtMs, m_db.dialect());
    for (const QVariant &value :
         {QVariant(e.id), QVariant(e.tenantId), QVariant(e.ruleId), QVariant(e.ruleName),
          QVariant(alertRuleTypeName(e.ruleType)), nullableText(e.roomId), QVariant(e.roomCode),
          QVariant(alertSeverityName(e.severity)), optionalNumber(e.value),
          optionalNumber(e.threshold), QVariant(e.message), firedAt,
          QVariant(jsonText(e.notifications)), firedAt, firedAt})
        insert.addBindValue(value);
    if (!insert.exec()) {
        if (sql::isUniqueViolation(insert.lastError(), m_db.dialect()))
            return makeError(ErrorKind::Conflict,
                             QStringLiteral("rule %1 already has an open event in room %2")
                                 .arg(e.ruleId, e.roomCode));
        return sql::queryError(insert, m_db.dialect(), QStringLiteral("inserting alert event"));
    }
    return transaction.commit();
}

Result<AlertEvent> AlertRepository::autoResolve(const QString &eventId, qint64 atMs)
{
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginCrossTenant(QStringLiteral("alert auto-resolve")); !begun)
        return begun.error();
    QSqlQuery update(m_db.handle());
    if (auto prepared = sql::prepare(
            update,
            QStringLiteral("UPDATE dat_spd_alert_event SET state = 'RESOLVED', resolved_at = ?, "
                           "updated_at = ? WHERE id = ? AND state <> 'RESOLVED'"),
            m_db.dialect(), QStringLiteral("preparing alert auto-resolve"));
        !prepared)
        return prepared.error();
    const QVariant at = sql::toDbTimeMs(atMs, m_db.dialect());
    update.addBindValue(at);
    update.addBindValue(at);
    update.addBindValue(eventId);
    if (auto done = sql::exec(update, m_db.dialect(), QStringLiteral("resolving alert event"));
        !done)
        return done.error();
    if (update.numRowsAffected() != 1)
        return makeError(ErrorKind::NotFound,
                         QStringLiteral("alert event %1 is not open any more").arg(eventId));
    auto rows = selectEvents({}, QStringLiteral("id = ?"), {eventId}, {},
                             QStringLiteral("reading resolved alert event"));
    if (!rows.ok())
        return rows.error();
    if (rows->isEmpty())
        return notFound(QStringLiteral("alert event"), eventId);
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return rows->constFirst();
}

Result<AlertEvent> AlertRepository::acknowledge(const Actor &actor, const QString &eventId,
                                                const QString &comment)
{
    return transition(actor, eventId, AlertState::Acknowledged, comment);
}

Result<AlertEvent> AlertRepository::resolveByHand(const Actor &actor, const QString &eventId,
                                                  const QString &comment)
{
    return transition(actor, eventId, AlertState::Resolved, comment);
}

Result<AlertEvent> AlertRepository::transition(const Actor &actor, const QString &eventId,
                                               AlertState to, const QString &comment)
{
    if (!sql::isDbId(eventId, m_db.dialect()))
        return notFound(QStringLiteral("alert event"), eventId);
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginForTenant(actor.tenantId); !begun)
        return begun.error();
    auto rows = selectEvents(actor.tenantId, QStringLiteral("id = ?"), {eventId}, {},
                             QStringLiteral("reading alert event"));
    if (!rows.ok())
        return rows.error();
    if (rows->isEmpty())
        return notFound(QStringLiteral("alert event"), eventId);
    const AlertEvent before = rows->constFirst();
    if (before.state == AlertState::Resolved)
        return makeError(ErrorKind::Conflict,
                         QStringLiteral("the alert was resolved at %1%2")
                             .arg(isoUtc(before.resolvedAtMs),
                                  before.resolvedBy.isEmpty()
                                      ? QStringLiteral(" (its condition cleared)")
                                      : QStringLiteral(" by %1").arg(before.resolvedBy)),
                         QStringLiteral("state"));
    if (to == AlertState::Acknowledged && before.state == AlertState::Acknowledged)
        return makeError(ErrorKind::Conflict,
                         QStringLiteral("the alert was already acknowledged by %1 at %2")
                             .arg(before.acknowledgedBy, isoUtc(before.acknowledgedAtMs)),
                         QStringLiteral("state"));

    AlertEvent after = before;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QSqlQuery update(m_db.handle());
    QString statement;
    QVariantList binds;
    const QVariant at = sql::toDbTimeMs(now, m_db.dialect());
    if (to == AlertState::Acknowledged) {
        after.state = AlertState::Acknowledged;
        after.acknowledgedAtMs = now;
        after.acknowledgedBy = actor.userId;
        after.comment = comment;
        statement = QStringLiteral(
            "UPDATE dat_spd_alert_event SET state = 'ACKNOWLEDGED', acknowledged_at = ?, "
            "acknowledged_by = ?, comment = ?, updated_at = ? WHERE id = ? AND tenant_id = ? AND "
            "state = 'FIRING'");
        binds = {at, actor.userId, nullableText(comment), at, eventId, actor.tenantId};
    } else {
        after.state = AlertState::Resolved;
        after.resolvedAtMs = now;
        after.resolvedBy = actor.userId;
        if (!comment.isEmpty())
            after.comment = before.comment.isEmpty() ? comment : before.comment + u'\n' + comment;
        statement = QStringLiteral(
            "UPDATE dat_spd_alert_event SET state = 'RESOLVED', resolved_at = ?, resolved_by = ?, "
            "comment = ?, updated_at = ? WHERE id = ? AND tenant_id = ? AND state <> 'RESOLVED'");
        binds = {at, actor.userId, nullableText(after.comment), at, eventId, actor.tenantId};
    }
    if (auto prepared = sql::prepare(update, statement, m_db.dialect(),
                                     QStringLiteral("preparing alert event transition"));
        !prepared)
        return prepared.error();
    for (const QVariant &value : binds)
        update.addBindValue(value);
    if (auto done = sql::exec(update, m_db.dialect(), QStringLiteral("updating alert event"));
        !done)
        return done.error();
    if (update.numRowsAffected() != 1)
        return makeError(ErrorKind::Conflict,
                         QStringLiteral("the alert changed meanwhile; reload it"),
                         QStringLiteral("state"));
    if (auto audited = writeAudit(m_db, AuditEntry{actor.tenantId, actor.userId,
                                                   to == AlertState::Acknowledged
                                                       ? QStringLiteral("alert_event.ack")
                                                       : QStringLiteral("alert_event.resolve"),
                                                   QStringLiteral("alert_event"), eventId,
                                                   before.toJson(), after.toJson()});
        !audited)
        return audited.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return after;
}

Status AlertRepository::setNotifications(const QString &eventId, const QJsonArray &notifications)
{
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginCrossTenant(QStringLiteral("alert delivery record")); !begun)
        return begun.error();
    QSqlQuery update(m_db.handle());
    if (auto prepared =
            sql::prepare(update,
                         QStringLiteral("UPDATE dat_spd_alert_event SET "
                                        "notifications = ?, updated_at = ? WHERE id = ?"),
                         m_db.dialect(), QStringLiteral("preparing delivery update"));
        !prepared)
        return prepared.error();
    update.addBindValue(jsonText(notifications));
    update.addBindValue(sql::toDbTimeMs(QDateTime::currentMSecsSinceEpoch(), m_db.dialect()));
    update.addBindValue(eventId);
    if (auto done = sql::exec(update, m_db.dialect(), QStringLiteral("updating delivery records"));
        !done)
        return done.error();
    return transaction.commit();
}

Result<AlertEvent> AlertRepository::findEvent(const QString &tenantId, const QString &id) const
{
    if (!sql::isDbId(id, m_db.dialect()))
        return notFound(QStringLiteral("alert event"), id);
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginForTenant(tenantId); !begun)
        return begun.error();
    auto rows = selectEvents(tenantId, QStringLiteral("id = ?"), {id}, {},
                             QStringLiteral("reading alert event"));
    if (!rows.ok())
        return rows.error();
    if (rows->isEmpty())
        return notFound(QStringLiteral("alert event"), id);
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return rows->constFirst();
}

Result<AlertEventPage> AlertRepository::listEvents(const QString &tenantId,
                                                   const AlertEventFilter &filter) const
{
    QStringList conditions;
    QVariantList binds;
    if (!filter.states.isEmpty()) {
        QStringList placeholders;
        for (AlertState state : filter.states) {
            placeholders.append(QStringLiteral("?"));
            binds.append(alertStateName(state));
        }
        conditions.append(QStringLiteral("state IN (%1)").arg(placeholders.join(u',')));
    }
    if (!filter.roomId.isEmpty()) {
        if (!sql::isDbId(filter.roomId, m_db.dialect()))
            return AlertEventPage{};
        conditions.append(QStringLiteral("room_id = ?"));
        binds.append(filter.roomId);
    }
    if (!filter.ruleId.isEmpty()) {
        if (!sql::isDbId(filter.ruleId, m_db.dialect()))
            return AlertEventPage{};
        conditions.append(QStringLiteral("rule_id = ?"));
        binds.append(filter.ruleId);
    }
    if (filter.severity) {
        conditions.append(QStringLiteral("severity = ?"));
        binds.append(alertSeverityName(*filter.severity));
    }
    if (filter.fromMs > 0) {
        conditions.append(QStringLiteral("fired_at >= ?"));
        binds.append(sql::toDbTimeMs(filter.fromMs, m_db.dialect()));
    }
    if (filter.toMs > 0) {
        conditions.append(QStringLiteral("fired_at < ?"));
        binds.append(sql::toDbTimeMs(filter.toMs, m_db.dialect()));
    }
    const QString where =
        conditions.isEmpty() ? QStringLiteral("1 = 1") : conditions.join(QStringLiteral(" AND "));

    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginForTenant(tenantId); !begun)
        return begun.error();
    AlertEventPage page;
    QSqlQuery count(m_db.handle());
    if (auto prepared = sql::prepare(count,
                                     QStringLiteral("SELECT COUNT(*) FROM dat_spd_alert_event "
                                                    "WHERE tenant_id = ? AND ") +
                                         where,
                                     m_db.dialect(), QStringLiteral("preparing alert event count"));
        !prepared)
        return prepared.error();
    count.addBindValue(tenantId);
    for (const QVariant &value : binds)
        count.addBindValue(value);
    if (auto done = sql::exec(count, m_db.dialect(), QStringLiteral("counting alert events"));
        !done)
        return done.error();
    page.total = count.next() ? count.value(0).toLongLong() : 0;
    auto rows = selectEvents(tenantId, where, binds,
                             QStringLiteral(" ORDER BY fired_at DESC, id LIMIT %1 OFFSET %2")
                                 .arg(filter.limit)
                                 .arg(filter.offset),
                             QStringLiteral("listing alert events"));
    if (!rows.ok())
        return rows.error();
    page.items = rows.value();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return page;
}

Result<QList<AlertEvent>> AlertRepository::openEvents(const QString &tenantId) const
{
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginForTenant(tenantId); !begun)
        return begun.error();
    auto rows = selectEvents(tenantId, QStringLiteral("state <> 'RESOLVED'"), {},
                             QStringLiteral(" ORDER BY fired_at DESC"),
                             QStringLiteral("reading open alert events"));
    if (!rows.ok())
        return rows.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return rows;
}

Result<QList<AlertEvent>> AlertRepository::allOpenEvents() const
{
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginCrossTenant(QStringLiteral("alert evaluation")); !begun)
        return begun.error();
    auto rows = selectEvents({}, QStringLiteral("state <> 'RESOLVED'"), {}, {},
                             QStringLiteral("reading open alert events"));
    if (!rows.ok())
        return rows.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return rows;
}

Result<QList<AlertRepository::LastNotified>> AlertRepository::lastNotified(qint64 sinceMs) const
{
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginCrossTenant(QStringLiteral("alert cooldowns")); !begun)
        return begun.error();
    QSqlQuery q(m_db.handle());
    // A firing whose channels were held back by the cooldown carries SUPPRESSED records.
    if (auto prepared = sql::prepare(
            q,
            QStringLiteral("SELECT rule_id, room_id, MAX(fired_at) FROM dat_spd_alert_event "
                           "WHERE fired_at >= ? AND CAST(notifications AS text) NOT LIKE "
                           "'%SUPPRESSED%' GROUP BY rule_id, room_id"),
            m_db.dialect(), QStringLiteral("preparing cooldown read"));
        !prepared)
        return prepared.error();
    q.addBindValue(sql::toDbTimeMs(sinceMs, m_db.dialect()));
    if (auto done = sql::exec(q, m_db.dialect(), QStringLiteral("reading cooldowns")); !done)
        return done.error();
    QList<LastNotified> result;
    while (q.next())
        result.append(LastNotified{sql::fromDbId(q.value(0)),
                                   q.value(1).isNull() ? QString() : sql::fromDbId(q.value(1)),
                                   sql::fromDbTimeMs(q.value(2))});
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return result;
}

Result<QList<AlertEvent>> AlertRepository::selectEvents(const QString &tenantId,
                                                        const QString &condition,
                                                        const QVariantList &binds,
                                                        const QString &tail,
                                                        const QString &what) const
{
    QSqlQuery q(m_db.handle());
    QString statement = QStringLiteral("SELECT ") + kEventColumns +
                        QStringLiteral(" FROM dat_spd_alert_event WHERE ");
    if (!tenantId.isEmpty())
        statement += QStringLiteral("tenant_id = ? AND ");
    statement += QLatin1Char('(') + condition + QLatin1Char(')') + tail;
    if (auto prepared = sql::prepare(q, statement, m_db.dialect(), what); !prepared)
        return prepared.error();
    if (!tenantId.isEmpty())
        q.addBindValue(tenantId);
    for (const QVariant &value : binds)
        q.addBindValue(value);
    if (auto done = sql::exec(q, m_db.dialect(), what); !done)
        return done.error();
    QList<AlertEvent> events;
    while (q.next())
        events.append(eventFromRow(q));
    return events;
}

} // namespace spidi
