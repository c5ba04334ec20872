#include "rest/session_json.h"

#include <QDateTime>
#include <QJsonValue>

namespace spidi::rest {

QString isoTimeMs(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC).toString(Qt::ISODateWithMs);
}

namespace {
QJsonValue timeOrNull(qint64 ms)
{
    return ms > 0 ? QJsonValue(isoTimeMs(ms)) : QJsonValue(QJsonValue::Null);
}
} // namespace

QJsonObject sessionToJson(const SessionRecord &session, bool live)
{
    const double average = session.averageLatencyMs();
    return QJsonObject{
        {QLatin1String("sessionId"), session.id},
        {QLatin1String("roomId"), session.roomId},
        {QLatin1String("roomCode"), session.roomCode},
        {QLatin1String("userId"), session.userId},
        {QLatin1String("clientId"), session.clientId},
        {QLatin1String("device"), session.device},
        {QLatin1String("os"), session.os},
        {QLatin1String("appVersion"), session.appVersion},
        {QLatin1String("ip"), session.ip},
        {QLatin1String("latencyMs"),
         session.latencyMs >= 0 ? QJsonValue(session.latencyMs) : QJsonValue(QJsonValue::Null)},
        {QLatin1String("avgLatencyMs"),
         average >= 0 ? QJsonValue(average) : QJsonValue(QJsonValue::Null)},
        {QLatin1String("heartbeatCount"), session.heartbeatCount},
        {QLatin1String("connectedAt"), timeOrNull(session.connectedAtMs)},
        {QLatin1String("lastHeartbeatAt"), timeOrNull(session.lastHeartbeatAtMs)},
        {QLatin1String("endedAt"), timeOrNull(session.endedAtMs)},
        {QLatin1String("endReason"), session.endReason ? QJsonValue(toString(*session.endReason))
                                                       : QJsonValue(QJsonValue::Null)},
        {QLatin1String("live"), live},
    };
}

} // namespace spidi::rest
