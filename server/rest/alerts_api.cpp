#include "rest/alerts_api.h"

#include "alerts/alert_expression.h"
#include "alerts/alert_json.h"
#include "alerts/alert_repository.h"
#include "alerts/alert_service.h"
#include "db/room_repository.h"
#include "logging/json_log_handler.h"
#include "logging/log_categories.h"
#include "rest/problem.h"
#include "rest/request_guard.h"
#include "rest/room_json.h"

#include <QDateTime>
#include <QHttpServer>
#include <QJsonArray>
#include <QUrlQuery>

#include <limits>

namespace spidi::rest {

namespace {

using Method = QHttpServerRequest::Method;
using StatusCode = QHttpServerResponse::StatusCode;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr int kMaxCommentLength = 2000;

QHttpServerResponse withEtag(QHttpServerResponse response, qint64 version)
{
    response.setHeader(QByteArrayLiteral("ETag"), '"' + QByteArray::number(version) + '"');
    return response;
}

Error invalid(const QString &field, const QString &message)
{
    return makeError(ErrorKind::Invalid, message, field);
}

// The scope must name a room (by id or code; stored as its id) or a room type of this tenant.
Status resolveScope(const Database &database, const Principal &who, AlertRule &rule)
{
    RoomRepository rooms(database);
    if (!rule.scope.roomId.isEmpty()) {
        auto room = rooms.find(who.tenantId, rule.scope.roomId);
        if (!room.ok()) {
            if (room.error().kind == ErrorKind::NotFound)
                return invalid(QStringLiteral("scope.roomId"),
                               QStringLiteral("no room '%1'").arg(rule.scope.roomId));
            return room.error();
        }
        rule.scope.roomId = room->id;
    }
    if (!rule.scope.roomType.isEmpty()) {
        auto type = rooms.roomType(rule.scope.roomType);
        if (!type.ok()) {
            if (type.error().kind == ErrorKind::NotFound)
                return invalid(QStringLiteral("scope.roomType"),
                               QStringLiteral("unknown room type '%1'").arg(rule.scope.roomType));
            return type.error();
        }
    }
    return Ok{};
}

Result<int> pageParameter(const QUrlQuery &query, const QString &name, int min, int max,
                          int fallback)
{
    if (!query.hasQueryItem(name))
        return fallback;
    bool ok = false;
    const int value = query.queryItemValue(name).toInt(&ok);
    if (!ok || value < min || value > max)
        return invalid(
            name,
            QStringLiteral("%1 must be an integer between %2 and %3").arg(name).arg(min).arg(max));
    return value;
}

Result<qint64> instantParameter(const QUrlQuery &query, const QString &name)
{
    if (!query.hasQueryItem(name))
        return qint64(0);
    const QString text = query.queryItemValue(name, QUrl::FullyDecoded);
    const QDateTime at = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!at.isValid())
        return invalid(name,
                       QStringLiteral("%1 '%2' is not an ISO 8601 date and time").arg(name, text));
    if (at.timeSpec() == Qt::LocalTime)
        return invalid(name,
                       QStringLiteral("%1 '%2' needs a time zone (Z or ±hh:mm)").arg(name, text));
    return at.toMSecsSinceEpoch();
}

Result<AlertEventFilter> eventFilter(const QHttpServerRequest &request)
{
    const QUrlQuery query(request.url());
    AlertEventFilter filter;
    if (query.hasQueryItem(QStringLiteral("state"))) {
        // state=FIRING,ACKNOWLEDGED or repeated state=… parameters.
        for (const QString &item : query.allQueryItemValues(QStringLiteral("state"))) {
            for (const QString &name : item.split(u',', Qt::SkipEmptyParts)) {
                const auto state = alertStateFromName(name.trimmed().toUpper());
                if (!state)
                    return invalid(QStringLiteral("state"),
                                   QStringLiteral("state must be FIRING, ACKNOWLEDGED or "
                                                  "RESOLVED, not '%1'")
                                       .arg(name));
                filter.states.append(*state);
            }
        }
    }
    if (query.hasQueryItem(QStringLiteral("severity"))) {
        const QString name = query.queryItemValue(QStringLiteral("severity")).toUpper();
        filter.severity = alertSeverityFromName(name);
        if (!filter.severity)
            return invalid(QStringLiteral("severity"),
                           QStringLiteral("severity must be INFO, WARNING or CRITICAL"));
    }
    filter.roomId = query.queryItemValue(QStringLiteral("roomId"));
    filter.ruleId = query.queryItemValue(QStringLiteral("ruleId"));
    auto from = instantParameter(query, QStringLiteral("from"));
    if (!from.ok())
        return from.error();
    auto to = instantParameter(query, QStringLiteral("to"));
    if (!to.ok())
        return to.error();
    if (*from > 0 && *to > 0 && *from >= *to)
        return invalid(QStringLiteral("from"), QStringLiteral("from must be before to"));
    filter.fromMs = *from;
    filter.toMs = *to;
    auto offset =
        pageParameter(query, QStringLiteral("offset"), 0, std::numeric_limits<int>::max(), 0);
    if (!offset.ok())
        return offset.error();
    auto limit = pageParameter(query, QStringLiteral("limit"), 1, kMaxPageSize, kDefaultPageSize);
    if (!limit.ok())
        return limit.error();
    filter.offset = *offset;
    filter.limit = *limit;
    return filter;
}

Result<QString> commentOf(const QHttpServerRequest &request)
{
    if (request.body().trimmed().isEmpty())
        return QString();
    auto body = parseJsonObject(request.body());
    if (!body.ok())
        return body.error();
    for (auto it = body->constBegin(); it != body->constEnd(); ++it) {
        if (it.key() != u"comment")
            return invalid(it.key(), QStringLiteral("unknown field '%1'").arg(it.key()));
    }
    const QJsonValue comment = body->value(QStringLiteral("comment"));
    if (!comment.isUndefined() && !comment.isNull() && !comment.isString())
        return invalid(QStringLiteral("comment"), QStringLiteral("comment must be a string"));
    const QString text = comment.toString().trimmed();
    if (text.size() > kMaxCommentLength)
        return invalid(QStringLiteral("comment"),
                       QStringLiteral("comment has at most %1 characters").arg(kMaxCommentLength));
    return text;
}

void logRule(const char *event, const AlertRule &rule, const Principal &who)
{
    logEvent(lcRest(), QtInfoMsg, event,
             {{"rule_id", rule.id},
              {"rule_type", alertRuleTypeName(rule.type)},
              {"version", rule.version},
              {"tenant_id", who.tenantId},
              {"user_id", who.userId}});
}

template <typename Handler>
QHttpServerResponse guarded(const RestContext &context, const QHttpServerRequest &request,
                            Access access, Handler &&handler)
{
    auto who = authorize(context, request, access);
    if (auto *response = std::get_if<QHttpServerResponse>(&who))
        return std::move(*response);
    return handler(std::get<Principal>(who));
}

class AlertRoutes
{
public:
    AlertRoutes(RestContext &context, AlertService *service)
        : m_context(context), m_service(service)
    {}

