#include "room_editor.h"

#include "editor_support.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>

namespace spidi::desktop {

namespace {

const QString kRoomsPath = QStringLiteral("/api/v1/rooms");

QStringList normalizedTags(const QStringList &tags)
{
    QStringList result;
    for (const QString &tag : tags) {
        const QString trimmed = tag.trimmed();
        if (!result.contains(trimmed))
            result.append(trimmed);
    }
    return result;
}

} // namespace

RoomEditor::RoomEditor(QObject *parent) : EditorForm(parent) {}

QStringList RoomEditor::comparedFields()
{
    return {QStringLiteral("name"),      QStringLiteral("typeCode"), QStringLiteral("status"),
            QStringLiteral("capacity"),  QStringLiteral("ttlSec"),   QStringLiteral("tags"),
            QStringLiteral("attributes")};
}

QVariantList RoomEditor::attributes() const
{
    QVariantList rows;
    for (const auto &[key, value] : m_attributes)
        rows.append(QVariantMap{{QStringLiteral("key"), key}, {QStringLiteral("value"), value}});
    return rows;
}

QStringList RoomEditor::roomTypeCodes() const
{
    QStringList codes;
    for (const QVariant &type : m_roomTypes)
        codes.append(type.toMap().value(QStringLiteral("code")).toString());
    return codes;
}

qint64 RoomEditor::serverVersion() const
{
    return qint64(m_serverRoom.value(QLatin1String("version")).toDouble());
}

void RoomEditor::setTypeCode(const QString &typeCode)
{
    if (m_typeCode == typeCode)
        return;
    m_typeCode = typeCode;
    for (const QVariant &v : std::as_const(m_roomTypes)) {
        const QVariantMap type = v.toMap();
        if (type.value(QStringLiteral("code")).toString() == typeCode) {
            m_capacity = type.value(QStringLiteral("defaultCapacity")).toInt();
            m_ttlSec = type.value(QStringLiteral("defaultTtlSec")).toInt();
        }
    }
    Q_EMIT changed();
}

void RoomEditor::loadTypes()
{
    if (!m_rest)
        return;
    m_rest->get(QStringLiteral("/api/v1/room-types"), {},
                [this, guard = QPointer<RoomEditor>(this)](const RestResult &result) {
                    if (!guard)
                        return;
                    if (!result.ok()) {
                        setErrors(errors(), problemText(result.problem));
                        return;
                    }
                    QVariantList types;
                    for (const QJsonValue &v :
                         result.object().value(QLatin1String("items")).toArray())
                        types.append(v.toObject().toVariantMap());
                    setRoomTypes(types);
                });
}

void RoomEditor::setRoomTypes(const QVariantList &types)
{
    m_roomTypes = types;
    Q_EMIT roomTypesChanged();
}

void RoomEditor::newRoom()
{
    m_roomId.clear();
    m_version = 0;
    m_code.clear();
    m_name.clear();
    m_typeCode.clear();
    m_status = QStringLiteral("ACTIVE");
    m_capacity = 0;
    m_ttlSec = 0;
    m_tags.clear();
    m_attributes.clear();
    m_serverRoom = {};
    Q_EMIT changed();
    setErrors({}, {});
    setConflict(false, {});
}

void RoomEditor::open(const QString &idOrCode)
{
    if (!m_rest)
        return;
    setBusy(true);
    m_rest->get(kRoomsPath + QLatin1Char('/') +
                    QString::fromLatin1(QUrl::toPercentEncoding(idOrCode)),
                {}, [this, guard = QPointer<RoomEditor>(this)](const RestResult &result) {
                    if (!guard)
                        return;
                    setBusy(false);
                    if (!result.ok()) {
                        applyProblem(result.problem);
                        return;
                    }
                    loadJson(result.object());
                    Q_EMIT loaded();
                });
}

void RoomEditor::loadJson(const QJsonObject &room)
{
    m_roomId = room.value(QLatin1String("id")).toString();
    m_version = qint64(room.value(QLatin1String("version")).toDouble());
    m_code = room.value(QLatin1String("code")).toString();
    m_name = room.value(QLatin1String("name")).toString();
    m_typeCode = room.value(QLatin1String("typeCode")).toString();
    m_status = room.value(QLatin1String("status")).toString();
    m_capacity = room.value(QLatin1String("capacity")).toInt();
    m_ttlSec = room.value(QLatin1String("ttlSec")).toInt();
    m_tags.clear();
    for (const QJsonValue &tag : room.value(QLatin1String("tags")).toArray())
        m_tags.append(tag.toString());
    m_attributes.clear();
    const QJsonObject attributes = room.value(QLatin1String("attributes")).toObject();
    for (auto it = attributes.constBegin(); it != attributes.constEnd(); ++it)
        m_attributes.append({it.key(), it.value().toString()});
    m_serverRoom = room;
    Q_EMIT changed();
    setErrors({}, {});
    setConflict(false, {});
}

void RoomEditor::addTag(const QString &tag)
{
    if (tag.isEmpty())
        return;
    m_tags.append(tag); // trimmed when sent; a blank tag is flagged by validate()
    Q_EMIT changed();
}

void RoomEditor::removeTag(int index)
{
    if (index < 0 || index >= m_tags.size())
        return;
    m_tags.removeAt(index);
    Q_EMIT changed();
}

void RoomEditor::addAttribute()
{
    m_attributes.append({QString(), QString()});
    Q_EMIT changed();
}

void RoomEditor::setAttribute(int row, const QString &key, const QString &value)
{
    if (row < 0 || row >= m_attributes.size())
        return;
    if (m_attributes[row].first == key && m_attributes[row].second == value)
        return;
    m_attributes[row] = {key, value};
    Q_EMIT changed();
}

void RoomEditor::removeAttribute(int row)
{
    if (row < 0 || row >= m_attributes.size())
        return;
    m_attributes.removeAt(row);
    Q_EMIT changed();
}

bool RoomEditor::validate()
{
    QVariantMap errors;
    if (creating()) {
        static const QRegularExpression codePattern(QStringLiteral("^[A-Z0-9][A-Z0-9_-]{1,63}$"));
        if (m_code.isEmpty())
            errors.insert(QStringLiteral("code"), QStringLiteral("code is required"));
        else if (!codePattern.match(m_code).hasMatch())
            errors.insert(QStringLiteral("code"),
                          QStringLiteral("code must be 2 to 64 characters of A-Z, 0-9, '_' and "
                                         "'-', starting with a letter or digit"));
    }
    const QString name = m_name.trimmed();
    if (name.isEmpty() || name.size() > kMaxNameLength)
        errors.insert(QStringLiteral("name"),
                      QStringLiteral("name must be 1 to %1 characters").arg(kMaxNameLength));
    if (m_typeCode.isEmpty())
        errors.insert(QStringLiteral("typeCode"), QStringLiteral("typeCode is required"));
    else if (!m_roomTypes.isEmpty() && !roomTypeCodes().contains(m_typeCode))
        errors.insert(QStringLiteral("typeCode"),
                      QStringLiteral("unknown room type '%1'").arg(m_typeCode));
    if (m_status != u"ACTIVE" && m_status != u"MAINTENANCE" && m_status != u"CLOSED")
        errors.insert(
            QStringLiteral("status"),
            QStringLiteral("status must be ACTIVE, MAINTENANCE or CLOSED, not '%1'").arg(m_status));
    if (m_capacity <= 0)
        errors.insert(QStringLiteral("capacity"),
                      QStringLiteral("capacity must be greater than 0"));
    if (m_ttlSec <= 0)
        errors.insert(QStringLiteral("ttlSec"), QStringLiteral("ttlSec must be greater than 0"));
    for (const QString &tag : std::as_const(m_tags)) {
        const QString trimmed = tag.trimmed();
        if (trimmed.isEmpty() || trimmed.size() > kMaxTagLength) {
            errors.insert(QStringLiteral("tags"),
                          QStringLiteral("each tag must be 1 to %1 characters").arg(kMaxTagLength));
            break;
        }
    }
    if (!errors.contains(QStringLiteral("tags")) && normalizedTags(m_tags).size() > kMaxTags)
        errors.insert(QStringLiteral("tags"),
                      QStringLiteral("a room has at most %1 tags").arg(kMaxTags));
    QSet<QString> keys;
    if (m_attributes.size() > kMaxAttributes)
        errors.insert(QStringLiteral("attributes"),
                      QStringLiteral("a room has at most %1 attributes").arg(kMaxAttributes));
    for (const auto &[key, value] : m_attributes) {
        if (errors.contains(QStringLiteral("attributes")))
            break;
        if (key.trimmed().isEmpty() || key.size() > kMaxAttributeKeyLength)
            errors.insert(QStringLiteral("attributes"),
                          QStringLiteral("attribute keys must be 1 to %1 characters")
                              .arg(kMaxAttributeKeyLength));
        else if (keys.contains(key))
            errors.insert(QStringLiteral("attributes"),
                          QStringLiteral("attribute '%1' appears twice").arg(key));
        else if (value.size() > kMaxAttributeValueLength)
            errors.insert(QStringLiteral("attributes"),
                          QStringLiteral("attribute '%1' is longer than %2 characters")
                              .arg(key)
                              .arg(kMaxAttributeValueLength));
        keys.insert(key);
    }
    setErrors(errors, {});
    return errors.isEmpty();
}

QJsonObject RoomEditor::toJson() const
{
    QJsonObject attributes;
    for (const auto &[key, value] : m_attributes)
        attributes.insert(key, value);
    QJsonObject body{{QStringLiteral("name"), m_name.trimmed()},
                     {QStringLiteral("typeCode"), m_typeCode},
                     {QStringLiteral("status"), m_status},
                     {QStringLiteral("capacity"), m_capacity},
                     {QStringLiteral("ttlSec"), m_ttlSec},
                     {QStringLiteral("tags"), QJsonArray::fromStringList(normalizedTags(m_tags))},
                     {QStringLiteral("attributes"), attributes}};
    if (creating())
        body.insert(QStringLiteral("code"), m_code);
    return body;
}

QString RoomEditor::roomPath() const
{
    return kRoomsPath + QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(m_roomId));
}

