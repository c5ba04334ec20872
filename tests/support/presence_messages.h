#pragma once

#include <QJsonObject>
#include <QString>

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

} // namespace spidi::test::msg
