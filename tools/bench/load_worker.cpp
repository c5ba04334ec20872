#include "load_worker.h"

#include "bench_frames.h"
#include "bench_log.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QTimer>
#include <QUuid>
#include <QWebSocket>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace spidi {

namespace {
// A handshake (or HELLO) not answered in this time counts as failed: Qt 6.4's QWebSocket has
// no handshake timeout of its own.
constexpr qint64 HandshakeTimeoutNs = 30'000'000'000;
// More unanswered heartbeats than this on one connection means the server has stopped reading
// it; piling up more would only measure the generator's memory.
constexpr size_t MaxPendingPerConnection = 64;
// The worker catches up at most this much late work at once, so a stall does not turn into a
// burst the server never saw in the real load shape; the rest is counted as `behind`.
constexpr double MaxDebtSec = 1.0;
constexpr int TickMs = 5;
constexpr int MaxFailureSamples = 5;
} // namespace

qint64 monotonicNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void WorkerStats::merge(const WorkerStats &o)
{
    opened += o.opened;
    failed += o.failed;
    dropped += o.dropped;
    held += o.held;
    if (o.firstAttemptNs > 0)
        firstAttemptNs =
            firstAttemptNs > 0 ? std::min(firstAttemptNs, o.firstAttemptNs) : o.firstAttemptNs;
    lastOpenedNs = std::max(lastOpenedNs, o.lastOpenedNs);
    sent += o.sent;
    acked += o.acked;
    behind += o.behind;
    backpressured += o.backpressured;
    for (auto it = o.errors.cbegin(); it != o.errors.cend(); ++it)
        errors[it.key()] += it.value();
    for (const QString &sample : o.failureSamples)
        if (failureSamples.size() < MaxFailureSamples)
            failureSamples.append(sample);
    ackLatency.merge(o.ackLatency);
}

LoadWorker::LoadWorker(WorkerConfig config, QObject *parent)
    : QObject(parent), m_config(std::move(config))
{}

LoadWorker::~LoadWorker()
{
    stop();
}

void LoadWorker::start()
{
    m_devices.reserve(size_t(m_config.count));
    for (int i = 0; i < m_config.count; ++i) {
        auto device = std::make_unique<Device>();
        device->globalIndex = m_config.first + i * m_config.stride;
        m_devices.push_back(std::move(device));
    }
    m_ready.reserve(size_t(m_config.count));
    m_timer = new QTimer(this);
    m_timer->setTimerType(Qt::PreciseTimer);
    m_timer->setInterval(TickMs);
    connect(m_timer, &QTimer::timeout, this, &LoadWorker::tick);
    m_lastTickNs = monotonicNs();
    m_stats.firstAttemptNs = m_lastTickNs;
    m_timer->start();
    updateRampFinished();
}

void LoadWorker::fullRate()
{
    m_fullRate = true;
}

void LoadWorker::beginMeasurement()
{
    m_measuring = true;
    m_measureStartNs = monotonicNs();
    m_stats.sent = m_stats.acked = m_stats.behind = m_stats.backpressured = 0;
    m_stats.ackLatency.reset();
}

void LoadWorker::endMeasurement()
{
    m_measuring = false;
}

WorkerStats LoadWorker::stats() const
{
    WorkerStats s = m_stats;
    s.held = m_readyCount.load();
    return s;
}

void LoadWorker::stop()
{
    m_stopping = true;
    if (m_timer)
        m_timer->stop();
    for (auto &device : m_devices) {
        if (!device->socket)
            continue;
        device->socket->disconnect(this);
        device->socket->abort();
        delete device->socket;
        device->socket = nullptr;
    }
    m_ready.clear();
    m_connecting.clear();
    m_readyCount = 0;
}

void LoadWorker::tick()
{
    const qint64 now = monotonicNs();
    const double elapsedSec = double(now - m_lastTickNs) / 1e9;
    m_lastTickNs = now;
    openConnections(elapsedSec);
    sendHeartbeats(elapsedSec);
    if (now - m_lastExpiryCheckNs > 1'000'000'000) {
        m_lastExpiryCheckNs = now;
        expireHandshakes();
    }
}

void LoadWorker::openConnections(double elapsedSec)
{
    if (m_nextToOpen >= m_config.count)
        return;
    m_connectDebt = std::min(m_connectDebt + m_config.connectRate * elapsedSec,
                             std::max(1.0, m_config.connectRate * MaxDebtSec));
    while (m_connectDebt >= 1.0 && m_nextToOpen < m_config.count &&
           m_pendingHandshakes < m_config.maxPendingHandshakes) {
        m_connectDebt -= 1.0;
        openDevice(*m_devices[size_t(m_nextToOpen++)]);
    }
}

