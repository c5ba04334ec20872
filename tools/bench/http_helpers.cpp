#include "http_helpers.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace spidi::bench {

QUrl httpBase(const QUrl &wsUrl)
{
    QUrl base;
    base.setScheme(wsUrl.scheme() == QLatin1String("wss") ? QStringLiteral("https")
                                                          : QStringLiteral("http"));
    base.setHost(wsUrl.host());
    base.setPort(wsUrl.port());
    return base;
}

QJsonObject HttpResult::json() const
{
    return QJsonDocument::fromJson(body).object();
}

HttpResult httpCall(QNetworkAccessManager &manager, const QByteArray &verb, const QUrl &url,
                    const QByteArray &token, const QJsonObject &body, int timeoutMs)
{
    QNetworkRequest request(url);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    QByteArray payload;
    if (!body.isEmpty()) {
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        payload = QJsonDocument(body).toJson(QJsonDocument::Compact);
    }
    QNetworkReply *reply = manager.sendCustomRequest(request, verb, payload);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    HttpResult result;
    if (!reply->isFinished()) {
        result.error = QStringLiteral("timed out after %1 ms").arg(timeoutMs);
        reply->abort();
    } else {
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = reply->readAll();
        result.etag = reply->rawHeader("ETag");
        if (reply->error() != QNetworkReply::NoError && result.status == 0)
            result.error = reply->errorString();
    }
    reply->deleteLater();
    return result;
}

} // namespace spidi::bench
