#include "ws_client.h"

#include <QDeadlineTimer>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTest>

namespace spidi::test {

namespace stomp = spidi::stomp;

namespace {
const QString kType = QStringLiteral("type");
const QString kSeq = QStringLiteral("seq");
const QString kRef = QStringLiteral("ref");
const QString kTopic = QStringLiteral("topic");
} // namespace

WsClient::WsClient(QObject *parent) : QObject(parent)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &WsClient::onText);
    connect(&m_socket, &QWebSocket::disconnected, this, [this] { m_closed = true; });
}

WsClient::Framing WsClient::defaultFraming()
{
    return qEnvironmentVariable("SPIDI_E2E_FRAMING") == QLatin1String("stomp") ? Framing::Stomp
                                                                               : Framing::Json;
}

void WsClient::onText(const QString &text)
{
    if (m_framing == Framing::Json) {
        m_received.append(QJsonDocument::fromJson(text.toUtf8()).object());
        return;
    }
    m_stompParser.feed(text.toUtf8());
    for (;;) {
        stomp::FrameParser::Item item = m_stompParser.next();
        if (item.kind == stomp::FrameParser::Item::Kind::NeedMore)
            return;
        if (item.kind == stomp::FrameParser::Item::Kind::Error) {
            m_received.append({{kType, QStringLiteral("STOMP_PARSE_ERROR")},
                               {QStringLiteral("message"), item.error}});
            return;
        }
        if (item.kind == stomp::FrameParser::Item::Kind::Frame)
            onStompFrame(item.frame);
    }
}

void WsClient::onStompFrame(const stomp::Frame &frame)
{
    if (frame.command == "CONNECTED") {
        m_stompConnected = true;
    } else if (frame.command == "MESSAGE") {
        m_received.append(QJsonDocument::fromJson(frame.body).object());
    } else if (frame.command == "ERROR") {
        m_received.append(
            {{kType, QStringLiteral("STOMP_ERROR")},
             {QStringLiteral("message"), QString::fromUtf8(frame.headerOr("message"))}});
    } else if (frame.command == "RECEIPT") {
        const QJsonObject pending =
            m_pendingReceipts.take(QString::fromUtf8(frame.headerOr("receipt-id")));
        if (pending.isEmpty())
            return;
        const QJsonValue ref = pending.value(kSeq);
        if (frame.header("spidi-error-code")) {
            // The refusal itself arrived on /user/queue/errors just before this receipt,
            // without the seq the JSON framing echoes: attach it, as a JSON reply would carry.
            for (qsizetype i = m_received.size() - 1; i >= 0; --i) {
                QJsonObject &m = m_received[i];
                if (m.value(kType).toString() == QLatin1String("ERROR") && !m.contains(kRef)) {
                    if (!ref.isUndefined())
                        m.insert(kRef, ref);
                    break;
                }
            }
            if (pending.value(kType).toString() == QLatin1String("SUBSCRIBE"))
                m_stompIds.remove(pending.value(kTopic).toString());
            return;
        }
        const QString type = pending.value(kType).toString();
        if (type != QLatin1String("SUBSCRIBE") && type != QLatin1String("UNSUBSCRIBE"))
            return;
        QJsonObject reply{{kType, QString(type + QLatin1Char('D'))},
                          {kTopic, pending.value(kTopic)}};
        if (!ref.isUndefined())
            reply.insert(kRef, ref);
        m_received.append(reply);
    }
}

void WsClient::sendStomp(const QByteArray &frame)
{
    m_socket.sendTextMessage(QString::fromUtf8(frame));
}

bool WsClient::openStomp(int timeoutMs)
{
    m_stompConnected = false;
    m_stompIds.clear();
    m_pendingReceipts.clear();
    m_stompParser = stomp::FrameParser(16 * 1024 * 1024);
    sendStomp(stomp::encode({"CONNECT", {{"accept-version", "1.2"}, {"heart-beat", "0,0"}}, {}},
                            stomp::Version::V1_2));
    const QString ack = QStringLiteral("q-ack");
    const QString errors = QStringLiteral("q-errors");
    m_pendingReceipts.insert(ack, {{kType, QStringLiteral("QUEUE")}});
    m_pendingReceipts.insert(errors, {{kType, QStringLiteral("QUEUE")}});
    sendStomp(stomp::encode(
        {"SUBSCRIBE",
         {{"id", "ack"}, {"destination", "/user/queue/ack"}, {"receipt", ack.toUtf8()}},
         {}},
        stomp::Version::V1_2));
    sendStomp(stomp::encode(
        {"SUBSCRIBE",
         {{"id", "errors"}, {"destination", "/user/queue/errors"}, {"receipt", errors.toUtf8()}},
         {}},
        stomp::Version::V1_2));
    QDeadlineTimer deadline(timeoutMs);
    while (!(m_stompConnected && m_pendingReceipts.isEmpty()) && !m_closed &&
           !deadline.hasExpired())
        QTest::qWait(5);
    return m_stompConnected && m_pendingReceipts.isEmpty();
}

