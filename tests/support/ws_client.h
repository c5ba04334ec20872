#pragma once

#include "protocol/stomp_frame.h"
#include <QJsonArray>
#include <QJsonDocument>

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QUrl>
#include <QWebSocket>

#include <functional>
#include <optional>

namespace spidi::test {

// A QWebSocket that records every JSON message it receives, so tests can wait for a message
// that matches a predicate (QTRY-style) instead of sleeping.
//
// With Framing::Stomp (the default when SPIDI_E2E_FRAMING=stomp) the same calls speak STOMP 1.2
// (SPEC 4.2), so that one suite asserts the same presence outcomes over both framings: open()
// also sends CONNECT and subscribes to /user/queue/ack and /user/queue/errors; send() turns
// HELLO/HEARTBEAT/LEAVE into SEND frames to /app/presence/..., SUBSCRIBE/UNSUBSCRIBE into
// STOMP subscriptions; MESSAGE bodies are recorded as received messages, and the RECEIPT of a
// SUBSCRIBE or UNSUBSCRIBE as the SUBSCRIBED/UNSUBSCRIBED reply JSON gives (an ERROR frame is
// recorded as {"type":"STOMP_ERROR","message":…}).
class WsClient : public QObject
{
    Q_OBJECT
public:
    enum class Framing { Json, Stomp };
    explicit WsClient(QObject *parent = nullptr);
    static Framing defaultFraming(); // from SPIDI_E2E_FRAMING
    void setFraming(Framing framing) { m_framing = framing; }
    Framing framing() const { return m_framing; }

    // Opens url with "Authorization: Bearer token" (no header when token is empty); waits for
    // the handshake. Returns false on failure (see closeCode/errorString).
    bool open(const QUrl &url, const QByteArray &token, const QStringList &subprotocols = {},
              int timeoutMs = 10000);
    void send(const QJsonObject &message);
    void sendText(const QString &text);
    void sendBinary(const QByteArray &data);
    void close();

    // Waits up to timeoutMs for a received message (not yet consumed) that matches; consumes and
    // returns it.
    std::optional<QJsonObject> waitFor(const std::function<bool(const QJsonObject &)> &match,
                                       int timeoutMs = 5000);
    std::optional<QJsonObject> waitForType(const QString &type, int timeoutMs = 5000);
    // Sends a request with a fresh seq and waits for the reply carrying it back as ref.
    std::optional<QJsonObject> request(QJsonObject message, int timeoutMs = 5000);
    // Waits for the socket to close.
    bool waitClosed(int timeoutMs = 5000);

    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    int closeCode() const { return int(m_socket.closeCode()); }
    QString closeReason() const { return m_socket.closeReason(); }
    QString errorString() const { return m_socket.errorString(); }
    QList<QJsonObject> received() const { return m_received; }
    QWebSocket &socket() { return m_socket; }

private:
    void onText(const QString &text);
    void onStompFrame(const spidi::stomp::Frame &frame);
    void sendStomp(const QByteArray &frame);
    bool openStomp(int timeoutMs);

    Framing m_framing = defaultFraming();
    QWebSocket m_socket;
    QList<QJsonObject> m_received;
    // STOMP mode: subscription ids by topic, and what each pending receipt stands for.
    QHash<QString, QString> m_stompIds;
    QHash<QString, QJsonObject> m_pendingReceipts;
    spidi::stomp::FrameParser m_stompParser{16 * 1024 * 1024};
    int m_nextStompId = 1;
    bool m_stompConnected = false;
    qint64 m_nextSeq = 1;
    bool m_closed = false;
};

} // namespace spidi::test