void LoadWorker::openDevice(Device &device)
{
    QUrl url = m_config.url;
    if (m_config.targetAddresses > 1)
        url.setHost(
            QStringLiteral("127.0.0.%1").arg(1 + device.globalIndex % m_config.targetAddresses));
    QNetworkRequest request(url);
    if (!m_config.token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_config.token);

    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    device.socket = socket;
    device.state = State::Connecting;
    device.connectStartNs = monotonicNs();
    ++m_pendingHandshakes;
    m_connecting.insert(&device);
    Device *d = &device;
    connect(socket, &QWebSocket::connected, this, [this, d] { onConnected(*d); });
    connect(socket, &QWebSocket::textMessageReceived, this,
            [this, d](const QString &text) { onText(*d, text); });
    connect(socket, &QWebSocket::disconnected, this,
            [this, d] { onClosed(*d, d->socket ? d->socket->errorString() : QString()); });
    // Qt 6.4 names this signal error(); errorOccurred() arrives in 6.5.
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this, d](QAbstractSocket::SocketError) {
                if (d->state == State::Connecting)
                    handshakeFailed(*d, d->socket ? d->socket->errorString() : QString());
            });
    socket->open(request);
}

void LoadWorker::onConnected(Device &device)
{
    if (device.state != State::Connecting)
        return;
    m_connecting.erase(&device);
    --m_pendingHandshakes;
    ++m_stats.opened;
    m_openedCount.fetch_add(1, std::memory_order_relaxed);
    m_stats.lastOpenedNs = monotonicNs();
    if (m_config.echo) {
        // The echo peer does not care about the id; a UUID keeps the frame the size of a real
        // heartbeat.
        device.sessionId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        markReady(device);
    } else {
        sendHello(device);
    }
    updateRampFinished();
}

void LoadWorker::sendHello(Device &device)
{
    if (device.state != State::Hello)
        ++m_helloInFlight;
    device.state = State::Hello;
    device.helloSeq = device.nextSeq++;
    const QString room = m_config.roomCodes.at(device.globalIndex % int(m_config.roomCodes.size()));
    device.socket->sendTextMessage(bench::encodeHello(
        device.helloSeq, room, QStringLiteral("bench-%1").arg(device.globalIndex)));
}

void LoadWorker::markReady(Device &device)
{
    if (device.state == State::Hello)
        --m_helloInFlight;
    device.state = State::Ready;
    m_readyCount.fetch_add(1, std::memory_order_relaxed);
    if (!device.inReadyList) {
        device.inReadyList = true;
        m_ready.push_back(&device);
    }
}

void LoadWorker::onText(Device &device, const QString &text)
{
    if (m_config.echo) {
        if (const auto seq = bench::integerField(text, u"seq"))
            onAck(device, *seq);
        return;
    }
    if (text.contains(u"\"HEARTBEAT_ACK\"")) {
        if (const auto ref = bench::integerField(text, u"ref"))
            onAck(device, *ref);
        return;
    }
    onControlMessage(device, text);
}

void LoadWorker::onAck(Device &device, qint64 ref)
{
    // Acks come back in order on one connection; anything older than `ref` was answered with
    // an ERROR (counted there) or not at all.
    while (!device.pending.empty() && device.pending.front().seq < ref)
        device.pending.pop_front();
    if (device.pending.empty() || device.pending.front().seq != ref)
        return;
    const qint64 sentNs = device.pending.front().sentNs;
    device.pending.pop_front();
    const qint64 rttNs = monotonicNs() - sentNs;
    device.lastLatencyMs = int(std::lround(double(rttNs) / 1e6));
    if (m_measuring && sentNs >= m_measureStartNs) {
        ++m_stats.acked;
        m_stats.ackLatency.record(rttNs / 1000);
    }
}

void LoadWorker::onControlMessage(Device &device, const QString &text)
{
    const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
    const QString type = message.value(QLatin1String("type")).toString();
    const qint64 ref = message.value(QLatin1String("ref")).toInteger(-1);
    if (type == QLatin1String("ACK") && device.state == State::Hello && ref == device.helloSeq) {
        device.sessionId = message.value(QLatin1String("sessionId")).toString();
        markReady(device);
        return;
    }
    if (type == QLatin1String("ERROR")) {
        const QString code = message.value(QLatin1String("code")).toString();
        ++m_stats.errors[code];
        if (device.state == State::Hello && ref == device.helloSeq) {
            // A device the server will not let in (ROOM_FULL, ROOM_NOT_FOUND …) is not held.
            qCWarning(lcBench) << "HELLO refused:" << code
                               << message.value(QLatin1String("message")).toString();
            handshakeFailed(device, QStringLiteral("HELLO refused: ") + code);
            // Not from inside the socket's own message signal.
            QMetaObject::invokeMethod(device.socket, &QWebSocket::abort, Qt::QueuedConnection);
        }
        return;
    }
    if (type == QLatin1String("SESSION_ENDED")) {
        // TTL or expiry: a device would join again, and so does the bench, so that a long run
        // keeps its load.
        ++m_stats.errors[QStringLiteral("SESSION_ENDED:") +
                         message.value(QLatin1String("reason")).toString()];
        if (device.state == State::Ready) {
            m_readyCount.fetch_sub(1, std::memory_order_relaxed);
            device.pending.clear();
            sendHello(device);
        }
        return;
    }
    ++m_stats.errors[QStringLiteral("unexpected:") + (type.isEmpty() ? QStringLiteral("?") : type)];
}

