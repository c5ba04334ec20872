#include "ws_client.h"

#include <QDeadlineTimer>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTest>

namespace spidi::test {

WsClient::WsClient(QObject *parent) : QObject(parent)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        m_received.append(QJsonDocument::fromJson(text.toUtf8()).object());
    });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] { m_closed = true; });
}

bool WsClient::open(const QUrl &url, const QByteArray &token, const QStringList &subprotocols,
                    int timeoutMs)
{
    QNetworkRequest request(url);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    if (!subprotocols.isEmpty())
        request.setRawHeader("Sec-WebSocket-Protocol",
                             subprotocols.join(QLatin1Char(',')).toUtf8());
    m_closed = false;
    m_socket.open(request);
    QDeadlineTimer deadline(timeoutMs);
    while (m_socket.state() != QAbstractSocket::ConnectedState && !m_closed &&
           !deadline.hasExpired())
        QTest::qWait(5);
    return m_socket.state() == QAbstractSocket::ConnectedState;
}

void WsClient::send(const QJsonObject &message)
{
    m_socket.sendTextMessage(
        QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

void WsClient::sendText(const QString &text)
{
    m_socket.sendTextMessage(text);
}

void WsClient::sendBinary(const QByteArray &data)
{
    m_socket.sendBinaryMessage(data);
}

void WsClient::close()
{
    m_socket.close();
}

std::optional<QJsonObject> WsClient::waitFor(const std::function<bool(const QJsonObject &)> &match,
                                             int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        for (qsizetype i = 0; i < m_received.size(); ++i) {
            if (match(m_received.at(i)))
                return m_received.takeAt(i);
        }
        if (deadline.hasExpired())
            return std::nullopt;
        QTest::qWait(5); // processes events: this is how the message arrives, not a fixed delay
    }
}

std::optional<QJsonObject> WsClient::waitForType(const QString &type, int timeoutMs)
{
    return waitFor(
        [&type](const QJsonObject &m) { return m.value(QLatin1String("type")).toString() == type; },
        timeoutMs);
}

std::optional<QJsonObject> WsClient::request(QJsonObject message, int timeoutMs)
{
    const qint64 seq = m_nextSeq++;
    message.insert(QLatin1String("seq"), seq);
    send(message);
    return waitFor(
        [seq](const QJsonObject &m) { return m.value(QLatin1String("ref")).toInteger(-1) == seq; },
        timeoutMs);
}

bool WsClient::waitClosed(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!m_closed && !deadline.hasExpired())
        QTest::qWait(5);
    return m_closed;
}

} // namespace spidi::test
