#pragma once

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QUrl>
#include <QUrlQuery>
#include <QVariantMap>

#include <functional>

class QNetworkReply;

namespace spidi::desktop {

// The answer to one REST request. `problem` is the problem+json of a failure turned into
// {status, title, detail, field} (docs/rest-api.md#errors-problemjson); a network failure has
// status 0 and the network error as detail.
struct RestResult
{
    int status = 0;
    QJsonDocument body;
    QVariantMap problem;

    bool ok() const { return status >= 200 && status < 300; }
    QJsonObject object() const { return body.object(); }
};

// JSON over the Spidi REST API (docs/rest-api.md) with the bearer token. Every request is
// asynchronous; the callback runs on the client's thread when the reply is in (not at all if
// the client is destroyed first).
class RestClient : public QObject
{
    Q_OBJECT
    // Requests in flight (a QML busy indicator).
    Q_PROPERTY(int pending READ pending NOTIFY pendingChanged)

public:
    using Callback = std::function<void(const RestResult &)>;
    using ListCallback = std::function<void(const QList<QJsonObject> &items, const RestResult &)>;

    explicit RestClient(QObject *parent = nullptr);

    // http(s)://host:port; paths are appended to it ("/api/v1/rooms").
    void setBaseUrl(const QUrl &url) { m_baseUrl = url; }
    QUrl baseUrl() const { return m_baseUrl; }
    void setToken(const QByteArray &token) { m_token = token; }
    int pending() const { return m_pending; }

    void get(const QString &path, const QUrlQuery &query, Callback done);
    void post(const QString &path, const QJsonObject &body, Callback done);
    // PUT with the body; DELETE without one (the editors: rooms and alert rules).
    void put(const QString &path, const QJsonObject &body, Callback done);
    void deleteResource(const QString &path, Callback done);
    // Every item of a paged list (`{items, total}` with offset/limit), fetched `pageSize` at a
    // time; on a failure the callback gets the items so far and the failed result.
    void getAll(const QString &path, QUrlQuery query, int pageSize, ListCallback done);

    // POST /api/v1/alerts/events/{id}/ack and /resolve with an optional comment; the outcome
    // arrives as alertActionFinished.
    Q_INVOKABLE void ack(const QString &eventId, const QString &comment);
    Q_INVOKABLE void resolve(const QString &eventId, const QString &comment);

    // {status, title, detail, field} from a reply's status and body (problem+json or not).
    static QVariantMap problemFrom(int status, const QByteArray &body, const QString &networkError);

Q_SIGNALS:
    void pendingChanged();
    // action is "ack" or "resolve"; on success `event` is the event as the server returned it.
    void alertActionFinished(const QString &action, const QString &eventId, bool ok,
                             const QVariantMap &problem, const QJsonObject &event);
    // Any request answered 401: the token is refused (expired, revoked, another server's).
    void unauthorized(const QVariantMap &problem);

private:
    void send(const QByteArray &verb, const QUrl &url, const QByteArray &body, Callback done);
    void alertAction(const QString &action, const QString &eventId, const QString &comment);
    void fetchPage(const QString &path, QUrlQuery query, int offset, int pageSize,
                   QList<QJsonObject> items, ListCallback done);
    void setPending(int pending);

    QNetworkAccessManager m_manager;
    QUrl m_baseUrl;
    QByteArray m_token;
    int m_pending = 0;
};

} // namespace spidi::desktop
