#pragma once

#include "auth/principal.h"
#include "core/result.h"
#include "protocol/json_codec.h"

#include <QByteArray>
#include <QList>
#include <QWebSocketProtocol>

#include <functional>

namespace spidi {

// What a framing needs from the connection it runs on (ClientConnection implements it).
class FramingHost
{
public:
    virtual ~FramingHost() = default;
    // Writes one WebSocket text message as it is.
    virtual void writeMessage(const QByteArray &message) = 0;
    virtual void closeConnection(QWebSocketProtocol::CloseCode code, const QString &reason) = 0;
    // Verifies a token given inside the protocol (STOMP CONNECT) and makes its principal the
    // connection's; the error says why the token was refused.
    virtual Result<Principal> login(const QByteArray &authorization) = 0;
    virtual bool hasPrincipal() const = 0;
    virtual QString connectionName() const = 0; // for CONNECTED's session header and logs
    // Rate limit (SPEC 12): true when one more request may be handled now; when not, the
    // host has already answered RATE_LIMITED (and closes after too many refusals in a row).
    virtual bool admit() = 0;
};

// How presence messages travel on one WebSocket connection. The gateway speaks in protocol
// requests and JSON bodies; a framing turns WebSocket messages into requests and bodies into
// messages, so both framings (SPEC 4.1 JSON, 4.2 STOMP) drive the same presence logic.
class Framing
{
public:
    enum class Outbound {
        Reply,             // ACK, HEARTBEAT_ACK
        SubscriptionReply, // SUBSCRIBED, UNSUBSCRIBED
        Error,             // ERROR
        Event,             // a topic message (ROOM_METRICS, ROOM_ROSTER, ROOM_ROSTER_DIFF, ALERT)
        Notice             // SESSION_ENDED and other server-initiated news for this socket
    };
    using Dispatch = std::function<void(const protocol::DecodeResult &)>;

    virtual ~Framing() = default;
    virtual QString subprotocol() const = 0;
    virtual bool acceptsBinaryMessages() const { return false; }
    // A framing that carries several requests per message (or one request over several) calls
    // FramingHost::admit() for each request itself; otherwise each message is admitted whole.
    virtual bool admitsEachRequest() const { return false; }
    // Parses one WebSocket message and hands each presence request in it to `dispatch`, in
    // order; `dispatch` answers synchronously (through encode()) before the next one.
    virtual void receive(const QByteArray &message, const Dispatch &dispatch) = 0;
    // The message to write for a body, or an empty array when this framing has nowhere to put
    // it (a STOMP client that did not subscribe to the queue it belongs to). `topic` is set for
    // Event.
    virtual QByteArray encode(Outbound kind, const QByteArray &jsonBody,
                              const protocol::Topic *topic) = 0;
};

// SPEC 4.1: one JSON object per text frame, bodies sent as they are.
class JsonFraming final : public Framing
{
public:
    static QString name() { return QStringLiteral("spidi.v1.json"); }
    QString subprotocol() const override { return name(); }
    void receive(const QByteArray &message, const Dispatch &dispatch) override
    {
        dispatch(protocol::decodeClientMessage(message));
    }
    QByteArray encode(Outbound, const QByteArray &jsonBody, const protocol::Topic *) override
    {
        return jsonBody;
    }
};

} // namespace spidi
