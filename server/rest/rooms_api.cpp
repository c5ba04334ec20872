#include "rest/rooms_api.h"

#include "db/room_repository.h"
#include "logging/json_log_handler.h"
#include "logging/log_categories.h"
#include "rest/problem.h"
#include "rest/request_guard.h"
#include "rest/room_json.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QMetaEnum>
#include <QUrlQuery>

#include <exception>
#include <limits>
#include <optional>

namespace spidi::rest {

namespace {

using Method = QHttpServerRequest::Method;
using StatusCode = QHttpServerResponse::StatusCode;

const QString kApi = QStringLiteral("/api/v1");
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

QByteArray methodName(Method method)
{
    const char *key = QMetaEnum::fromType<Method>().valueToKey(static_cast<int>(method));
    return key ? QByteArray(key).toUpper() : QByteArrayLiteral("UNKNOWN");
}

QByteArray etag(qint64 version)
{
    return '"' + QByteArray::number(version) + '"';
}

QHttpServerResponse withEtag(QHttpServerResponse response, qint64 version)
{
    response.setHeader(QByteArrayLiteral("ETag"), etag(version));
    return response;
}

QHttpServerResponse badRequest(const QString &detail, const QString &field = {})
{
    QJsonObject extra;
    if (!field.isEmpty())
        extra.insert(QStringLiteral("field"), field);
    return problem(StatusCode::BadRequest, QStringLiteral("Bad request"), detail, extra);
}

// The body version and If-Match may both be given, but must then agree.
Result<std::optional<qint64>> expectedVersion(std::optional<qint64> header,
                                              std::optional<qint64> body)
{
    if (header && body && *header != *body)
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("If-Match version %1 and body version %2 disagree")
                             .arg(*header)
                             .arg(*body),
                         QStringLiteral("version"));
    return header ? header : body;
}

// A problem for a failed repository call. A stale version gets the current version so the
// client can reload and retry without guessing.
QHttpServerResponse writeProblem(const Error &error, const RoomRepository &rooms,
                                 const Principal &principal, const QString &idOrCode)
{
    if (error.kind != ErrorKind::Conflict || error.field != QLatin1String("version"))
        return problem(error);
    QJsonObject extra{{QStringLiteral("field"), error.field}};
    QString detail = error.message;
    const auto current = rooms.find(principal.tenantId, idOrCode);
    if (!current.ok()) // deleted in the meantime, or the database went away
        return problem(StatusCode::Conflict, QStringLiteral("Conflict"), detail, extra);
    extra.insert(QStringLiteral("currentVersion"), current->version);
    const QString atVersion = QStringLiteral("at version %1").arg(current->version);
    if (!detail.contains(atVersion))
        detail += QStringLiteral(" (the room is now %1)").arg(atVersion);
    return withEtag(problem(StatusCode::Conflict, QStringLiteral("Conflict"), detail, extra),
                    current->version);
}

void logWrite(const char *event, const Room &room, const Principal &principal)
{
    logEvent(lcRest(), QtInfoMsg, event,
             {{"room_id", room.id},
              {"room_code", room.code},
              {"version", room.version},
              {"tenant_id", room.tenantId},
              {"user_id", principal.userId}});
}

void notifyChanged(const RestContext &context, const Room &room)
{
    if (context.roomChanged)
        context.roomChanged(room);
}

// Everything that precedes a handler: body size, authentication, permission, database.
template <typename Handler>
QHttpServerResponse guarded(RestContext &context, const QHttpServerRequest &request, Access access,
                            Handler &&handler)
{
    auto who = authorize(context, request, access);
    if (auto *refused = std::get_if<QHttpServerResponse>(&who))
        return std::move(*refused);
    const Principal &principal = std::get<Principal>(who);
    const QString path = request.url().path();
    RoomRepository rooms(*context.database);
    try {
        return handler(principal, rooms);
    } catch (const std::exception &exception) {
        qCCritical(lcRest).noquote()
            << "rest.handler_threw: path=" << path << "what=" << exception.what();
    } catch (...) {
        qCCritical(lcRest).noquote() << "rest.handler_threw: path=" << path;
    }
    return problem(makeError(ErrorKind::Internal, QStringLiteral("handler failed")));
}

// GET /rooms query → filter; a malformed parameter is a 400 naming it.
std::optional<QHttpServerResponse> parseFilter(const QUrlQuery &query, const RoomRepository &rooms,
                                               RoomFilter &filter)
{
    const auto item = [&query](const char *name) {
        return query.queryItemValue(QString::fromLatin1(name), QUrl::FullyDecoded);
    };
    const auto integer = [&](const char *name, int min, int max,
                             int &target) -> std::optional<QHttpServerResponse> {
        if (!query.hasQueryItem(QString::fromLatin1(name)))
            return std::nullopt;
        bool ok = false;
        const int value = item(name).toInt(&ok);
        if (!ok || value < min || value > max)
            return badRequest(QStringLiteral("%1 must be an integer between %2 and %3")
                                  .arg(QString::fromLatin1(name))
                                  .arg(min)
                                  .arg(max),
                              QString::fromLatin1(name));
        target = value;
        return std::nullopt;
    };

    filter.limit = kDefaultPageSize;
    if (auto bad = integer("offset", 0, std::numeric_limits<int>::max(), filter.offset))
        return bad;
    if (auto bad = integer("limit", 1, kMaxPageSize, filter.limit))
        return bad;
    if (query.hasQueryItem(QStringLiteral("status"))) {
        const QString text = item("status");
        const auto status = roomStatusFromString(text.toUpper());
        if (!status)
            return badRequest(
                QStringLiteral("status must be ACTIVE, MAINTENANCE or CLOSED, not '%1'").arg(text),
                QStringLiteral("status"));
        filter.status = status;
    }
    filter.typeCode = item("type");
    if (!filter.typeCode.isEmpty()) {
        auto type = rooms.roomType(filter.typeCode);
        if (!type.ok()) {
            if (type.error().kind != ErrorKind::NotFound)
                return problem(type.error());
            return badRequest(QStringLiteral("unknown room type '%1'").arg(filter.typeCode),
                              QStringLiteral("type"));
        }
    }
    filter.tag = item("tag");
    filter.q = item("q");
    return std::nullopt;
}

QHttpServerResponse listRooms(const QHttpServerRequest &request, const Principal &principal,
                              RoomRepository &rooms)
{
    RoomFilter filter;
    if (auto bad = parseFilter(request.query(), rooms, filter))
        return std::move(*bad);
    const auto page = rooms.list(principal.tenantId, filter);
    if (!page.ok())
        return problem(page.error());
    QJsonArray items;
    for (const Room &room : page->items)
        items.append(roomToJson(room));
    return json(QJsonObject{{QStringLiteral("items"), items},
                            {QStringLiteral("total"), page->total},
                            {QStringLiteral("offset"), filter.offset},
                            {QStringLiteral("limit"), filter.limit}});
}

QHttpServerResponse createRoom(RestContext &context, const QHttpServerRequest &request,
                               const Principal &principal, RoomRepository &rooms)
{
    const auto body = parseJsonObject(request.body());
    if (!body.ok())
        return problem(body.error());
    const auto draft = roomDraftFromJson(body.value(), DraftKind::Create);
    if (!draft.ok())
        return problem(draft.error());
    const auto created = rooms.create(Actor::fromPrincipal(principal), draft.value());
    if (!created.ok())
        return problem(created.error());
    const Room &room = created.value();
    logWrite("room.created", room, principal);
    notifyChanged(context, room);
    QHttpServerResponse response =
        withEtag(json(roomToJson(room), StatusCode::Created), room.version);
    response.setHeader(QByteArrayLiteral("Location"),
                       (kApi + QStringLiteral("/rooms/") + room.id).toUtf8());
    return response;
}

QHttpServerResponse getRoom(const QString &idOrCode, const Principal &principal,
                            const RoomRepository &rooms)
{
    const auto room = rooms.find(principal.tenantId, idOrCode);
    if (!room.ok())
        return problem(room.error());
    return withEtag(json(roomToJson(room.value())), room->version);
}

QHttpServerResponse updateRoom(RestContext &context, const QString &idOrCode,
                               const QHttpServerRequest &request, const Principal &principal,
                               RoomRepository &rooms)
{
    const auto ifMatch = ifMatchVersion(request);
    if (!ifMatch.ok())
        return badRequest(ifMatch.error().message, ifMatch.error().field);
    const auto body = parseJsonObject(request.body());
    if (!body.ok())
        return problem(body.error());
    const auto draft = roomDraftFromJson(body.value(), DraftKind::Update);
    if (!draft.ok())
        return problem(draft.error());
    const auto updated =
        rooms.update(Actor::fromPrincipal(principal), idOrCode, draft.value(), ifMatch.value());
    if (!updated.ok())
        return writeProblem(updated.error(), rooms, principal, idOrCode);
    const Room &room = updated.value();
    logWrite("room.updated", room, principal);
    notifyChanged(context, room);
    return withEtag(json(roomToJson(room)), room.version);
}

QHttpServerResponse deleteRoom(RestContext &context, const QString &idOrCode,
                               const QHttpServerRequest &request, const Principal &principal,
                               RoomRepository &rooms)
{
    const auto ifMatch = ifMatchVersion(request);
    if (!ifMatch.ok())
        return badRequest(ifMatch.error().message, ifMatch.error().field);
    const auto deleted =
        rooms.softDelete(Actor::fromPrincipal(principal), idOrCode, ifMatch.value());
    if (!deleted.ok())
        return writeProblem(deleted.error(), rooms, principal, idOrCode);
    logWrite("room.deleted", deleted.value(), principal);
    if (context.roomDeleted)
        context.roomDeleted(deleted.value());
    return QHttpServerResponse(StatusCode::NoContent);
}

QHttpServerResponse setMaintenance(RestContext &context, const QString &idOrCode,
                                   const QHttpServerRequest &request, const Principal &principal,
                                   RoomRepository &rooms)
{
    const auto ifMatch = ifMatchVersion(request);
    if (!ifMatch.ok())
        return badRequest(ifMatch.error().message, ifMatch.error().field);
    const auto body = parseJsonObject(request.body());
    if (!body.ok())
        return problem(body.error());
    const auto maintenance = maintenanceFromJson(body.value());
    if (!maintenance.ok())
        return problem(maintenance.error());
    const auto version = expectedVersion(ifMatch.value(), maintenance->version);
    if (!version.ok())
        return problem(version.error());
    const auto updated = rooms.setMaintenance(Actor::fromPrincipal(principal), idOrCode,
                                              maintenance->enabled, version.value());
    if (!updated.ok())
        return writeProblem(updated.error(), rooms, principal, idOrCode);
    const Room &room = updated.value();
    logWrite(maintenance->enabled ? "room.maintenance_on" : "room.maintenance_off", room,
             principal);
    notifyChanged(context, room);
    return withEtag(json(roomToJson(room)), room.version);
}

QHttpServerResponse getAttributes(const QString &idOrCode, const Principal &principal,
                                  const RoomRepository &rooms)
{
    const auto room = rooms.find(principal.tenantId, idOrCode);
    if (!room.ok())
        return problem(room.error());
    return withEtag(json(attributesToJson(room->attributes)), room->version);
}

QHttpServerResponse replaceAttributes(RestContext &context, const QString &idOrCode,
                                      const QHttpServerRequest &request, const Principal &principal,
                                      RoomRepository &rooms)
{
    const auto ifMatch = ifMatchVersion(request);
    if (!ifMatch.ok())
        return badRequest(ifMatch.error().message, ifMatch.error().field);
    const auto body = parseJsonObject(request.body());
    if (!body.ok())
        return problem(body.error());
    const auto attributes = attributesFromJson(body.value(), QString());
    if (!attributes.ok())
        return problem(attributes.error());
    const auto updated = rooms.replaceAttributes(Actor::fromPrincipal(principal), idOrCode,
                                                 attributes.value(), ifMatch.value());
    if (!updated.ok())
        return writeProblem(updated.error(), rooms, principal, idOrCode);
    const Room &room = updated.value();
    logWrite("room.attributes_replaced", room, principal);
    notifyChanged(context, room);
    return withEtag(json(attributesToJson(room.attributes)), room.version);
}

QHttpServerResponse listRoomTypes(const RoomRepository &rooms)
{
    const auto types = rooms.roomTypes();
    if (!types.ok())
        return problem(types.error());
    QJsonArray items;
    for (const RoomType &type : types.value())
        items.append(roomTypeToJson(type));
    return json(QJsonObject{{QStringLiteral("items"), items},
                            {QStringLiteral("total"), static_cast<qint64>(types->size())}});
}

// 405 for a method the path does not have (OPTIONS answers with the Allow list).
QHttpServerResponse methodNotAllowed(const QHttpServerRequest &request, const QByteArray &allow)
{
    if (request.method() == Method::Options) {
        QHttpServerResponse response(StatusCode::NoContent);
        response.setHeader(QByteArrayLiteral("Allow"), allow + ", OPTIONS");
        return response;
    }
    QHttpServerResponse response =
        problem(StatusCode::MethodNotAllowed, QStringLiteral("Method not allowed"),
                QStringLiteral("%1 is not allowed on %2; allowed: %3")
                    .arg(QString::fromLatin1(methodName(request.method())), request.url().path(),
                         QString::fromLatin1(allow)));
    response.setHeader(QByteArrayLiteral("Allow"), allow + ", OPTIONS");
    return response;
}

template <typename... Args>
void addRoute(QHttpServer &server, const QString &path, Args &&...args)
{
    if (!server.route(path, std::forward<Args>(args)...))
        qCCritical(lcRest).noquote() << "rest.route_rejected: path=" << path;
}

} // namespace

