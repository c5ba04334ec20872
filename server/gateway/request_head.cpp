#include "request_head.h"

namespace spidi {

bool RequestHead::offersSubprotocol(QByteArrayView name) const
{
    for (const QByteArray &offered : subprotocols)
        if (offered == name)
            return true;
    return false;
}

RequestHead parseRequestHead(QByteArrayView head)
{
    RequestHead result;
    const QList<QByteArray> lines = head.toByteArray().split('\n');
    if (lines.isEmpty())
        return result;
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() >= 2) {
        result.method = requestLine[0];
        const QByteArray target = requestLine[1];
        const qsizetype q = target.indexOf('?');
        result.path = q < 0 ? target : target.left(q);
        result.query = q < 0 ? QByteArray() : target.mid(q + 1);
    }
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "upgrade") {
            result.upgrade = value.toLower();
        } else if (name == "authorization") {
            result.authorization = value;
        } else if (name == "sec-websocket-protocol") {
            for (const QByteArray &item : value.split(',')) {
                const QByteArray protocol = item.trimmed();
                if (!protocol.isEmpty())
                    result.subprotocols.append(protocol);
            }
        }
    }
    return result;
}

} // namespace spidi
