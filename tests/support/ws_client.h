#pragma once

#include <QJsonArray>
#include <QJsonDocument>
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
class WsClient : public QObject
{
    Q_OBJECT
public:
    explicit WsClient(QObject *parent = nullptr);

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
    QWebSocket m_socket;
    QList<QJsonObject> m_received;
    qint64 m_nextSeq = 1;
    bool m_closed = false;
};

} // namespace spidi::test