void registerRoomRoutes(QHttpServer &server, RestContext &context)
{
    RestContext *ctx = &context;
    const QString roomTypesPath = kApi + QStringLiteral("/room-types");
    const QString roomsPath = kApi + QStringLiteral("/rooms");
    const QString roomPath = roomsPath + QStringLiteral("/<arg>");
    const QString maintenancePath = roomPath + QStringLiteral("/maintenance");
    const QString attributesPath = roomPath + QStringLiteral("/attributes");

    addRoute(server, roomTypesPath, Method::Get, [ctx](const QHttpServerRequest &request) {
        return guarded(*ctx, request, Access::Read, [](const Principal &, RoomRepository &rooms) {
            return listRoomTypes(rooms);
        });
    });
    addRoute(server, roomsPath, Method::Get, [ctx](const QHttpServerRequest &request) {
        return guarded(*ctx, request, Access::Read,
                       [&request](const Principal &principal, RoomRepository &rooms) {
                           return listRooms(request, principal, rooms);
                       });
    });
    addRoute(server, roomsPath, Method::Post, [ctx](const QHttpServerRequest &request) {
        return guarded(*ctx, request, Access::Admin,
                       [ctx, &request](const Principal &principal, RoomRepository &rooms) {
                           return createRoom(*ctx, request, principal, rooms);
                       });
    });
    addRoute(server, roomPath, Method::Get,
             [ctx](const QString &idOrCode, const QHttpServerRequest &request) {
                 return guarded(*ctx, request, Access::Read,
                                [&idOrCode](const Principal &principal, RoomRepository &rooms) {
                                    return getRoom(idOrCode, principal, rooms);
                                });
             });
    addRoute(server, roomPath, Method::Put,
             [ctx](const QString &idOrCode, const QHttpServerRequest &request) {
                 return guarded(*ctx, request, Access::Admin,
                                [&](const Principal &principal, RoomRepository &rooms) {
                                    return updateRoom(*ctx, idOrCode, request, principal, rooms);
                                });
             });
    addRoute(server, roomPath, Method::Delete,
             [ctx](const QString &idOrCode, const QHttpServerRequest &request) {
                 return guarded(*ctx, request, Access::Admin,
                                [&](const Principal &principal, RoomRepository &rooms) {
                                    return deleteRoom(*ctx, idOrCode, request, principal, rooms);
                                });
             });
    addRoute(server, maintenancePath, Method::Post,
             [ctx](const QString &idOrCode, const QHttpServerRequest &request) {
                 return guarded(*ctx, request, Access::Admin,
                                [&](const Principal &principal, RoomRepository &rooms) {
                                    return setMaintenance(*ctx, idOrCode, request, principal,
                                                          rooms);
                                });
             });
    addRoute(server, attributesPath, Method::Get,
             [ctx](const QString &idOrCode, const QHttpServerRequest &request) {
                 return guarded(*ctx, request, Access::Read,
                                [&idOrCode](const Principal &principal, RoomRepository &rooms) {
                                    return getAttributes(idOrCode, principal, rooms);
                                });
             });
    addRoute(server, attributesPath, Method::Put,
             [ctx](const QString &idOrCode, const QHttpServerRequest &request) {
                 return guarded(*ctx, request, Access::Admin,
                                [&](const Principal &principal, RoomRepository &rooms) {
                                    return replaceAttributes(*ctx, idOrCode, request, principal,
                                                             rooms);
                                });
             });

    // Registered last: the router tries rules in order, so these only see the other methods.
    const QHttpServerRequest::Methods any = Method::AnyKnown;
    addRoute(server, roomTypesPath, any, [](const QHttpServerRequest &request) {
        return methodNotAllowed(request, QByteArrayLiteral("GET"));
    });
    addRoute(server, roomsPath, any, [](const QHttpServerRequest &request) {
        return methodNotAllowed(request, QByteArrayLiteral("GET, POST"));
    });
    addRoute(server, roomPath, any, [](const QString &, const QHttpServerRequest &request) {
        return methodNotAllowed(request, QByteArrayLiteral("GET, PUT, DELETE"));
    });
    addRoute(server, maintenancePath, any, [](const QString &, const QHttpServerRequest &request) {
        return methodNotAllowed(request, QByteArrayLiteral("POST"));
    });
    addRoute(server, attributesPath, any, [](const QString &, const QHttpServerRequest &request) {
        return methodNotAllowed(request, QByteArrayLiteral("GET, PUT"));
    });
}

} // namespace spidi::rest
