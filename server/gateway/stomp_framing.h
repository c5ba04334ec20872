#pragma once

#include "gateway/framing.h"
#include "protocol/stomp_frame.h"

#include <QElapsedTimer>
#include <QHash>
#include <QStringList>
#include <QTimer>

namespace spidi {

struct StompOptions
{
    // What CONNECTED offers as `heart-beat:sx,sy`: the server can send a beat that often and
    // wants one at least that often. The client's own values make the negotiated intervals
    // longer, never shorter (STOMP 1.2, "Heart-beating").
    int heartBeatMs = 10000;
    // A socket upgraded without a token must CONNECT within this time.
    int connectTimeoutMs = 10000;
    qint64 maxFrameBytes = 65536;
};

// SPEC 4.2: STOMP 1.0/1.1/1.2 over WebSocket. CONNECT/STOMP authenticates (Authorization
// header or passcode, else the handshake's token) and negotiates version and heart-beats;
// SEND to /app/presence/{hello,heartbeat,leave} carries the JSON bodies of SPEC 4.1; replies
// go to /user/queue/ack, errors and session notices to /user/queue/errors, topic messages to
// each SUBSCRIBE id of /topic/...; RECEIPT answers any frame with a `receipt` header (after the
// request was handled, with `spidi-error-code` and `message` when it failed); BEGIN/COMMIT/ABORT
// group SENDs; a protocol violation gets an ERROR frame and the connection is closed.
class StompFraming final : public Framing
{
public:
    static const QStringList &subprotocols(); // v12.stomp, v11.stomp, v10.stomp
    static bool isStomp(const QString &subprotocol) { return subprotocols().contains(subprotocol); }

    StompFraming(FramingHost &host, QString subprotocol, StompOptions options);

    QString subprotocol() const override { return m_subprotocol; }
    bool acceptsBinaryMessages() const override { return true; }
    // A refused message could hold half a frame: the stream is always parsed, and each frame
    // that asks for work (not heart-beats) is admitted on its own.
    bool admitsEachRequest() const override { return true; }
    void receive(const QByteArray &message, const Dispatch &dispatch) override;
    QByteArray encode(Outbound kind, const QByteArray &jsonBody,
                      const protocol::Topic *topic) override;

    bool connected() const { return m_state == State::Connected; }
    stomp::Version version() const { return m_version; }
    int outgoingHeartBeatMs() const { return m_outMs; } // 0: none
    int incomingHeartBeatMs() const { return m_inMs; }

    static inline const QByteArray AckQueue = QByteArrayLiteral("/user/queue/ack");
    static inline const QByteArray ErrorQueue = QByteArrayLiteral("/user/queue/errors");
    static constexpr int MaxSubscriptions = 1000;
    static constexpr int MaxTransactions = 16;
    static constexpr int MaxFramesPerTransaction = 100;

private:
    enum class State { AwaitingConnect, Connected, Closed };
    struct Subscription
    {
        QByteArray destination;
        std::optional<protocol::Topic> topic; // unset for the /user/queue/... destinations
    };
    // The request being dispatched, so that its answer and receipt know where they belong.
    struct Current
    {
        bool active = false;
        QByteArray subscriptionId; // a SUBSCRIBE's id: dropped again if the hub refuses it
        bool failed = false;
        QByteArray errorCode;
        QString errorMessage;
    };

    void handleFrame(const stomp::Frame &frame, const Dispatch &dispatch);
    void onConnect(const stomp::Frame &frame);
    void onSend(const stomp::Frame &frame, const Dispatch &dispatch);
    void onSubscribe(const stomp::Frame &frame, const Dispatch &dispatch);
    void onUnsubscribe(const stomp::Frame &frame, const Dispatch &dispatch);
    void onTransaction(const stomp::Frame &frame, const Dispatch &dispatch);
    void onDisconnect(const stomp::Frame &frame);

    void run(const protocol::DecodeResult &request, const Dispatch &dispatch,
             const QByteArray &subscriptionId = {});
    void requestError(protocol::ErrorCode code, const QString &message, const Dispatch &dispatch);
    void
    protocolError(const QString &message, const stomp::Frame *offending = nullptr,
                  QWebSocketProtocol::CloseCode code = QWebSocketProtocol::CloseCodeProtocolError);
    void sendReceipt(const stomp::Frame &frame);
    QByteArray message(const QByteArray &destination, const QByteArray &subscriptionId,
                       const QByteArray &jsonBody);
    QByteArray toDestination(const QByteArray &destination, const QByteArray &jsonBody);
    void removeSubscription(const QByteArray &id);
    void write(const QByteArray &bytes);
    void stopTimers();

    FramingHost &m_host;
    QString m_subprotocol;
    StompOptions m_options;
    stomp::FrameParser m_parser;
    stomp::Version m_version = stomp::Version::V1_2;
    State m_state = State::AwaitingConnect;
    QHash<QByteArray, Subscription> m_subscriptions;      // by id
    QHash<QByteArray, QList<QByteArray>> m_byDestination; // destination -> ids, in order
    QHash<QByteArray, QList<stomp::Frame>> m_transactions;
    Current m_current;
    qint64 m_nextMessageId = 1;
    int m_outMs = 0;
    int m_inMs = 0;
    bool m_sentSinceBeat = false;
    QTimer m_connectTimer;
    QTimer m_outTimer;
    QTimer m_inTimer;
};

} // namespace spidi