bool WsClient::open(const QUrl &url, const QByteArray &token, const QStringList &subprotocols,
                    int timeoutMs)
{
    QNetworkRequest request(url);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    // Explicit subprotocols choose the framing; without them, this client's own does.
    if (!subprotocols.isEmpty())
        m_framing =
            subprotocols.first().endsWith(QLatin1String(".stomp")) ? Framing::Stomp : Framing::Json;
    const QStringList offered = !subprotocols.isEmpty() ? subprotocols
                                : m_framing == Framing::Stomp
                                    ? QStringList{QStringLiteral("v12.stomp")}
                                    : QStringList{};
    if (!offered.isEmpty())
        request.setRawHeader("Sec-WebSocket-Protocol", offered.join(QLatin1Char(',')).toUtf8());
    m_closed = false;
    m_socket.open(request);
    QDeadlineTimer deadline(timeoutMs);
    while (m_socket.state() != QAbstractSocket::ConnectedState && !m_closed &&
           !deadline.hasExpired())
        QTest::qWait(5);
    if (m_socket.state() != QAbstractSocket::ConnectedState)
        return false;
    if (m_framing == Framing::Json)
        return true;
    // The server must have chosen STOMP; otherwise this suite would silently test JSON.
    if (!m_socket.subprotocol().endsWith(QLatin1String(".stomp"))) {
        qWarning("server negotiated subprotocol '%s', not STOMP",
                 qPrintable(m_socket.subprotocol()));
        return false;
    }
    return openStomp(int(qMax<qint64>(deadline.remainingTime(), 1000)));
}

void WsClient::send(const QJsonObject &message)
{
    if (m_framing == Framing::Json) {
        m_socket.sendTextMessage(
            QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
        return;
    }
    const QString type = message.value(kType).toString();
    if (type == QLatin1String("SUBSCRIBE") || type == QLatin1String("UNSUBSCRIBE")) {
        const QString topic = message.value(kTopic).toString();
        const QString receipt = QStringLiteral("r%1").arg(m_nextStompId++);
        if (type == QLatin1String("SUBSCRIBE")) {
            const QString id =
                m_stompIds.value(topic, QStringLiteral("sub-%1").arg(m_nextStompId++));
            if (m_stompIds.contains(topic)) {
                // Already subscribed: STOMP would need a second id; the JSON framing answers
                // SUBSCRIBED again with a fresh snapshot, so unsubscribe and subscribe anew.
                sendStomp(stomp::encode({"UNSUBSCRIBE", {{"id", id.toUtf8()}}, {}},
                                        stomp::Version::V1_2));
            }
            m_stompIds.insert(topic, id);
            m_pendingReceipts.insert(receipt, message);
            sendStomp(stomp::encode({"SUBSCRIBE",
                                     {{"id", id.toUtf8()},
                                      {"destination", "/topic/" + topic.toUtf8()},
                                      {"receipt", receipt.toUtf8()}},
                                     {}},
                                    stomp::Version::V1_2));
            return;
        }
        const QString id = m_stompIds.take(topic);
        if (id.isEmpty()) {
            // Nothing to release: the JSON framing answers UNSUBSCRIBED all the same.
            QJsonObject reply{{kType, QStringLiteral("UNSUBSCRIBED")}, {kTopic, topic}};
            if (message.contains(kSeq))
                reply.insert(kRef, message.value(kSeq));
            m_received.append(reply);
            return;
        }
        m_pendingReceipts.insert(receipt, message);
        sendStomp(
            stomp::encode({"UNSUBSCRIBE", {{"id", id.toUtf8()}, {"receipt", receipt.toUtf8()}}, {}},
                          stomp::Version::V1_2));
        return;
    }
    QJsonObject body = message;
    body.remove(kType); // the destination says what it is
    sendStomp(stomp::encode({"SEND",
                             {{"destination", "/app/presence/" + type.toLower().toUtf8()},
                              {"content-type", "application/json"}},
                             QJsonDocument(body).toJson(QJsonDocument::Compact)},
                            stomp::Version::V1_2));
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
    if (m_framing == Framing::Stomp && m_stompConnected &&
        m_socket.state() == QAbstractSocket::ConnectedState)
        sendStomp(stomp::encode({"DISCONNECT", {}, {}}, stomp::Version::V1_2));
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
