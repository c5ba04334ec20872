#pragma once

#include "store/redis_url.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

struct redisAsyncContext;
struct redisReply;
class RedisQtAdapter;

namespace spidi {

struct RedisConnectionOptions
{
    RedisUrl url;
    QString name = QStringLiteral("redis"); // in logs: which of an instance's connections
    int connectTimeoutMs = 2000;
    int initialBackoffMs = 100;
    int maxBackoffMs = 5000;
    // A connection whose PING has had no reply for this long is treated as lost. 0 disables
    // the check (a subscribed connection cannot PING through hiredis 0.14).
    int pingTimeoutMs = 3000;
};

// One hiredis asynchronous connection driven by the Qt event loop (hiredis/adapters/qt.h):
// resolves the host without blocking, connects, authenticates, selects the database, runs the
// owner's handshake commands (SCRIPT LOAD…) or SUBSCRIBE, and reconnects with exponential
// backoff whenever the connection is lost. Nothing here blocks the loop, except drain() at
// shutdown. Commands are pipelined: command() only queues the request.
class RedisConnection : public QObject
{
    Q_OBJECT
public:
    using ReplyHandler = std::function<void(redisReply *)>;
    using MessageHandler = std::function<void(const QByteArray &payload)>;

    explicit RedisConnection(RedisConnectionOptions options, QObject *parent = nullptr);
    ~RedisConnection() override;

    // Commands sent on every connect after AUTH/SELECT; their errors fail the attempt.
    void setHandshakeCommands(QList<QList<QByteArray>> commands);
    // Makes this a subscriber connection: SUBSCRIBE `channel` ends every handshake and
    // `onMessage` receives each message's payload from then on.
    void setSubscription(const QByteArray &channel, MessageHandler onMessage);

    void start();
    // Queues a command; false (and `done` never called) when not connected. `done` gets nullptr
    // when the connection is lost before the reply arrives.
    bool command(const QList<QByteArray> &args, ReplyHandler done = {});
    // Drops the connection (replies on their way still arrive) and reconnects after backoff.
    void reset(const QString &reason);
    // Shutdown only: drives the socket directly until every reply is in or the deadline passes.
    void drain(int timeoutMs);

    bool isReady() const { return m_state == State::Ready; }
    bool isConnecting() const
    {
        return m_state == State::Connecting || m_state == State::Handshaking;
    }
    // Why it is not ready ("" when it is).
    QString detail() const { return m_detail; }
    qint64 errors() const { return m_errors; }
    void countError() { ++m_errors; }
    qint64 commandsInFlight() const { return m_inFlight; }
    qint64 commandsSent() const { return m_sent; }
    int connectionsMade() const { return m_connections; }
    const RedisConnectionOptions &options() const { return m_options; }

    static QByteArray replyText(const redisReply *reply);
    static bool isError(const redisReply *reply);

Q_SIGNALS:
    void ready();
    // Emitted when a ready connection is lost.
    void connectionLost(const QString &reason);
    // Emitted for every failed attempt and every lost connection.
    void attemptFailed(const QString &reason);

private:
    enum class State { Idle, Connecting, Handshaking, Ready, Waiting };
    struct Pending;
    struct Subscription;

    static void onReply(redisAsyncContext *context, void *reply, void *privdata);
    static void onMessage(redisAsyncContext *context, void *reply, void *privdata);
    static void onConnect(const redisAsyncContext *context, int status);
    static void onDisconnect(const redisAsyncContext *context, int status);

    void connectNow();
    void openContext(const QString &address);
    void detach(redisAsyncContext *context);
    void handshake();
    void handshakeStepDone();
    void becomeReady();
    void connectionFailed(const QString &reason);
    void ping();

    RedisConnectionOptions m_options;
    QList<QList<QByteArray>> m_handshakeCommands;
    std::unique_ptr<Subscription> m_subscription;
    State m_state = State::Idle;
    redisAsyncContext *m_context = nullptr;
    RedisQtAdapter *m_adapter = nullptr;
    QTimer m_connectTimer;
    QTimer m_reconnectTimer;
    QTimer m_pingTimer;
    QElapsedTimer m_pingSent;
    bool m_pingOutstanding = false;
    int m_backoffMs = 0;
    int m_handshakePending = 0;
    bool m_destroying = false;
    QString m_detail;      // why it is not ready
    QString m_closeReason; // set before we close the connection ourselves
    qint64 m_errors = 0;
    qint64 m_inFlight = 0;
    qint64 m_sent = 0;
    int m_connections = 0;
    int m_failedAttempts = 0;
};

} // namespace spidi
