// libFuzzer target: the JSON framing's client message decoder (common/protocol/json_codec.h).
// The input is one WebSocket text frame.

#include "fuzz_check.h"

#include "protocol/json_codec.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <cstddef>
#include <cstdint>

using namespace spidi::protocol;

namespace {

// An upper bound for error messages: they quote at most a topic (2 * MaxRoomCodeLength) or a
// type (64 characters), so they stay short whatever the client sent.
constexpr qsizetype MaxErrorLength = 512;

bool withinLimit(const QString &text, int maxLength, bool required)
{
    return text.size() <= maxLength && (!required || !text.trimmed().isEmpty());
}

void checkTopic(const Topic &topic)
{
    const bool perRoom =
        topic.kind == Topic::Kind::RoomMetrics || topic.kind == Topic::Kind::RoomRoster;
    FUZZ_CHECK(perRoom != topic.roomCode.isEmpty());
    FUZZ_CHECK(topic.roomCode.size() <= MaxRoomCodeLength);
    FUZZ_CHECK(!topic.roomCode.contains(QLatin1Char('/')));
    // The topic's text form names the same topic.
    const std::optional<Topic> again = Topic::parse(topic.toString());
    FUZZ_CHECK(again && *again == topic);
}

// The message as a client would have sent it (a canonical form of what was decoded).
QJsonObject toJson(const ClientMessage &message)
{
    QJsonObject obj;
    if (message.seq)
        obj.insert(QLatin1String("seq"), double(*message.seq));
    if (const auto *hello = std::get_if<Hello>(&message.request)) {
        obj.insert(QLatin1String("type"), QLatin1String("HELLO"));
        obj.insert(QLatin1String("roomCode"), hello->roomCode);
        obj.insert(QLatin1String("clientId"), hello->clientId);
        obj.insert(QLatin1String("appVersion"), hello->appVersion);
        obj.insert(QLatin1String("device"), hello->device);
        obj.insert(QLatin1String("os"), hello->os);
        obj.insert(QLatin1String("resumeSessionId"), hello->resumeSessionId);
    } else if (const auto *heartbeat = std::get_if<Heartbeat>(&message.request)) {
        obj.insert(QLatin1String("type"), QLatin1String("HEARTBEAT"));
        obj.insert(QLatin1String("sessionId"), heartbeat->sessionId);
        if (heartbeat->latencyMs)
            obj.insert(QLatin1String("latencyMs"), *heartbeat->latencyMs);
    } else if (const auto *leave = std::get_if<Leave>(&message.request)) {
        obj.insert(QLatin1String("type"), QLatin1String("LEAVE"));
        obj.insert(QLatin1String("sessionId"), leave->sessionId);
    } else if (const auto *subscribe = std::get_if<Subscribe>(&message.request)) {
        obj.insert(QLatin1String("type"), QLatin1String("SUBSCRIBE"));
        obj.insert(QLatin1String("topic"), subscribe->topic.toString());
    } else if (const auto *unsubscribe = std::get_if<Unsubscribe>(&message.request)) {
        obj.insert(QLatin1String("type"), QLatin1String("UNSUBSCRIBE"));
        obj.insert(QLatin1String("topic"), unsubscribe->topic.toString());
    }
    return obj;
}

bool sameMessage(const ClientMessage &a, const ClientMessage &b)
{
    if (a.seq != b.seq || a.request.index() != b.request.index())
        return false;
    if (const auto *x = std::get_if<Hello>(&a.request)) {
        const auto &y = std::get<Hello>(b.request);
        return x->roomCode == y.roomCode && x->clientId == y.clientId &&
               x->appVersion == y.appVersion && x->device == y.device && x->os == y.os &&
               x->resumeSessionId == y.resumeSessionId;
    }
    if (const auto *x = std::get_if<Heartbeat>(&a.request)) {
        const auto &y = std::get<Heartbeat>(b.request);
        return x->sessionId == y.sessionId && x->latencyMs == y.latencyMs;
    }
    if (const auto *x = std::get_if<Leave>(&a.request))
        return x->sessionId == std::get<Leave>(b.request).sessionId;
    if (const auto *x = std::get_if<Subscribe>(&a.request))
        return x->topic == std::get<Subscribe>(b.request).topic;
    return std::get<Unsubscribe>(a.request).topic == std::get<Unsubscribe>(b.request).topic;
}

bool allValidUtf16(const ClientMessage &message)
{
    const QJsonObject obj = toJson(message);
    for (auto it = obj.begin(); it != obj.end(); ++it)
        if (it->isString() && !it->toString().isValidUtf16())
            return false;
    return true;
}

void checkMessage(const ClientMessage &message)
{
    if (message.seq)
        FUZZ_CHECK(std::fabs(double(*message.seq)) <= 9007199254740991.0);
    if (const auto *hello = std::get_if<Hello>(&message.request)) {
        FUZZ_CHECK(withinLimit(hello->roomCode, MaxRoomCodeLength, true));
        FUZZ_CHECK(withinLimit(hello->clientId, MaxIdentifierLength, true));
        FUZZ_CHECK(withinLimit(hello->appVersion, MaxAppVersionLength, true));
        FUZZ_CHECK(withinLimit(hello->device, MaxIdentifierLength, false));
        FUZZ_CHECK(withinLimit(hello->os, MaxIdentifierLength, false));
        FUZZ_CHECK(withinLimit(hello->resumeSessionId, MaxIdentifierLength, false));
    } else if (const auto *heartbeat = std::get_if<Heartbeat>(&message.request)) {
        FUZZ_CHECK(withinLimit(heartbeat->sessionId, MaxIdentifierLength, true));
        if (heartbeat->latencyMs)
            FUZZ_CHECK(*heartbeat->latencyMs >= 0 && *heartbeat->latencyMs <= MaxLatencyMs);
    } else if (const auto *leave = std::get_if<Leave>(&message.request)) {
        FUZZ_CHECK(withinLimit(leave->sessionId, MaxIdentifierLength, true));
    } else if (const auto *subscribe = std::get_if<Subscribe>(&message.request)) {
        checkTopic(subscribe->topic);
    } else {
        checkTopic(std::get<Unsubscribe>(message.request).topic);
    }

    // Round trip: what was decoded, sent again, decodes to the same message, both as an object
    // (the STOMP framing's path) and as text when every string survives UTF-8.
    const QJsonObject canonical = toJson(message);
    const DecodeResult again = decodeClientObject(canonical);
    FUZZ_CHECK(std::holds_alternative<ClientMessage>(again));
    FUZZ_CHECK(sameMessage(message, std::get<ClientMessage>(again)));
    if (allValidUtf16(message)) {
        const QByteArray text = QJsonDocument(canonical).toJson(QJsonDocument::Compact);
        const DecodeResult fromText = decodeClientMessage(text);
        FUZZ_CHECK(std::holds_alternative<ClientMessage>(fromText));
        FUZZ_CHECK(sameMessage(message, std::get<ClientMessage>(fromText)));
    }
}

void checkError(const DecodeError &error)
{
    FUZZ_CHECK(error.code == ErrorCode::BadRequest || error.code == ErrorCode::UnknownType);
    FUZZ_CHECK(!error.message.isEmpty());
    FUZZ_CHECK(error.message.size() <= MaxErrorLength);
    if (error.seq)
        FUZZ_CHECK(std::fabs(double(*error.seq)) <= 9007199254740991.0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView frame(reinterpret_cast<const char *>(data), qsizetype(size));
    const DecodeResult result = decodeClientMessage(frame);
    FUZZ_CHECK(result.index() == 0 || result.index() == 1); // never valueless
    if (const auto *message = std::get_if<ClientMessage>(&result)) {
        checkMessage(*message);
    } else {
        checkError(std::get<DecodeError>(result));
    }

    // Decoding is a pure function of the bytes.
    const DecodeResult again = decodeClientMessage(frame);
    FUZZ_CHECK(again.index() == result.index());
    if (const auto *message = std::get_if<ClientMessage>(&result))
        FUZZ_CHECK(sameMessage(*message, std::get<ClientMessage>(again)));
    else
        FUZZ_CHECK(std::get<DecodeError>(again).message == std::get<DecodeError>(result).message);
    return 0;
}
