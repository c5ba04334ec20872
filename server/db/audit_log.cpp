#include "db/audit_log.h"

#include "db/sql_dialect.h"
#include "db/sql_support.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QUuid>

namespace spidi {

namespace {

QVariant jsonOrNull(const QJsonObject &object)
{
    if (object.isEmpty())
        return QVariant(QMetaType(QMetaType::QString));
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

Status writeAudit(const Database &database, const AuditEntry &entry)
{
    QSqlQuery query(database.handle());
    if (auto prepared = sql::prepare(
            query,
            QStringLiteral("INSERT INTO dat_spd_audit (id, tenant_id, actor, action, entity, "
                           "entity_id, before_json, after_json, at) VALUES (?, ?, ?, ?, ?, ?, ?, "
                           "?, ?)"),
            database.dialect(), QStringLiteral("preparing the audit insert"));
        !prepared)
        return prepared;
    query.addBindValue(QUuid::createUuid().toString(QUuid::WithoutBraces));
    query.addBindValue(entry.tenantId);
    query.addBindValue(entry.actor);
    query.addBindValue(entry.action);
    query.addBindValue(entry.entity);
    query.addBindValue(entry.entityId);
    query.addBindValue(jsonOrNull(entry.before));
    query.addBindValue(jsonOrNull(entry.after));
    query.addBindValue(sql::toDbTime(QDateTime::currentDateTimeUtc(), database.dialect()));
    return sql::exec(query, database.dialect(),
                     QStringLiteral("writing audit %1 %2").arg(entry.action, entry.entityId));
}

} // namespace spidi
