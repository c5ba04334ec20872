#pragma once

#include "latency_histogram.h"

#include <QByteArray>
#include <QMap>
#include <QObject>
#include <QStringList>
#include <QUrl>

#include <atomic>
#include <deque>
#include <memory>
#include <unordered_set>
#include <vector>

class QTimer;
class QWebSocket;

namespace spidi {

struct WorkerConfig
{
    int index = 0;
    // The worker's connections are the global indexes first, first + stride, … (count of them);
    // the global index picks the room and the destination address.
    int first = 0;
    int stride = 1;
    int count = 0;
    double perConnectionRate = 0; // heartbeats per second per connection that holds a session
    // Until fullRate(): enough to keep sessions alive, not a load test of its own. At the full
    // rate during the ramp, a busy server's event loop answers handshakes late and the ramp
    // slows to a crawl (seen: 66 connections/s at 10,000 heartbeats/s on two cores).
    double rampPerConnectionRate = 0;
    double connectRate = 100;      // connections opened per second by this worker
    int maxPendingHandshakes = 16; // this worker's share of BenchOptions::maxPendingHandshakes
    QUrl url;
    int targetAddresses = 1;
    QByteArray token;
    QStringList roomCodes;
    bool echo = false; // no HELLO; the peer echoes heartbeat-sized frames
};

// What a worker measured. Connection counters cover the whole run; heartbeat counters and the
// latency histogram cover only the measurement window.
struct WorkerStats
{
    qint64 opened = 0;  // handshakes that succeeded
    qint64 failed = 0;  // handshakes (or HELLOs) that did not
    qint64 dropped = 0; // connections closed by the peer after they were open
    qint64 held = 0;    // holding a session (echo: connected) when the snapshot was taken
    qint64 firstAttemptNs = 0;
    qint64 lastOpenedNs = 0;
    qint64 sent = 0;
    qint64 acked = 0;
    qint64 behind = 0;            // heartbeats due but skipped: the worker thread fell behind
    qint64 backpressured = 0;     // skipped: that connection already had too many unanswered
    QMap<QString, qint64> errors; // ERROR codes and SESSION_ENDED reasons received
    QStringList failureSamples;   // the first few handshake failures, for the log
    LatencyHistogram ackLatency;

    void merge(const WorkerStats &other);
};

// One thread's share of the device connections: opens them at the ramp rate, sends HELLO and
// then heartbeats at an even per-connection rate, and times each HEARTBEAT_ACK (or echoed
// frame) against the monotonic clock. Lives in its own QThread; every call except the
// progress getters must be made in that thread (queued or blocking-queued invocations).
class LoadWorker : public QObject
{
    Q_OBJECT
public:
    explicit LoadWorker(WorkerConfig config, QObject *parent = nullptr);
    ~LoadWorker() override;

    // Thread-safe progress for the main thread.
    qint64 openedCount() const { return m_openedCount.load(std::memory_order_relaxed); }
    qint64 failedCount() const { return m_failedCount.load(std::memory_order_relaxed); }
    qint64 readyCount() const { return m_readyCount.load(std::memory_order_relaxed); }
    bool rampFinished() const { return m_rampFinished.load(std::memory_order_relaxed); }

    void start();
    void fullRate();
    void beginMeasurement();
    void endMeasurement();
    WorkerStats stats() const;
    // Closes every connection at once (abort, no closing handshake) and stops the timer.
    void stop();

private:
    struct Pending
    {
        qint64 seq;
        qint64 sentNs;
    };
    enum class State { Connecting, Hello, Ready, Closed };
    struct Device
    {
        int globalIndex = 0;
        QWebSocket *socket = nullptr;
        State state = State::Connecting;
        QString sessionId;
        qint64 nextSeq = 1;
        qint64 helloSeq = 0;
        qint64 connectStartNs = 0;
        int lastLatencyMs = -1;
        bool inReadyList = false;
        std::deque<Pending> pending;
    };

    void tick();
    void openConnections(double elapsedSec);
    void sendHeartbeats(double elapsedSec);
    void openDevice(Device &device);
    void sendHello(Device &device);
    void onConnected(Device &device);
    void onText(Device &device, const QString &text);
    void onAck(Device &device, qint64 ref);
    void onControlMessage(Device &device, const QString &text);
    void onClosed(Device &device, const QString &reason);
    void markReady(Device &device);
    void handshakeFailed(Device &device, const QString &reason);
    void expireHandshakes();
    void updateRampFinished();

    WorkerConfig m_config;
    std::vector<std::unique_ptr<Device>> m_devices;
    std::vector<Device *> m_ready; // round-robin order for heartbeats; stale entries removed lazily
    std::unordered_set<Device *> m_connecting;
    size_t m_readyCursor = 0;
    int m_nextToOpen = 0;
    int m_pendingHandshakes = 0;
    int m_helloInFlight = 0;
    double m_connectDebt = 0;
    double m_heartbeatDebt = 0;
    qint64 m_lastTickNs = 0;
    qint64 m_lastExpiryCheckNs = 0;
    bool m_fullRate = false;
    bool m_measuring = false;
    qint64 m_measureStartNs = 0;
    bool m_stopping = false;
    QTimer *m_timer = nullptr;
    WorkerStats m_stats;
    std::atomic<qint64> m_openedCount{0};
    std::atomic<qint64> m_failedCount{0};
    std::atomic<qint64> m_readyCount{0};
    std::atomic<bool> m_rampFinished{false};
};

qint64 monotonicNs();

} // namespace spidi
