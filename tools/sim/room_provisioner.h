#pragma once

#include <QByteArray>
#include <QNetworkAccessManager>
#include <QObject>
#include <QStringList>
#include <QUrl>

namespace spidi::sim {

// Creates the simulation's rooms through REST (POST /api/v1/rooms). A room that already exists
// (409 on its code) is fine: the simulation only needs it to be there.
class RoomProvisioner : public QObject
{
    Q_OBJECT
public:
    struct Request
    {
        QUrl roomsUrl; // http://HOST:PORT/api/v1/rooms
        QByteArray adminToken;
        QStringList codes;
        QString typeCode;
        int capacity = 1000;
    };

    explicit RoomProvisioner(QObject *parent = nullptr);

    void start(const Request &request);

    // The REST endpoint next to a WebSocket endpoint (ws → http, wss → https).
    static QUrl roomsUrlFor(const QUrl &webSocketUrl);

Q_SIGNALS:
    // `created` counts new rooms; `existing` those that were there already.
    void finished(int created, int existing);
    void failed(const QString &message);

private:
    void onReply(const QString &code, int status, const QByteArray &body, const QString &error);

    QNetworkAccessManager m_http;
    int m_outstanding = 0;
    int m_created = 0;
    int m_existing = 0;
    bool m_failed = false;
};

} // namespace spidi::sim