    QHttpServerResponse listRules(const QHttpServerRequest &request, const Principal &who) const
    {
        const QUrlQuery query(request.url());
        auto offset =
            pageParameter(query, QStringLiteral("offset"), 0, std::numeric_limits<int>::max(), 0);
        if (!offset.ok())
            return problem(offset.error());
        auto limit =
            pageParameter(query, QStringLiteral("limit"), 1, kMaxPageSize, kDefaultPageSize);
        if (!limit.ok())
            return problem(limit.error());
        auto page = repository().listRules(who.tenantId, *offset, *limit);
        if (!page.ok())
            return problem(page.error());
        QJsonArray items;
        for (const AlertRule &rule : page->items)
            items.append(ruleToJson(rule));
        return json(QJsonObject{{QStringLiteral("items"), items},
                                {QStringLiteral("total"), page->total},
                                {QStringLiteral("offset"), *offset},
                                {QStringLiteral("limit"), *limit}});
    }

    QHttpServerResponse createRule(const QHttpServerRequest &request, const Principal &who) const
    {
        auto body = parseJsonObject(request.body());
        if (!body.ok())
            return problem(body.error());
        auto input = ruleFromJson(body.value(), std::nullopt);
        if (!input.ok())
            return problem(input.error());
        AlertRule rule = input->rule;
        if (auto scoped = resolveScope(*m_context.database, who, rule); !scoped)
            return problem(scoped.error());
        auto created = repository().createRule(Actor::fromPrincipal(who), rule);
        if (!created.ok())
            return problem(created.error());
        logRule("alert_rule.created", created.value(), who);
        changed();
        QHttpServerResponse response =
            withEtag(json(ruleToJson(created.value()), StatusCode::Created), created->version);
        response.setHeader(QByteArrayLiteral("Location"),
                           (QStringLiteral("/api/v1/alerts/rules/") + created->id).toUtf8());
        return response;
    }

