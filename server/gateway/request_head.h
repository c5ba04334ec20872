#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace spidi {

// The parts of an HTTP/1.1 request head that the front door routes on. Lenient on purpose:
// anything it cannot read leaves the field empty, and the route that follows refuses the
// request with a precise status (404, 401, the WebSocket handshake's own 400).
struct RequestHead
{
    QByteArray method;
    QByteArray path;
    QByteArray query;
    QByteArray upgrade;             // lower-cased
    QByteArray authorization;       // as sent
    QList<QByteArray> subprotocols; // Sec-WebSocket-Protocol, every header and list item

    bool offersSubprotocol(QByteArrayView name) const;
};

// `head` is the request up to, not including, the blank line that ends it.
RequestHead parseRequestHead(QByteArrayView head);

} // namespace spidi
