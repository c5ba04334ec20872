#pragma once

#include "latency_histogram.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>

class QNetworkAccessManager;

namespace spidi {

// REST reads at a low, steady rate while the load runs, alternating GET /api/v1/rooms and
// GET /api/v1/rooms/CODE/sessions, timed from send to the end of the reply. Runs in the main
// thread, which holds no device connections.
class RestProbe : public QObject
{
    Q_OBJECT
public:
    struct Endpoint
    {
        LatencyHistogram latency; // 2xx answers only
        qint64 errors = 0;        // anything else, including timeouts
        QString lastError;
    };

    RestProbe(const QUrl &wsUrl, QByteArray token, QString roomCode, double ratePerSec,
              QObject *parent = nullptr);
    ~RestProbe() override;
    void start();
    void stop();

    const Endpoint &rooms() const { return m_rooms; }
    const Endpoint &sessions() const { return m_sessions; }

private:
    void fire();

    QUrl m_base;
    QByteArray m_token;
    QString m_roomCode;
    double m_rate = 0;
    bool m_nextIsRooms = true;
    QNetworkAccessManager *m_manager = nullptr;
    QTimer m_timer;
    Endpoint m_rooms;
    Endpoint m_sessions;
};

} // namespace spidi
