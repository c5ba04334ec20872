#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QString>

#include <optional>

// Client messages of the JSON framing (docs/protocol.md), built the same way by every suite.
namespace spidi::test::msg {

struct Device
{
    QString appVersion = QStringLiteral("3.0.0");
    QString device = QStringLiteral("ThinkPad");
    QString os = QStringLiteral("Debian 12");
};

inline QJsonObject hello(const QString &roomCode, const QString &clientId,
                         const QString &resumeSessionId = {}, const Device &device = {})
{
    QJsonObject message{{QStringLiteral("type"), QStringLiteral("HELLO")},
                        {QStringLiteral("roomCode"), roomCode},
                        {QStringLiteral("clientId"), clientId},
                        {QStringLiteral("appVersion"), device.appVersion},
                        {QStringLiteral("device"), device.device},
                        {QStringLiteral("os"), device.os}};
    if (!resumeSessionId.isEmpty())
        message.insert(QStringLiteral("resumeSessionId"), resumeSessionId);
    return message;
}

// latencyMs < 0: no latency reported.
inline QJsonObject heartbeat(const QString &sessionId, int latencyMs = -1)
{
    QJsonObject message{{QStringLiteral("type"), QStringLiteral("HEARTBEAT")},
                        {QStringLiteral("sessionId"), sessionId}};
    if (latencyMs >= 0)
        message.insert(QStringLiteral("latencyMs"), latencyMs);
    return message;
}

inline QJsonObject leave(const QString &sessionId)
{
    return {{QStringLiteral("type"), QStringLiteral("LEAVE")},
            {QStringLiteral("sessionId"), sessionId}};
}

inline QJsonObject subscribe(const QString &topic)
{
    return {{QStringLiteral("type"), QStringLiteral("SUBSCRIBE")},
            {QStringLiteral("topic"), topic}};
}

// What came back: the "type" (or "code" of an ERROR) of a reply, "<none>" when none came.
inline QString typeOf(const std::optional<QJsonObject> &message)
{
    return message ? message->value(QStringLiteral("type")).toString() : QStringLiteral("<none>");
}

inline QString codeOf(const std::optional<QJsonObject> &message)
{
    return message ? message->value(QStringLiteral("code")).toString() : QStringLiteral("<none>");
}

// A ROOM_ROSTER_DIFF that announces `sessionId` joining / leaving.
inline bool diffJoins(const QJsonObject &m, const QString &sessionId)
{
    if (m.value(QStringLiteral("type")).toString() != QLatin1String("ROOM_ROSTER_DIFF"))
        return false;
    for (const QJsonValue &join : m.value(QStringLiteral("joins")).toArray())
        if (join.toObject().value(QStringLiteral("sessionId")).toString() == sessionId)
            return true;
    return false;
}

inline bool diffLeaves(const QJsonObject &m, const QString &sessionId)
{
    return m.value(QStringLiteral("type")).toString() == QLatin1String("ROOM_ROSTER_DIFF") &&
           m.value(QStringLiteral("leaves")).toArray().contains(sessionId);
}

// The value of an unlabelled sample in a Prometheus exposition, -1 when it is missing.
inline double metricValue(const QByteArray &exposition, const QString &name)
{
    const QRegularExpression line(
        QStringLiteral("^%1 ([0-9.eE+-]+)$").arg(QRegularExpression::escape(name)),
        QRegularExpression::MultilineOption);
    const QRegularExpressionMatch match = line.match(QString::fromUtf8(exposition));
    return match.hasMatch() ? match.captured(1).toDouble() : -1.0;
}

} // namespace spidi::test::msg
