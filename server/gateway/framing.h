#pragma once

#include "protocol/json_codec.h"

#include <QByteArray>
#include <QList>

namespace spidi {

// How presence messages travel on one WebSocket connection. The gateway speaks in protocol
// requests and JSON bodies; a framing turns frames into requests and bodies into frames, so a
// second framing (STOMP 1.2) plugs in without touching the presence engine.
class Framing
{
public:
    enum class Outbound {
        Reply, // ACK, HEARTBEAT_ACK, SUBSCRIBED, UNSUBSCRIBED
        Error, // ERROR
        Event, // a topic message (ROOM_METRICS, ROOM_ROSTER, ROOM_ROSTER_DIFF, ALERT)
        Notice // SESSION_ENDED and other server-initiated news for this socket
    };

    virtual ~Framing() = default;
    virtual QString subprotocol() const = 0;
    virtual QList<protocol::DecodeResult> decode(const QByteArray &utf8Frame) = 0;
    // `topic` is set for Event.
    virtual QByteArray encode(Outbound kind, const QByteArray &jsonBody,
                              const protocol::Topic *topic) = 0;
};

// SPEC 4.1: one JSON object per text frame, bodies sent as they are.
class JsonFraming final : public Framing
{
public:
    static QString name() { return QStringLiteral("spidi.v1.json"); }
    QString subprotocol() const override { return name(); }
    QList<protocol::DecodeResult> decode(const QByteArray &utf8Frame) override
    {
        return {protocol::decodeClientMessage(utf8Frame)};
    }
    QByteArray encode(Outbound, const QByteArray &jsonBody, const protocol::Topic *) override
    {
        return jsonBody;
    }
};

} // namespace spidi
