#include "room_provisioner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace spidi::sim {

RoomProvisioner::RoomProvisioner(QObject *parent) : QObject(parent) {}

QUrl RoomProvisioner::roomsUrlFor(const QUrl &webSocketUrl)
{
    QUrl url = webSocketUrl;
    url.setScheme(webSocketUrl.scheme() == QLatin1String("wss") ? QStringLiteral("https")
                                                                : QStringLiteral("http"));
    url.setPath(QStringLiteral("/api/v1/rooms"));
    url.setQuery(QString());
    url.setFragment(QString());
    return url;
}

void RoomProvisioner::start(const Request &request)
{
    m_outstanding = int(request.codes.size());
    if (m_outstanding == 0) {
        Q_EMIT finished(0, 0);
        return;
    }
    for (const QString &code : request.codes) {
        QNetworkRequest http(request.roomsUrl);
        http.setRawHeader("Authorization", "Bearer " + request.adminToken);
        http.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        const QJsonObject body{
            {QStringLiteral("code"), code},
            {QStringLiteral("name"), QStringLiteral("Simulated room %1").arg(code)},
            {QStringLiteral("typeCode"), request.typeCode},
            {QStringLiteral("capacity"), request.capacity},
            {QStringLiteral("tags"), QJsonArray{QStringLiteral("sim")}}};
        QNetworkReply *reply =
            m_http.post(http, QJsonDocument(body).toJson(QJsonDocument::Compact));
        connect(reply, &QNetworkReply::finished, this, [this, reply, code] {
            reply->deleteLater();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            onReply(code, status, reply->readAll(),
                    reply->error() == QNetworkReply::NoError || status != 0 ? QString()
                                                                            : reply->errorString());
        });
    }
}

void RoomProvisioner::onReply(const QString &code, int status, const QByteArray &body,
                              const QString &error)
{
    --m_outstanding;
    if (status == 201) {
        ++m_created;
    } else if (status == 409) {
        ++m_existing;
    } else if (!m_failed) {
        m_failed = true;
        const QString detail =
            QJsonDocument::fromJson(body).object().value(QStringLiteral("detail")).toString();
        Q_EMIT failed(status == 0 ? QStringLiteral("cannot create room %1: %2").arg(code, error)
                                  : QStringLiteral("cannot create room %1: HTTP %2 %3")
                                        .arg(code)
                                        .arg(status)
                                        .arg(detail));
    }
    if (m_outstanding == 0 && !m_failed)
        Q_EMIT finished(m_created, m_existing);
}

} // namespace spidi::sim
