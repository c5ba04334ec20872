#include "bench_frames.h"

#include "protocol/messages.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace spidi::bench {

namespace {
QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}
} // namespace

QString encodeHello(qint64 seq, const QString &roomCode, const QString &clientId)
{
    return compact({{QStringLiteral("type"), QStringLiteral("HELLO")},
                    {QStringLiteral("seq"), seq},
                    {QStringLiteral("roomCode"), roomCode},
                    {QStringLiteral("clientId"), clientId},
                    {QStringLiteral("appVersion"), QStringLiteral(SPIDI_VERSION)},
                    {QStringLiteral("device"), QStringLiteral("spidi-bench")},
                    {QStringLiteral("os"), QStringLiteral("linux")}});
}

QString encodeHeartbeat(qint64 seq, const QString &sessionId, int latencyMs)
{
    // Session ids are UUIDs from the server: nothing in them needs JSON escaping.
    QString frame;
    frame.reserve(96);
    frame += QLatin1String(R"({"type":"HEARTBEAT","seq":)");
    frame += QString::number(seq);
    frame += QLatin1String(R"(,"sessionId":")");
    frame += sessionId;
    frame += QLatin1Char('"');
    if (latencyMs >= 0) {
        frame += QLatin1String(R"(,"latencyMs":)");
        frame += QString::number(std::min(latencyMs, protocol::MaxLatencyMs));
    }
    frame += QLatin1Char('}');
    return frame;
}

QString encodeLeave(qint64 seq, const QString &sessionId)
{
    return compact({{QStringLiteral("type"), QStringLiteral("LEAVE")},
                    {QStringLiteral("seq"), seq},
                    {QStringLiteral("sessionId"), sessionId}});
}

QString encodeSubscribe(qint64 seq, const QString &topic)
{
    return compact({{QStringLiteral("type"), QStringLiteral("SUBSCRIBE")},
                    {QStringLiteral("seq"), seq},
                    {QStringLiteral("topic"), topic}});
}

std::optional<qint64> integerField(QStringView json, QStringView key)
{
    qsizetype at = 0;
    while ((at = json.indexOf(key, at)) >= 0) {
        const qsizetype quoteBefore = at - 1;
        qsizetype i = at + key.size();
        at = i;
        if (quoteBefore < 0 || json.at(quoteBefore) != u'"' || i >= json.size() ||
            json.at(i) != u'"')
            continue;
        ++i;
        while (i < json.size() && json.at(i).isSpace())
            ++i;
        if (i >= json.size() || json.at(i) != u':')
            continue;
        ++i;
        while (i < json.size() && json.at(i).isSpace())
            ++i;
        qint64 value = 0;
        const qsizetype digitsStart = i;
        while (i < json.size() && json.at(i) >= u'0' && json.at(i) <= u'9' && i - digitsStart < 18)
            value = value * 10 + (json.at(i++).unicode() - u'0');
        if (i == digitsStart)
            return std::nullopt;
        return value;
    }
    return std::nullopt;
}

} // namespace spidi::bench