    QHttpServerResponse getRule(const QString &id, const Principal &who) const
    {
        auto rule = repository().findRule(who.tenantId, id);
        if (!rule.ok())
            return problem(rule.error());
        return withEtag(json(ruleToJson(rule.value())), rule->version);
    }

    QHttpServerResponse updateRule(const QString &id, const QHttpServerRequest &request,
                                   const Principal &who) const
    {
        auto header = ifMatchVersion(request, QStringLiteral("rule"));
        if (!header.ok())
            return problem(header.error());
        auto body = parseJsonObject(request.body());
        if (!body.ok())
            return problem(body.error());
        auto current = repository().findRule(who.tenantId, id);
        if (!current.ok())
            return problem(current.error());
        auto input = ruleFromJson(body.value(), current.value());
        if (!input.ok())
            return problem(input.error());
        if (*header && input->version && **header != *input->version)
            return problem(invalid(QStringLiteral("version"),
                                   QStringLiteral("If-Match version %1 and body version %2 "
                                                  "disagree")
                                       .arg(**header)
                                       .arg(*input->version)));
        AlertRule rule = input->rule;
        if (auto scoped = resolveScope(*m_context.database, who, rule); !scoped)
            return problem(scoped.error());
        auto updated = repository().updateRule(Actor::fromPrincipal(who), rule,
                                               *header ? *header : input->version);
        if (!updated.ok())
            return conflictAware(updated.error(), who, id);
        logRule("alert_rule.updated", updated.value(), who);
        changed();
        return withEtag(json(ruleToJson(updated.value())), updated->version);
    }

    QHttpServerResponse deleteRule(const QString &id, const QHttpServerRequest &request,
                                   const Principal &who) const
    {
        auto header = ifMatchVersion(request, QStringLiteral("rule"));
        if (!header.ok())
            return problem(header.error());
        auto deleted = repository().deleteRule(Actor::fromPrincipal(who), id, *header);
        if (!deleted.ok())
            return conflictAware(deleted.error(), who, id);
        logRule("alert_rule.deleted", deleted.value(), who);
        changed();
        return QHttpServerResponse(StatusCode::NoContent);
    }

    // Lets an editor check a CUSTOM expression without saving a rule.
    QHttpServerResponse validateExpression(const QHttpServerRequest &request) const
    {
        auto body = parseJsonObject(request.body());
        if (!body.ok())
            return problem(body.error());
        const QJsonValue text = body->value(QStringLiteral("expression"));
        if (!text.isString())
            return problem(invalid(QStringLiteral("expression"),
                                   QStringLiteral("expression must be a string")));
        auto parsed = AlertExpression::parse(text.toString());
        if (!parsed.ok())
            return problem(invalid(QStringLiteral("expression"), parsed.error().message));
        return json(QJsonObject{
            {QStringLiteral("valid"), true},
            {QStringLiteral("identifiers"), QJsonArray::fromStringList(parsed->identifiers())}});
    }

    QHttpServerResponse listEvents(const QHttpServerRequest &request, const Principal &who) const
    {
        auto filter = eventFilter(request);
        if (!filter.ok())
            return problem(filter.error());
        auto page = repository().listEvents(who.tenantId, filter.value());
        if (!page.ok())
            return problem(page.error());
        QJsonArray items;
        for (const AlertEvent &event : page->items)
            items.append(event.toJson());
        return json(QJsonObject{{QStringLiteral("items"), items},
                                {QStringLiteral("total"), page->total},
                                {QStringLiteral("offset"), filter->offset},
                                {QStringLiteral("limit"), filter->limit}});
    }

    QHttpServerResponse getEvent(const QString &id, const Principal &who) const
    {
        auto event = repository().findEvent(who.tenantId, id);
        if (!event.ok())
            return problem(event.error());
        return json(event->toJson());
    }

    QHttpServerResponse transition(const QString &id, const QHttpServerRequest &request,
                                   const Principal &who, bool resolve) const
    {
        auto comment = commentOf(request);
        if (!comment.ok())
            return problem(comment.error());
        const Actor actor = Actor::fromPrincipal(who);
        auto event = resolve ? repository().resolveByHand(actor, id, comment.value())
                             : repository().acknowledge(actor, id, comment.value());
        if (!event.ok())
            return problem(event.error());
        logEvent(lcRest(), QtInfoMsg, resolve ? "alert_event.resolved" : "alert_event.acknowledged",
                 {{"event_id", id}, {"tenant_id", who.tenantId}, {"user_id", who.userId}});
        if (m_service) {
            if (resolve)
                m_service->eventResolvedByHand(event.value());
            else
                m_service->eventAcknowledged(event.value());
        }
        return json(event->toJson());
    }

private:
    AlertRepository repository() const { return AlertRepository(*m_context.database); }

