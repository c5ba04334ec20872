#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QUrl>

class QNetworkAccessManager;

namespace spidi::bench {

// The REST base of the server behind a ws:// URL: ws://h:p/ws/presence -> http://h:p.
QUrl httpBase(const QUrl &wsUrl);

struct HttpResult
{
    int status = 0; // 0: no HTTP answer (see error)
    QByteArray body;
    QByteArray etag;
    QString error;
    QJsonObject json() const;
};

// One request, waiting in a local event loop: only for the set-up before the load starts,
// never while measuring.
HttpResult httpCall(QNetworkAccessManager &manager, const QByteArray &verb, const QUrl &url,
                    const QByteArray &token, const QJsonObject &body = {}, int timeoutMs = 15000);

} // namespace spidi::bench
