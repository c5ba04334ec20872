#pragma once

#include "services/editor_form.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QVariantList>
#include <QVariantMap>

namespace spidi::desktop {

// The room editor's form (docs/desktop.md#room-editor): create, edit and delete a room through
// RestClient with the server's own checks (docs/rest-api.md#room) shown per field before
// sending, the type picker's defaults (GET /api/v1/room-types), tags, attributes as key/value
// rows, server problems next to their field, and a 409 turned into a field-by-field difference
// with the server's current room, resolved by reload (discard) or overwrite (resend with the
// current version).
class RoomEditor : public spidi::desktop::EditorForm
{
    Q_OBJECT
    Q_PROPERTY(QString roomId READ roomId NOTIFY changed)
    Q_PROPERTY(int version READ versionNumber NOTIFY changed)
    Q_PROPERTY(bool creating READ creating NOTIFY changed)

    Q_PROPERTY(QString code MEMBER m_code NOTIFY changed)
    Q_PROPERTY(QString name MEMBER m_name NOTIFY changed)
    // Picking a type fills capacity and ttlSec with its defaults.
    Q_PROPERTY(QString typeCode READ typeCode WRITE setTypeCode NOTIFY changed)
    Q_PROPERTY(QString status MEMBER m_status NOTIFY changed)
    Q_PROPERTY(int capacity MEMBER m_capacity NOTIFY changed)
    Q_PROPERTY(int ttlSec MEMBER m_ttlSec NOTIFY changed)
    Q_PROPERTY(QStringList tags READ tags NOTIFY changed)
    // [{key, value}] in the order shown.
    Q_PROPERTY(QVariantList attributes READ attributes NOTIFY changed)

    // [{code, name, description, defaultCapacity, defaultTtlSec}] from GET /room-types.
    Q_PROPERTY(QVariantList roomTypes READ roomTypes NOTIFY roomTypesChanged)
    Q_PROPERTY(QStringList roomTypeCodes READ roomTypeCodes NOTIFY roomTypesChanged)

public:
    explicit RoomEditor(QObject *parent = nullptr);

    QString roomId() const { return m_roomId; }
    qint64 version() const { return m_version; }
    int versionNumber() const { return int(m_version); }
    bool creating() const { return m_roomId.isEmpty(); }
    QString typeCode() const { return m_typeCode; }
    void setTypeCode(const QString &typeCode);
    QStringList tags() const { return m_tags; }
    QVariantList attributes() const;
    QVariantList roomTypes() const { return m_roomTypes; }
    QStringList roomTypeCodes() const;
    qint64 serverVersion() const;

    // GET /api/v1/room-types (the type picker).
    Q_INVOKABLE void loadTypes();
    Q_INVOKABLE void setRoomTypes(const QVariantList &types);
    // An empty form for a new room (status ACTIVE).
    Q_INVOKABLE void newRoom();
    // GET the room (id or code) into the form.
    Q_INVOKABLE void open(const QString &idOrCode);
    void loadJson(const QJsonObject &room);

    Q_INVOKABLE void addTag(const QString &tag);
    Q_INVOKABLE void removeTag(int index);
    Q_INVOKABLE void addAttribute();
    Q_INVOKABLE void setAttribute(int row, const QString &key, const QString &value);
    Q_INVOKABLE void removeAttribute(int row);

    // The server's rules, checked here; true when fine, errors set otherwise.
    Q_INVOKABLE bool validate();
    // The body of a POST (code included) or a PUT (without code and version).
    QJsonObject toJson() const;
    Q_INVOKABLE bool save();
    Q_INVOKABLE void remove();
    Q_INVOKABLE void reload();
    Q_INVOKABLE void overwrite();

    // The fields compared on a conflict.
    static QStringList comparedFields();

    // The server's limits (server/db/room_repository.cpp).
    static constexpr int kMaxNameLength = 200;
    static constexpr int kMaxTags = 32;
    static constexpr int kMaxTagLength = 64;
    static constexpr int kMaxAttributes = 100;
    static constexpr int kMaxAttributeKeyLength = 128;
    static constexpr int kMaxAttributeValueLength = 4096;

Q_SIGNALS:
    void changed();
    void roomTypesChanged();
    void loaded();
    void saved(const QVariantMap &room, bool created);
    void removed(const QString &code);

private:
    void send(qint64 version);
    QString roomPath() const;

    QString m_roomId;
    qint64 m_version = 0;
    QString m_code;
    QString m_name;
    QString m_typeCode;
    QString m_status = QStringLiteral("ACTIVE");
    int m_capacity = 0;
    int m_ttlSec = 0;
    QStringList m_tags;
    QList<QPair<QString, QString>> m_attributes;
    QVariantList m_roomTypes;
    QJsonObject m_serverRoom;
};

} // namespace spidi::desktop