    void changed() const
    {
        if (m_service)
            m_service->rulesChanged();
    }

    // A stale version gets the current one, so the editor can reload or overwrite knowingly.
    QHttpServerResponse conflictAware(const Error &error, const Principal &who,
                                      const QString &id) const
    {
        if (error.kind != ErrorKind::Conflict)
            return problem(error);
        QJsonObject extra{{QStringLiteral("field"), error.field}};
        auto current = repository().findRule(who.tenantId, id);
        if (!current.ok())
            return problem(StatusCode::Conflict, QStringLiteral("Conflict"), error.message, extra);
        extra.insert(QStringLiteral("currentVersion"), current->version);
        extra.insert(QStringLiteral("current"), ruleToJson(current.value()));
        return withEtag(
            problem(StatusCode::Conflict, QStringLiteral("Conflict"), error.message, extra),
            current->version);
    }

    RestContext &m_context;
    AlertService *m_service;
};

template <typename... Args>
void addRoute(QHttpServer &server, const QString &path, Args &&...args)
{
    if (!server.route(path, std::forward<Args>(args)...))
        qCCritical(lcRest).noquote() << "rest.route_rejected: path=" << path;
}

} // namespace

void registerAlertRoutes(QHttpServer &server, RestContext &context, AlertService *service)
{
    auto routes = std::make_shared<AlertRoutes>(context, service);
    RestContext *ctx = &context;
    const QString rules = QStringLiteral("/api/v1/alerts/rules");
    const QString events = QStringLiteral("/api/v1/alerts/events");

    addRoute(server, rules, Method::Get, [ctx, routes](const QHttpServerRequest &request) {
        return guarded(*ctx, request, Access::Read,
                       [&](const Principal &who) { return routes->listRules(request, who); });
    });
    addRoute(server, rules, Method::Post, [ctx, routes](const QHttpServerRequest &request) {
        return guarded(*ctx, request, Access::Admin,
                       [&](const Principal &who) { return routes->createRule(request, who); });
    });
    addRoute(server, rules + QStringLiteral("/validate"), Method::Post,
             [ctx, routes](const QHttpServerRequest &request) {
                 return guarded(*ctx, request, Access::Read, [&](const Principal &) {
                     return routes->validateExpression(request);
                 });
             });
    addRoute(server, rules + QStringLiteral("/<arg>"), Method::Get,
             [ctx, routes](const QString &id, const QHttpServerRequest &request) {
                 return guarded(*ctx, request, Access::Read,
                                [&](const Principal &who) { return routes->getRule(id, who); });
             });
    addRoute(server, rules + QStringLiteral("/<arg>"), Method::Put,
             [ctx, routes](const QString &id, const QHttpServerRequest &request) {
                 return guarded(*ctx, request, Access::Admin, [&](const Principal &who) {
                     return routes->updateRule(id, request, who);
                 });
             });
    addRoute(server, rules + QStringLiteral("/<arg>"), Method::Delete,
             [ctx, routes](const QString &id, const QHttpServerRequest &request) {
                 return guarded(*ctx, request, Access::Admin, [&](const Principal &who) {
                     return routes->deleteRule(id, request, who);
                 });
             });
    addRoute(server, events, Method::Get, [ctx, routes](const QHttpServerRequest &request) {
        return guarded(*ctx, request, Access::Read,
                       [&](const Principal &who) { return routes->listEvents(request, who); });
    });
    addRoute(server, events + QStringLiteral("/<arg>"), Method::Get,
             [ctx, routes](const QString &id, const QHttpServerRequest &request) {
                 return guarded(*ctx, request, Access::Read,
                                [&](const Principal &who) { return routes->getEvent(id, who); });
             });
    // Monitoring staff acknowledge and resolve: operating the inbox is not configuration.
    addRoute(server, events + QStringLiteral("/<arg>/ack"), Method::Post,
             [ctx, routes](const QString &id, const QHttpServerRequest &request) {
                 return guarded(*ctx, request, Access::Read, [&](const Principal &who) {
                     return routes->transition(id, request, who, false);
                 });
             });
    addRoute(server, events + QStringLiteral("/<arg>/resolve"), Method::Post,
             [ctx, routes](const QString &id, const QHttpServerRequest &request) {
                 return guarded(*ctx, request, Access::Read, [&](const Principal &who) {
                     return routes->transition(id, request, who, true);
                 });
             });
}

} // namespace spidi::rest