void LoadWorker::handshakeFailed(Device &device, const QString &reason)
{
    if (device.state == State::Closed)
        return;
    if (device.state == State::Connecting) {
        m_connecting.erase(&device);
        --m_pendingHandshakes;
    } else if (device.state == State::Hello) {
        --m_helloInFlight;
    } else if (device.state == State::Ready) {
        m_readyCount.fetch_sub(1, std::memory_order_relaxed);
    }
    device.state = State::Closed;
    ++m_stats.failed;
    m_failedCount.fetch_add(1, std::memory_order_relaxed);
    if (m_stats.failureSamples.size() < MaxFailureSamples)
        m_stats.failureSamples.append(reason);
    updateRampFinished();
}

void LoadWorker::onClosed(Device &device, const QString &reason)
{
    if (m_stopping)
        return;
    switch (device.state) {
    case State::Connecting:
    case State::Hello:
        handshakeFailed(device, reason);
        break;
    case State::Ready:
        m_readyCount.fetch_sub(1, std::memory_order_relaxed);
        device.state = State::Closed;
        ++m_stats.dropped;
        if (m_stats.dropped <= MaxFailureSamples)
            qCWarning(lcBench) << "connection" << device.globalIndex
                               << "closed by the peer:" << device.socket->closeCode()
                               << device.socket->closeReason() << reason;
        break;
    case State::Closed:
        break;
    }
    device.pending.clear();
}

void LoadWorker::expireHandshakes()
{
    const qint64 now = monotonicNs();
    std::vector<Device *> expired;
    for (Device *device : m_connecting)
        if (now - device->connectStartNs > HandshakeTimeoutNs)
            expired.push_back(device);
    for (Device *device : expired) {
        handshakeFailed(*device, QStringLiteral("handshake timed out"));
        device->socket->abort();
    }
}

void LoadWorker::updateRampFinished()
{
    // HELLOs still in flight are part of the ramp too.
    if (!m_rampFinished && m_nextToOpen >= m_config.count && m_pendingHandshakes == 0 &&
        m_helloInFlight == 0)
        m_rampFinished = true;
}

void LoadWorker::sendHeartbeats(double elapsedSec)
{
    const double ready = double(m_readyCount.load(std::memory_order_relaxed));
    const double perConnection =
        m_fullRate ? m_config.perConnectionRate
                   : std::min(m_config.perConnectionRate, m_config.rampPerConnectionRate);
    const double perSec = perConnection * ready;
    m_heartbeatDebt += perSec * elapsedSec;
    const double cap = std::max(1.0, perSec * MaxDebtSec);
    if (m_heartbeatDebt > cap) {
        if (m_measuring)
            m_stats.behind += qint64(m_heartbeatDebt - cap);
        m_heartbeatDebt = cap;
    }
    if (!m_rampFinished)
        updateRampFinished();
    const qint64 now = monotonicNs();
    while (m_heartbeatDebt >= 1.0 && !m_ready.empty()) {
        if (m_readyCursor >= m_ready.size())
            m_readyCursor = 0;
        Device *device = m_ready[m_readyCursor];
        if (device->state != State::Ready) {
            // Swap-remove the stale entry; a device that becomes ready again is re-added.
            device->inReadyList = false;
            m_ready[m_readyCursor] = m_ready.back();
            m_ready.pop_back();
            continue;
        }
        ++m_readyCursor;
        m_heartbeatDebt -= 1.0;
        if (device->pending.size() >= MaxPendingPerConnection) {
            if (m_measuring)
                ++m_stats.backpressured;
            continue;
        }
        const qint64 seq = device->nextSeq++;
        device->pending.push_back({seq, now});
        device->socket->sendTextMessage(
            bench::encodeHeartbeat(seq, device->sessionId, device->lastLatencyMs));
        if (m_measuring)
            ++m_stats.sent;
    }
}

} // namespace spidi
