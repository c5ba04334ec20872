#include "rest_client.h"

#include "desktop_logging.h"

#include <QNetworkReply>
#include <QNetworkRequest>

namespace spidi::desktop {

RestClient::RestClient(QObject *parent) : QObject(parent)
{
    m_manager.setTransferTimeout(15000);
}

QVariantMap RestClient::problemFrom(int status, const QByteArray &body, const QString &networkError)
{
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    QString title = o.value(QLatin1String("title")).toString();
    QString detail = o.value(QLatin1String("detail")).toString();
    if (status == 0) {
        title = QStringLiteral("Network error");
        detail =
            networkError.isEmpty() ? QStringLiteral("the server did not answer") : networkError;
    } else if (title.isEmpty()) {
        title = QStringLiteral("HTTP %1").arg(status);
    }
    if (detail.isEmpty())
        detail = title;
    return {{QStringLiteral("status"), status},
            {QStringLiteral("title"), title},
            {QStringLiteral("detail"), detail},
            {QStringLiteral("field"), o.value(QLatin1String("field")).toString()}};
}

void RestClient::setPending(int pending)
{
    if (m_pending == pending)
        return;
    m_pending = pending;
    Q_EMIT pendingChanged();
}

void RestClient::send(const QByteArray &verb, const QUrl &url, const QByteArray &body,
                      Callback done)
{
    QNetworkRequest request(url);
    request.setRawHeader("Accept", "application/json, application/problem+json");
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    if (!body.isNull())
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
    QNetworkReply *reply = m_manager.sendCustomRequest(request, verb, body);
    setPending(m_pending + 1);
    connect(reply, &QNetworkReply::finished, this, [this, reply, verb, done = std::move(done)] {
        reply->deleteLater();
        setPending(m_pending - 1);
        RestResult result;
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray bytes = reply->readAll();
        if (result.ok()) {
            result.body = QJsonDocument::fromJson(bytes);
        } else {
            result.problem = problemFrom(result.status, bytes, reply->errorString());
            qCInfo(lcDesktop).noquote()
                << "rest.failed"
                << "method=" + QString::fromLatin1(verb) << "path=" + reply->url().path()
                << "status=" + QString::number(result.status)
                << "detail=" + result.problem.value(QStringLiteral("detail")).toString();
            if (result.status == 401)
                Q_EMIT unauthorized(result.problem);
        }
        if (done)
            done(result);
    });
}

void RestClient::get(const QString &path, const QUrlQuery &query, Callback done)
{
    QUrl url = m_baseUrl.resolved(QUrl(path));
    url.setQuery(query);
    send("GET", url, QByteArray(), std::move(done));
}

void RestClient::post(const QString &path, const QJsonObject &body, Callback done)
{
    send("POST", m_baseUrl.resolved(QUrl(path)), QJsonDocument(body).toJson(QJsonDocument::Compact),
         std::move(done));
}

void RestClient::put(const QString &path, const QJsonObject &body, Callback done)
{
    send("PUT", m_baseUrl.resolved(QUrl(path)), QJsonDocument(body).toJson(QJsonDocument::Compact),
         std::move(done));
}

void RestClient::deleteResource(const QString &path, Callback done)
{
    send("DELETE", m_baseUrl.resolved(QUrl(path)), QByteArray(), std::move(done));
}

void RestClient::getAll(const QString &path, QUrlQuery query, int pageSize, ListCallback done)
{
    fetchPage(path, std::move(query), 0, pageSize, {}, std::move(done));
}

void RestClient::fetchPage(const QString &path, QUrlQuery query, int offset, int pageSize,
                           QList<QJsonObject> items, ListCallback done)
{
    QUrlQuery pageQuery = query;
    pageQuery.addQueryItem(QStringLiteral("offset"), QString::number(offset));
    pageQuery.addQueryItem(QStringLiteral("limit"), QString::number(pageSize));
    get(path, pageQuery,
        [this, path, query, offset, pageSize, items = std::move(items),
         done = std::move(done)](const RestResult &result) mutable {
            if (!result.ok()) {
                done(items, result);
                return;
            }
            const QJsonObject page = result.object();
            const QJsonArray pageItems = page.value(QLatin1String("items")).toArray();
            for (const QJsonValue &v : pageItems)
                items.append(v.toObject());
            const int total = page.value(QLatin1String("total")).toInt();
            const int next = offset + int(pageItems.size());
            if (pageItems.isEmpty() || next >= total) {
                done(items, result);
                return;
            }
            fetchPage(path, query, next, pageSize, std::move(items), std::move(done));
        });
}

void RestClient::alertAction(const QString &action, const QString &eventId, const QString &comment)
{
    QJsonObject body;
    if (!comment.trimmed().isEmpty())
        body.insert(QLatin1String("comment"), comment.trimmed());
    const QString path = QStringLiteral("/api/v1/alerts/events/%1/%2")
                             .arg(QString::fromLatin1(QUrl::toPercentEncoding(eventId)), action);
    post(path, body, [this, action, eventId](const RestResult &result) {
        Q_EMIT alertActionFinished(action, eventId, result.ok(), result.problem, result.object());
    });
}

void RestClient::ack(const QString &eventId, const QString &comment)
{
    alertAction(QStringLiteral("ack"), eventId, comment);
}

void RestClient::resolve(const QString &eventId, const QString &comment)
{
    alertAction(QStringLiteral("resolve"), eventId, comment);
}

} // namespace spidi::desktop
