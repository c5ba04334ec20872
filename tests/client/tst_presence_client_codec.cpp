// Unit: the client side of the JSON framing agrees with the server's codec in common/protocol:
// what the client encodes the server decodes to the same message, and what the server encodes
// the client decodes.
#include "client_codec.h"

#include <QTest>

using namespace spidi;
using namespace spidi::protocol;

namespace {

template <typename T>
T decodedRequest(const QByteArray &frame, qint64 expectedSeq)
{
    const DecodeResult result = decodeClientMessage(frame);
    if (const auto *error = std::get_if<DecodeError>(&result))
        qFatal("server codec refused %s: %s", frame.constData(), qPrintable(error->message));
    const auto &message = std::get<ClientMessage>(result);
    if (message.seq != expectedSeq)
        qFatal("seq lost in %s", frame.constData());
    return std::get<T>(message.request);
}

client::ServerMessage decodedServer(const QByteArray &frame)
{
    const auto result = client::decodeServerMessage(frame);
    if (const auto *malformed = std::get_if<client::MalformedMessage>(&result))
        qFatal("client codec refused %s: %s", frame.constData(), qPrintable(malformed->reason));
    return std::get<client::ServerMessage>(result);
}

} // namespace

class TestPresenceClientCodec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helloRoundTripsThroughTheServerCodec()
    {
        const Hello hello{QStringLiteral("LOBBY"),      QStringLiteral("phone-7"),
                          QStringLiteral("2.4.1"),      QStringLiteral("Pixel 8"),
                          QStringLiteral("Android 14"), QStringLiteral("4b0c-resume")};
        const auto decoded = decodedRequest<Hello>(client::encodeHello(17, hello), 17);
        QCOMPARE(decoded.roomCode, hello.roomCode);
        QCOMPARE(decoded.clientId, hello.clientId);
        QCOMPARE(decoded.appVersion, hello.appVersion);
        QCOMPARE(decoded.device, hello.device);
        QCOMPARE(decoded.os, hello.os);
        QCOMPARE(decoded.resumeSessionId, hello.resumeSessionId);
    }

    void optionalHelloFieldsAreLeftOut()
    {
        const QByteArray frame = client::encodeHello(
            1,
            Hello{QStringLiteral("LOBBY"), QStringLiteral("c"), QStringLiteral("1.0"), {}, {}, {}});
        QVERIFY(!frame.contains("resumeSessionId"));
        QVERIFY(!frame.contains("\"device\""));
        QCOMPARE(decodedRequest<Hello>(frame, 1).resumeSessionId, QString());
    }

    void heartbeatCarriesLatencyOnlyWhenMeasured()
    {
        const auto withLatency =
            decodedRequest<Heartbeat>(client::encodeHeartbeat(5, {QStringLiteral("s-1"), 38}), 5);
        QCOMPARE(withLatency.sessionId, QStringLiteral("s-1"));
        QCOMPARE(withLatency.latencyMs, std::optional<int>(38));
        const auto without = decodedRequest<Heartbeat>(
            client::encodeHeartbeat(6, {QStringLiteral("s-1"), std::nullopt}), 6);
        QVERIFY(!without.latencyMs.has_value());
    }

    void leaveRoundTrips()
    {
        QCOMPARE(
            decodedRequest<Leave>(client::encodeLeave(9, {QStringLiteral("s-2")}), 9).sessionId,
            QStringLiteral("s-2"));
    }

    void serverRepliesDecode()
    {
        HelloAck ack{QStringLiteral("s-3"),
                     QStringLiteral("room-id"),
                     QStringLiteral("LOBBY"),
                     15,
                     45,
                     1795000000000,
                     true};
        const auto hello = std::get<client::HelloAckMessage>(decodedServer(encodeHelloAck(3, ack)));
        QCOMPARE(hello.ref, std::optional<qint64>(3));
        QCOMPARE(hello.ack.sessionId, ack.sessionId);
        QCOMPARE(hello.ack.roomId, ack.roomId);
        QCOMPARE(hello.ack.roomCode, ack.roomCode);
        QCOMPARE(hello.ack.heartbeatIntervalSec, 15);
        QCOMPARE(hello.ack.timeoutSec, 45);
        QCOMPARE(hello.ack.serverTimeMs, Q_INT64_C(1795000000000));
        QCOMPARE(hello.ack.resumed, true);

        const auto leave = std::get<client::LeaveAckMessage>(
            decodedServer(encodeLeaveAck(4, QStringLiteral("s-3"))));
        QCOMPARE(leave.ref, std::optional<qint64>(4));
        QCOMPARE(leave.sessionId, QStringLiteral("s-3"));

        const auto beat = std::get<client::HeartbeatAckMessage>(
            decodedServer(encodeHeartbeatAck(5, QStringLiteral("s-3"), 1795000015000)));
        QCOMPARE(beat.ref, std::optional<qint64>(5));
        QCOMPARE(beat.serverTimeMs, Q_INT64_C(1795000015000));

        const auto error = std::get<client::ErrorMessage>(
            decodedServer(encodeError(6, ErrorCode::RoomNotFound, QStringLiteral("no room 'X'"))));
        QCOMPARE(error.ref, std::optional<qint64>(6));
        QCOMPARE(error.code, QStringLiteral("ROOM_NOT_FOUND"));
        QCOMPARE(error.message, QStringLiteral("no room 'X'"));

        const auto ended = std::get<client::SessionEndedMessage>(decodedServer(encodeSessionEnded(
            QStringLiteral("s-3"), QStringLiteral("LOBBY"), SessionEndReason::Ttl)));
        QCOMPARE(ended.sessionId, QStringLiteral("s-3"));
        QCOMPARE(ended.reason, QStringLiteral("TTL"));
    }

    void errorsWithoutRefDecode()
    {
        const auto error = std::get<client::ErrorMessage>(
            decodedServer(encodeError(std::nullopt, ErrorCode::BadRequest, QStringLiteral("x"))));
        QVERIFY(!error.ref.has_value());
    }

    void otherTypesAreIgnoredNotRefused()
    {
        const auto other = std::get<client::OtherMessage>(
            decodedServer(QByteArrayLiteral(R"({"type":"ROOM_METRICS","online":3})")));
        QCOMPARE(other.type, QStringLiteral("ROOM_METRICS"));
    }

    void malformedFramesAreReported()
    {
        for (const QByteArray &frame :
             {QByteArrayLiteral("not json"), QByteArrayLiteral("[1,2]"),
              QByteArrayLiteral(R"({"no":"type"})"), QByteArrayLiteral(R"({"type":"ACK"})"),
              QByteArrayLiteral(R"({"type":"ERROR","message":"no code"})"),
              QByteArrayLiteral(
                  R"({"type":"ACK","sessionId":"s","roomId":"r","heartbeatIntervalSec":0})")}) {
            const auto result = client::decodeServerMessage(frame);
            QVERIFY2(std::holds_alternative<client::MalformedMessage>(result), frame.constData());
            QVERIFY(!std::get<client::MalformedMessage>(result).reason.isEmpty());
        }
    }
};

QTEST_GUILESS_MAIN(TestPresenceClientCodec)
#include "tst_presence_client_codec.moc"
