#include "dashboard_probe.h"

#include "bench_frames.h"
#include "bench_log.h"
#include "load_worker.h"
#include "protocol/messages.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>

#include <cmath>

namespace spidi {

namespace {
constexpr qint64 ProbeTimeoutNs = 10'000'000'000;

QNetworkRequest authorized(const QUrl &url, const QByteArray &token)
{
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + token);
    return request;
}
} // namespace

DashboardProbe::DashboardProbe(const QUrl &url, QByteArray monitorToken, QByteArray deviceToken,
                               QString roomCode, double intervalSec, QObject *parent)
    : QObject(parent), m_url(url), m_monitorToken(std::move(monitorToken)),
      m_deviceToken(std::move(deviceToken)), m_roomCode(std::move(roomCode))
{
    m_timer.setInterval(std::max(100, int(std::lround(intervalSec * 1000))));
    connect(&m_timer, &QTimer::timeout, this, &DashboardProbe::probe);
    connect(&m_subscriber, &QWebSocket::textMessageReceived, this,
            &DashboardProbe::onSubscriberText);
    connect(&m_device, &QWebSocket::textMessageReceived, this, &DashboardProbe::onDeviceText);
    connect(&m_subscriber, &QWebSocket::connected, this, [this] {
        const protocol::Topic topic{protocol::Topic::Kind::RoomRoster, m_roomCode};
        m_subscriber.sendTextMessage(bench::encodeSubscribe(m_seq++, topic.toString()));
    });
    auto onError = [this](const QString &who, QWebSocket &socket) {
        m_lastError = who + QStringLiteral(": ") + socket.errorString();
        qCWarning(lcBench) << "join-to-dashboard" << m_lastError;
    };
    connect(&m_subscriber, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this, onError] { onError(QStringLiteral("subscriber"), m_subscriber); });
    connect(&m_device, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this, onError] { onError(QStringLiteral("probe device"), m_device); });
}

void DashboardProbe::connectAndSubscribe()
{
    m_subscriber.open(authorized(m_url, m_monitorToken));
    m_device.open(authorized(m_url, m_deviceToken));
}

void DashboardProbe::start()
{
    m_measuring = true;
    m_timer.start();
}

void DashboardProbe::stop()
{
    m_measuring = false;
    m_timer.stop();
    leaveProbeSession();
    m_subscriber.close();
    m_device.close();
}

void DashboardProbe::probe()
{
    if (!m_subscribed || m_device.state() != QAbstractSocket::ConnectedState)
        return;
    if (!m_probeClientId.isEmpty()) {
        if (monotonicNs() - m_probeSentNs < ProbeTimeoutNs)
            return; // still waiting for the last one
        ++m_missed;
        qCWarning(lcBench) << "join-to-dashboard: probe" << m_probeClientId
                           << "not seen in the roster within 10 s";
        leaveProbeSession();
    }
    m_probeClientId = QStringLiteral("bench-probe-%1").arg(++m_probeNumber);
    m_probeSessionId.clear();
    m_probeSeen = false;
    m_probeSentNs = monotonicNs();
    m_device.sendTextMessage(bench::encodeHello(m_seq++, m_roomCode, m_probeClientId));
}

void DashboardProbe::onSubscriberText(const QString &text)
{
    if (!m_subscribed) {
        const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
        const QString type = message.value(QLatin1String("type")).toString();
        if (type == QLatin1String("ROOM_ROSTER")) {
            m_subscribed = true;
            Q_EMIT subscribed();
        } else if (type == QLatin1String("ERROR")) {
            m_lastError = QStringLiteral("SUBSCRIBE: ") +
                          message.value(QLatin1String("code")).toString() + QLatin1Char(' ') +
                          message.value(QLatin1String("message")).toString();
            qCWarning(lcBench) << "join-to-dashboard" << m_lastError;
        }
        return;
    }
    // Diffs of a busy room carry every heartbeat's update; only parse the one naming the probe.
    if (m_probeClientId.isEmpty() || m_probeSeen || !text.contains(m_probeClientId))
        return;
    const qint64 seenNs = monotonicNs();
    const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
    if (message.value(QLatin1String("type")).toString() != QLatin1String("ROOM_ROSTER_DIFF"))
        return;
    for (const QJsonValue &join : message.value(QLatin1String("joins")).toArray()) {
        if (join.toObject().value(QLatin1String("clientId")).toString() != m_probeClientId)
            continue;
        m_probeSeen = true;
        if (m_measuring)
            m_latency.record((seenNs - m_probeSentNs) / 1000);
        if (!m_probeSessionId.isEmpty())
            leaveProbeSession();
        return;
    }
}

void DashboardProbe::onDeviceText(const QString &text)
{
    const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
    const QString type = message.value(QLatin1String("type")).toString();
    if (type == QLatin1String("ACK") && m_probeSessionId.isEmpty() && !m_probeClientId.isEmpty() &&
        message.contains(QLatin1String("roomCode"))) {
        m_probeSessionId = message.value(QLatin1String("sessionId")).toString();
        if (m_probeSeen)
            leaveProbeSession();
    } else if (type == QLatin1String("ERROR")) {
        m_lastError = QStringLiteral("probe HELLO: ") +
                      message.value(QLatin1String("code")).toString() + QLatin1Char(' ') +
                      message.value(QLatin1String("message")).toString();
        qCWarning(lcBench) << "join-to-dashboard" << m_lastError;
        m_probeClientId.clear();
    }
}

void DashboardProbe::leaveProbeSession()
{
    if (!m_probeSessionId.isEmpty() && m_device.state() == QAbstractSocket::ConnectedState)
        m_device.sendTextMessage(bench::encodeLeave(m_seq++, m_probeSessionId));
    m_probeSessionId.clear();
    m_probeClientId.clear();
}

} // namespace spidi
