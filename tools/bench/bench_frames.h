#pragma once

#include <QByteArray>
#include <QString>
#include <QStringView>

#include <optional>

// The client side of the JSON framing (docs/protocol.md) as far as the bench needs it.
namespace spidi::bench {

QString encodeHello(qint64 seq, const QString &roomCode, const QString &clientId);
// Hand-encoded rather than built through QJsonObject: it runs once per heartbeat, up to tens of
// thousands of times a second on the generator, and a QJsonObject plus QJsonDocument round
// costs several allocations each time. tst_bench checks that the server's decoder
// (protocol::decodeClientMessage) reads it as the HEARTBEAT it means.
QString encodeHeartbeat(qint64 seq, const QString &sessionId, int latencyMs);
QString encodeLeave(qint64 seq, const QString &sessionId);
QString encodeSubscribe(qint64 seq, const QString &topic);

// The integer value of "key" in a flat JSON text, without parsing the whole object: the
// HEARTBEAT_ACK ({"ref":N,...}) and the echoed frames ({"seq":N,...}) are read once per
// heartbeat. Only for frames whose shape is known; a nested object with the same key would
// confuse it.
std::optional<qint64> integerField(QStringView json, QStringView key);

} // namespace spidi::bench
