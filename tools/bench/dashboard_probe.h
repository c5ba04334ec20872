#pragma once

#include "latency_histogram.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

namespace spidi {

// Join-to-dashboard latency: a subscriber (monitor token) watches room/CODE/roster like the
// desktop console does, and a probe device (device token) joins that room once per interval.
// The time from sending the probe's HELLO to the ROOM_ROSTER_DIFF that lists it as a join is
// what a dashboard user waits to see a device appear; the server coalesces diffs to at most two
// per room per second, so expect up to about 500 ms by design. The probe then LEAVEs.
class DashboardProbe : public QObject
{
    Q_OBJECT
public:
    DashboardProbe(const QUrl &url, QByteArray monitorToken, QByteArray deviceToken,
                   QString roomCode, double intervalSec, QObject *parent = nullptr);

    // Connects both sockets and subscribes; `ready` once the roster snapshot has arrived.
    void connectAndSubscribe();
    bool isSubscribed() const { return m_subscribed; }
    void start();
    void stop();

    const LatencyHistogram &latency() const { return m_latency; }
    qint64 missed() const { return m_missed; } // joins not seen within the probe timeout
    QString lastError() const { return m_lastError; }

Q_SIGNALS:
    void subscribed();

private:
    void probe();
    void onSubscriberText(const QString &text);
    void onDeviceText(const QString &text);
    void leaveProbeSession();

    QUrl m_url;
    QByteArray m_monitorToken;
    QByteArray m_deviceToken;
    QString m_roomCode;
    QWebSocket m_subscriber;
    QWebSocket m_device;
    QTimer m_timer;
    bool m_subscribed = false;
    bool m_measuring = false;
    qint64 m_seq = 1;
    int m_probeNumber = 0;
    QString m_probeClientId; // the probe in flight, empty when none
    qint64 m_probeSentNs = 0;
    QString m_probeSessionId;
    bool m_probeSeen = false;
    LatencyHistogram m_latency;
    qint64 m_missed = 0;
    QString m_lastError;
};

} // namespace spidi
