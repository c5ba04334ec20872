#include "rest_probe.h"

#include "http_helpers.h"
#include "load_worker.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <cmath>

namespace spidi {

namespace {
constexpr int RequestTimeoutMs = 10000;
}

RestProbe::RestProbe(const QUrl &wsUrl, QByteArray token, QString roomCode, double ratePerSec,
                     QObject *parent)
    : QObject(parent), m_base(bench::httpBase(wsUrl)), m_token(std::move(token)),
      m_roomCode(std::move(roomCode)), m_rate(ratePerSec),
      m_manager(new QNetworkAccessManager(this))
{
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &RestProbe::fire);
}

RestProbe::~RestProbe() = default;

void RestProbe::start()
{
    if (m_rate <= 0 || m_token.isEmpty())
        return;
    m_timer.start(std::max(1, int(std::lround(1000.0 / m_rate))));
}

void RestProbe::stop()
{
    m_timer.stop();
}

void RestProbe::fire()
{
    const bool rooms = m_nextIsRooms;
    m_nextIsRooms = !m_nextIsRooms;
    QUrl url = m_base;
    url.setPath(rooms ? QStringLiteral("/api/v1/rooms")
                      : QStringLiteral("/api/v1/rooms/%1/sessions").arg(m_roomCode));
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_token);
    request.setTransferTimeout(RequestTimeoutMs);
    const qint64 sentNs = monotonicNs();
    QNetworkReply *reply = m_manager->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, rooms, sentNs] {
        reply->deleteLater();
        if (!m_timer.isActive())
            return; // answered after the measurement ended
        Endpoint &endpoint = rooms ? m_rooms : m_sessions;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        reply->readAll();
        if (status >= 200 && status < 300) {
            endpoint.latency.record((monotonicNs() - sentNs) / 1000);
        } else {
            ++endpoint.errors;
            endpoint.lastError =
                status ? QStringLiteral("HTTP %1").arg(status) : reply->errorString();
        }
    });
}

} // namespace spidi
