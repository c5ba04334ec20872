#include "rest/room_json.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>

#include <cmath>
#include <limits>

namespace spidi::rest {

namespace {

Error invalidField(const QString &field, const QString &message)
{
    return makeError(ErrorKind::Invalid, message, field);
}

Result<QString> stringField(const QJsonObject &object, const QString &field)
{
    const QJsonValue value = object.value(field);
    if (!value.isString())
        return wrongType(field, QStringLiteral("a string"), value);
    return value.toString();
}

// A JSON number that is a whole number within [min, max].
Result<qint64> integerField(const QJsonObject &object, const QString &field, qint64 min, qint64 max)
{
    const QJsonValue value = object.value(field);
    if (!value.isDouble())
        return wrongType(field, QStringLiteral("an integer"), value);
    const double number = value.toDouble();
    if (!std::isfinite(number) || std::trunc(number) != number)
        return invalidField(field, QStringLiteral("%1 must be an integer").arg(field));
    if (number < static_cast<double>(min) || number > static_cast<double>(max))
        return invalidField(
            field, QStringLiteral("%1 must be between %2 and %3").arg(field).arg(min).arg(max));
    return static_cast<qint64>(number);
}

// Versions are positive; 2^53 keeps the double → integer conversion exact.
constexpr qint64 kMaxVersion = qint64(1) << 53;

Result<int> intField(const QJsonObject &object, const QString &field)
{
    auto value = integerField(object, field, std::numeric_limits<int>::min(),
                              std::numeric_limits<int>::max());
    if (!value)
        return value.error();
    return static_cast<int>(value.value());
}

} // namespace

QString jsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("undefined");
}

Error wrongType(const QString &field, const QString &expected, const QJsonValue &value)
{
    return invalidField(
        field, QStringLiteral("%1 must be %2, not %3").arg(field, expected, jsonTypeName(value)));
}

QJsonValue toJsonTime(const QDateTime &time)
{
    if (!time.isValid())
        return QJsonValue(QJsonValue::Null);
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QJsonObject attributesToJson(const QVariantMap &attributes)
{
    QJsonObject object;
    for (auto it = attributes.constBegin(); it != attributes.constEnd(); ++it)
        object.insert(it.key(), it.value().toString());
    return object;
}

QJsonObject roomToJson(const Room &room)
{
    QJsonObject json = roomStateToJson(room);
    json.insert(QStringLiteral("createdAt"), toJsonTime(room.createdAt));
    json.insert(QStringLiteral("updatedAt"), toJsonTime(room.updatedAt));
    return json;
}

QJsonObject roomTypeToJson(const RoomType &type)
{
    return QJsonObject{
        {QStringLiteral("code"), type.code},
        {QStringLiteral("name"), type.name},
        {QStringLiteral("description"), type.description},
        {QStringLiteral("defaultCapacity"), type.defaultCapacity},
        {QStringLiteral("defaultTtlSec"), type.defaultTtlSec},
    };
}

Result<QJsonObject> parseJsonObject(const QByteArray &body)
{
    if (body.trimmed().isEmpty())
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("the request body must be a JSON object, and it is empty"));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("the request body is not valid JSON: %1 at offset %2")
                             .arg(parseError.errorString())
                             .arg(parseError.offset));
    if (!document.isObject())
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("the request body must be a JSON object"));
    return document.object();
}

Result<QVariantMap> attributesFromJson(const QJsonObject &object, const QString &fieldPrefix)
{
    QVariantMap attributes;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString field = fieldPrefix + it.key();
        if (!it.value().isString())
            return invalidField(field, QStringLiteral("attribute '%1' must be a string, not %2")
                                           .arg(it.key(), jsonTypeName(it.value())));
        attributes.insert(it.key(), it.value().toString());
    }
    return attributes;
}