bool RoomEditor::save()
{
    if (!validate())
        return false;
    if (!m_rest) {
        setErrors({}, QStringLiteral("not connected"));
        return false;
    }
    send(m_version);
    return true;
}

void RoomEditor::send(qint64 version)
{
    const bool creating = m_roomId.isEmpty();
    QJsonObject body = toJson();
    if (!creating)
        body.insert(QStringLiteral("version"), version);
    setBusy(true);
    auto done = [this, guard = QPointer<RoomEditor>(this), creating](const RestResult &result) {
        if (!guard)
            return;
        setBusy(false);
        if (result.ok()) {
            loadJson(result.object());
            Q_EMIT saved(result.object().toVariantMap(), creating);
            return;
        }
        if (result.status == 409 && !creating &&
            result.problem.value(QStringLiteral("field")).toString() == u"version") {
            setBusy(true);
            m_rest->get(roomPath(), {}, [this, guard](const RestResult &current) {
                if (!guard)
                    return;
                setBusy(false);
                if (!current.ok()) {
                    applyProblem(current.problem);
                    return;
                }
                m_serverRoom = current.object();
                setErrors({}, {});
                setConflict(true, diffFields(toJson(), m_serverRoom, comparedFields()));
            });
            return;
        }
        applyProblem(result.problem);
    };
    if (creating)
        m_rest->post(kRoomsPath, body, std::move(done));
    else
        m_rest->put(roomPath(), body, std::move(done));
}

void RoomEditor::remove()
{
    if (!m_rest || m_roomId.isEmpty())
        return;
    const QString code = m_code;
    setBusy(true);
    m_rest->deleteResource(
        roomPath(), [this, guard = QPointer<RoomEditor>(this), code](const RestResult &result) {
            if (!guard)
                return;
            setBusy(false);
            if (result.ok()) {
                Q_EMIT removed(code);
                return;
            }
            applyProblem(result.problem);
        });
}

void RoomEditor::reload()
{
    if (!m_serverRoom.isEmpty())
        loadJson(m_serverRoom);
    setConflict(false, {});
}

void RoomEditor::overwrite()
{
    if (!conflict() || !m_rest)
        return;
    const qint64 current = serverVersion();
    setConflict(false, {});
    if (!validate())
        return;
    send(current);
}

} // namespace spidi::desktop