Result<RoomDraft> roomDraftFromJson(const QJsonObject &object, DraftKind kind)
{
    static const QSet<QString> writable = {
        QStringLiteral("code"),   QStringLiteral("name"),       QStringLiteral("typeCode"),
        QStringLiteral("status"), QStringLiteral("capacity"),   QStringLiteral("ttlSec"),
        QStringLiteral("tags"),   QStringLiteral("attributes"),
    };
    // What a client gets from GET and may send back unchanged with a PUT.
    static const QSet<QString> readOnly = {QStringLiteral("id"), QStringLiteral("createdAt"),
                                           QStringLiteral("updatedAt")};
    const QString version = QStringLiteral("version");

    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString &key = it.key();
        if (writable.contains(key))
            continue;
        if (kind == DraftKind::Update && key == version)
            continue;
        if (readOnly.contains(key) || key == version) {
            if (kind == DraftKind::Update) {
                if (!it.value().isString())
                    return wrongType(key, QStringLiteral("a string"), it.value());
                continue; // ignored: the server owns it
            }
            return invalidField(key, QStringLiteral("%1 is assigned by the server and cannot be "
                                                    "sent when creating a room")
                                         .arg(key));
        }
        return invalidField(key, QStringLiteral("unknown field '%1'").arg(key));
    }

    RoomDraft draft;
    for (const auto &[field, target] : {std::pair{QStringLiteral("code"), &draft.code},
                                        std::pair{QStringLiteral("name"), &draft.name},
                                        std::pair{QStringLiteral("typeCode"), &draft.typeCode}}) {
        if (!object.contains(field))
            continue;
        auto text = stringField(object, field);
        if (!text)
            return text.error();
        *target = text.value();
    }
    if (object.contains(QStringLiteral("status"))) {
        auto text = stringField(object, QStringLiteral("status"));
        if (!text)
            return text.error();
        const auto status = roomStatusFromString(text.value());
        if (!status)
            return invalidField(
                QStringLiteral("status"),
                QStringLiteral("status must be ACTIVE, MAINTENANCE or CLOSED, not '%1'")
                    .arg(text.value()));
        draft.status = *status;
    }
    for (const auto &[field, target] : {std::pair{QStringLiteral("capacity"), &draft.capacity},
                                        std::pair{QStringLiteral("ttlSec"), &draft.ttlSec}}) {
        if (!object.contains(field))
            continue;
        auto number = intField(object, field);
        if (!number)
            return number.error();
        *target = number.value();
    }
    if (object.contains(QStringLiteral("tags"))) {
        const QJsonValue value = object.value(QStringLiteral("tags"));
        if (!value.isArray())
            return wrongType(QStringLiteral("tags"), QStringLiteral("an array of strings"), value);
        QStringList tags;
        for (const QJsonValue &tag : value.toArray()) {
            if (!tag.isString())
                return invalidField(QStringLiteral("tags"),
                                    QStringLiteral("tags must contain only strings, not %1")
                                        .arg(jsonTypeName(tag)));
            tags.append(tag.toString());
        }
        draft.tags = tags;
    }
    if (object.contains(QStringLiteral("attributes"))) {
        const QJsonValue value = object.value(QStringLiteral("attributes"));
        if (!value.isObject())
            return wrongType(QStringLiteral("attributes"), QStringLiteral("an object"), value);
        auto attributes = attributesFromJson(value.toObject(), QStringLiteral("attributes."));
        if (!attributes)
            return attributes.error();
        draft.attributes = attributes.value();
    }
    if (kind == DraftKind::Update && object.contains(version)) {
        auto number = integerField(object, version, 1, kMaxVersion);
        if (!number)
            return number.error();
        draft.version = number.value();
    }
    return draft;
}

Result<MaintenanceRequest> maintenanceFromJson(const QJsonObject &object)
{
    const QString enabled = QStringLiteral("enabled");
    const QString version = QStringLiteral("version");
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (it.key() != enabled && it.key() != version)
            return invalidField(it.key(), QStringLiteral("unknown field '%1'").arg(it.key()));
    }
    if (!object.contains(enabled))
        return invalidField(enabled, QStringLiteral("enabled is required (true or false)"));
    const QJsonValue value = object.value(enabled);
    if (!value.isBool())
        return wrongType(enabled, QStringLiteral("a boolean"), value);
    MaintenanceRequest request;
    request.enabled = value.toBool();
    if (object.contains(version)) {
        auto number = integerField(object, version, 1, kMaxVersion);
        if (!number)
            return number.error();
        request.version = number.value();
    }
    return request;
}

} // namespace spidi::rest
