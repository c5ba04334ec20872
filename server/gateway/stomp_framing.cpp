#include "stomp_framing.h"

#include "logging/json_log_handler.h"
#include "logging/log_categories.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace spidi {

using protocol::ClientMessage;
using protocol::DecodeError;
using protocol::ErrorCode;
using stomp::Frame;
using stomp::Version;

namespace {

const QByteArray HelloDestination = QByteArrayLiteral("/app/presence/hello");
const QByteArray HeartbeatDestination = QByteArrayLiteral("/app/presence/heartbeat");
const QByteArray LeaveDestination = QByteArrayLiteral("/app/presence/leave");
const QByteArray TopicPrefix = QByteArrayLiteral("/topic/");

QString printable(const QByteArray &bytes, int max = 128)
{
    QString text = QString::fromUtf8(bytes.left(max));
    for (QChar &c : text)
        if (c.unicode() < 0x20)
            c = QLatin1Char('?');
    return bytes.size() > max ? text + QStringLiteral("…") : text;
}

// "cx,cy" of a heart-beat header; nullopt when malformed.
std::optional<std::pair<int, int>> parseHeartBeat(const QByteArray &value)
{
    const QList<QByteArray> parts = value.split(',');
    if (parts.size() != 2)
        return std::nullopt;
    bool okX = false;
    bool okY = false;
    const qint64 x = parts[0].trimmed().toLongLong(&okX);
    const qint64 y = parts[1].trimmed().toLongLong(&okY);
    if (!okX || !okY || x < 0 || y < 0)
        return std::nullopt;
    constexpr qint64 Day = 24 * 3600 * 1000;
    return std::pair<int, int>{int(qMin(x, Day)), int(qMin(y, Day))};
}

// STOMP 1.2: both sides beat only when both want it, at the slower of the two rates.
int negotiated(int mine, int theirs)
{
    return mine == 0 || theirs == 0 ? 0 : qMax(mine, theirs);
}

} // namespace

const QStringList &StompFraming::subprotocols()
{
    static const QStringList names{QStringLiteral("v12.stomp"), QStringLiteral("v11.stomp"),
                                   QStringLiteral("v10.stomp")};
    return names;
}

StompFraming::StompFraming(FramingHost &host, QString subprotocol, StompOptions options)
    : m_host(host), m_subprotocol(std::move(subprotocol)), m_options(options),
      m_parser(options.maxFrameBytes)
{
    m_connectTimer.setSingleShot(true);
    QObject::connect(&m_connectTimer, &QTimer::timeout, &m_connectTimer, [this] {
        protocolError(
            QStringLiteral("no CONNECT frame within %1 ms").arg(m_options.connectTimeoutMs),
            nullptr, QWebSocketProtocol::CloseCodePolicyViolated);
    });
    m_connectTimer.start(m_options.connectTimeoutMs);
    QObject::connect(&m_outTimer, &QTimer::timeout, &m_outTimer, [this] {
        if (!m_sentSinceBeat)
            m_host.writeMessage(QByteArrayLiteral("\n"));
        m_sentSinceBeat = false;
    });
    m_inTimer.setSingleShot(true);
    QObject::connect(&m_inTimer, &QTimer::timeout, &m_inTimer, [this] {
        protocolError(QStringLiteral("nothing received for %1 ms (negotiated heart-beat %2 ms)")
                          .arg(2 * m_inMs)
                          .arg(m_inMs),
                      nullptr, QWebSocketProtocol::CloseCodeGoingAway);
    });
}

void StompFraming::receive(const QByteArray &message, const Dispatch &dispatch)
{
    if (m_state == State::Closed)
        return;
    if (m_inMs > 0)
        m_inTimer.start(2 * m_inMs); // anything counts as a sign of life, frames or EOLs
    m_parser.feed(message);
    for (;;) {
        stomp::FrameParser::Item item = m_parser.next();
        switch (item.kind) {
        case stomp::FrameParser::Item::Kind::NeedMore:
            return;
        case stomp::FrameParser::Item::Kind::HeartBeat:
            continue;
        case stomp::FrameParser::Item::Kind::Error:
            protocolError(item.error);
            return;
        case stomp::FrameParser::Item::Kind::Frame:
            if (m_state == State::Connected) {
                m_current = Current{true, {}, false, {}, {}};
                const bool admitted = m_host.admit();
                if (!admitted)
                    sendReceipt(item.frame); // carries RATE_LIMITED
                m_current = {};
                if (m_state == State::Closed)
                    return;
                if (!admitted)
                    continue;
            }
            handleFrame(item.frame, dispatch);
            if (m_state == State::Closed)
                return;
            continue;
        }
    }
}

void StompFraming::handleFrame(const Frame &frame, const Dispatch &dispatch)
{
    const QByteArray &command = frame.command;
    const bool isConnect = command == "CONNECT" || command == "STOMP";
    if (m_state == State::AwaitingConnect) {
        if (isConnect)
            onConnect(frame);
        else
            protocolError(
                QStringLiteral("expected CONNECT or STOMP first, got %1").arg(printable(command)),
                &frame);
        return;
    }
    if (isConnect) {
        protocolError(QStringLiteral("already connected"), &frame);
        return;
    }
    if (const std::optional<QByteArray> tx = frame.header("transaction");
        tx && (command == "SEND" || command == "ACK" || command == "NACK")) {
        auto it = m_transactions.find(*tx);
        if (it == m_transactions.end()) {
            protocolError(QStringLiteral("transaction '%1' was not begun").arg(printable(*tx)),
                          &frame);
            return;
        }
        if (it->size() >= MaxFramesPerTransaction) {
            protocolError(QStringLiteral("more than %1 frames in transaction '%2'")
                              .arg(MaxFramesPerTransaction)
                              .arg(printable(*tx)),
                          &frame);
            return;
        }
        Frame queued = frame;
        queued.headers.removeIf(
            [](const auto &h) { return h.first == "transaction" || h.first == "receipt"; });
        it->append(std::move(queued));
        sendReceipt(frame);
        return;
    }

    if (command == "SEND")
        onSend(frame, dispatch);
    else if (command == "SUBSCRIBE")
        onSubscribe(frame, dispatch);
    else if (command == "UNSUBSCRIBE")
        onUnsubscribe(frame, dispatch);
    else if (command == "BEGIN" || command == "COMMIT" || command == "ABORT")
        onTransaction(frame, dispatch);
    else if (command == "DISCONNECT")
        onDisconnect(frame);
    else if (command == "ACK" || command == "NACK") {
        // Every subscription behaves as ack:auto (messages are live state, never redelivered),
        // so an acknowledgement has nothing to release: accepted for clients that send them.
        if (!frame.header(m_version == Version::V1_2 ? "id" : "message-id")) {
            protocolError(QStringLiteral("%1 needs an %2 header")
                              .arg(QString::fromLatin1(command),
                                   m_version == Version::V1_2 ? QStringLiteral("id")
                                                              : QStringLiteral("message-id")),
                          &frame);
            return;
        }
        sendReceipt(frame);
    } else {
        protocolError(QStringLiteral("unknown command %1").arg(printable(command)), &frame);
    }
}

void StompFraming::onConnect(const Frame &frame)
{
    // Version: the highest both sides speak; a CONNECT without accept-version is STOMP 1.0.
    std::optional<Version> chosen;
    for (const QByteArray &offered : frame.headerOr("accept-version", "1.0").split(',')) {
        if (const std::optional<Version> v = stomp::parseVersion(offered.trimmed()))
            if (!chosen || int(*v) > int(*chosen))
                chosen = v;
    }
    if (!chosen) {
        const QByteArray error = stomp::encode(
            Frame{"ERROR",
                  {{"version", "1.0,1.1,1.2"},
                   {"content-type", "text/plain"},
                   {"message", "no supported STOMP version"}},
                  "Supported protocol versions are 1.0, 1.1 and 1.2; the client offered " +
                      frame.headerOr("accept-version") + "."},
            Version::V1_0);
        write(error);
        m_state = State::Closed;
        stopTimers();
        m_host.closeConnection(QWebSocketProtocol::CloseCodeProtocolError,
                               QStringLiteral("no supported STOMP version"));
        return;
    }
    m_version = *chosen;
    m_parser.setVersion(m_version);

    // The token: an Authorization header in the frame, else the passcode (what stomp.js and
    // Spring's client send as credentials), else the one the WebSocket handshake carried.
    QByteArray authorization = frame.headerOr("Authorization", frame.headerOr("authorization"));
    if (authorization.isEmpty())
        if (const std::optional<QByteArray> passcode = frame.header("passcode");
            passcode && !passcode->isEmpty())
            authorization = "Bearer " + *passcode;
    if (!authorization.isEmpty()) {
        const Result<Principal> principal = m_host.login(authorization);
        if (!principal) {
            protocolError(
                QStringLiteral("authentication failed: %1").arg(principal.error().message), &frame,
                QWebSocketProtocol::CloseCodePolicyViolated);
            return;
        }
    } else if (!m_host.hasPrincipal()) {
        protocolError(QStringLiteral("authentication required: send the access token as an "
                                     "'Authorization: Bearer <token>' header or as passcode"),
                      &frame, QWebSocketProtocol::CloseCodePolicyViolated);
        return;
    }

    int clientSends = 0;
    int clientWants = 0;
    if (const std::optional<QByteArray> beat = frame.header("heart-beat")) {
        const auto parsed = parseHeartBeat(*beat);
        if (!parsed) {
            protocolError(QStringLiteral("heart-beat must be two non-negative integers 'cx,cy'"),
                          &frame);
            return;
        }
        std::tie(clientSends, clientWants) = *parsed;
    }
    m_outMs = negotiated(m_options.heartBeatMs, clientWants);
    m_inMs = negotiated(m_options.heartBeatMs, clientSends);

    m_connectTimer.stop();
    m_state = State::Connected;
    const QByteArray beats =
        QByteArray::number(m_options.heartBeatMs) + ',' + QByteArray::number(m_options.heartBeatMs);
    write(stomp::encode(Frame{"CONNECTED",
                              {{"version", stomp::versionName(m_version)},
                               {"heart-beat", beats},
                               {"server", QByteArrayLiteral("spidi/" SPIDI_VERSION)},
                               {"session", m_host.connectionName().toUtf8()}},
                              {}},
                        m_version));
    if (m_outMs > 0)
        m_outTimer.start(m_outMs);
    if (m_inMs > 0)
        m_inTimer.start(2 * m_inMs);
    logEvent(lcGateway(), QtDebugMsg, "stomp.connected",
             {{"connection", m_host.connectionName()},
              {"version", QString::fromLatin1(stomp::versionName(m_version))},
              {"heartbeat_out_ms", m_outMs},
              {"heartbeat_in_ms", m_inMs}});
}

void StompFraming::onSend(const Frame &frame, const Dispatch &dispatch)
{
    const std::optional<QByteArray> destination = frame.header("destination");
    if (!destination) {
        protocolError(QStringLiteral("SEND needs a destination header"), &frame);
        return;
    }
    QString type;
    if (*destination == HelloDestination)
        type = QStringLiteral("HELLO");
    else if (*destination == HeartbeatDestination)
        type = QStringLiteral("HEARTBEAT");
    else if (*destination == LeaveDestination)
        type = QStringLiteral("LEAVE");

    m_current = Current{true, {}, false, {}, {}};
    if (type.isEmpty()) {
        requestError(ErrorCode::UnknownType,
                     QStringLiteral("unknown destination '%1': send to %2, %3 or %4")
                         .arg(printable(*destination), QLatin1String(HelloDestination),
                              QLatin1String(HeartbeatDestination), QLatin1String(LeaveDestination)),
                     dispatch);
    } else if (const QByteArray contentType = frame.headerOr("content-type");
               !contentType.isEmpty() && !contentType.startsWith("application/json")) {
        requestError(ErrorCode::BadRequest,
                     QStringLiteral("content-type must be application/json, not '%1'")
                         .arg(printable(contentType)),
                     dispatch);
    } else {
        QJsonParseError parseError{};
        const QJsonDocument doc = QJsonDocument::fromJson(frame.body, &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            requestError(ErrorCode::BadRequest,
                         QStringLiteral("invalid JSON body at offset %1: %2")
                             .arg(parseError.offset)
                             .arg(parseError.errorString()),
                         dispatch);
        } else if (!doc.isObject()) {
            requestError(ErrorCode::BadRequest, QStringLiteral("the body must be a JSON object"),
                         dispatch);
        } else {
            QJsonObject body = doc.object();
            const QJsonValue given = body.value(QLatin1String("type"));
            if (!given.isUndefined() && given.toString() != type) {
                requestError(ErrorCode::BadRequest,
                             QStringLiteral("body type '%1' does not match destination %2")
                                 .arg(given.toString().left(32), QLatin1String(*destination)),
                             dispatch);
            } else {
                body.insert(QLatin1String("type"), type);
                dispatch(protocol::decodeClientObject(body));
            }
        }
    }
    sendReceipt(frame);
    m_current = {};
}

void StompFraming::onSubscribe(const Frame &frame, const Dispatch &dispatch)
{
    const std::optional<QByteArray> destination = frame.header("destination");
    if (!destination) {
        protocolError(QStringLiteral("SUBSCRIBE needs a destination header"), &frame);
        return;
    }
    QByteArray id = frame.headerOr("id");
    if (id.isEmpty()) {
        if (m_version != Version::V1_0) {
            protocolError(QStringLiteral("SUBSCRIBE needs an id header"), &frame);
            return;
        }
        id = *destination; // STOMP 1.0 made the id optional
    }
    if (m_subscriptions.contains(id)) {
        protocolError(QStringLiteral("subscription id '%1' is already in use").arg(printable(id)),
                      &frame);
        return;
    }
    const QByteArray ack = frame.headerOr("ack", "auto");
    m_current = Current{true, {}, false, {}, {}};
    if (ack != "auto" && ack != "client" && ack != "client-individual") {
        requestError(ErrorCode::BadRequest,
                     QStringLiteral("ack must be auto, client or client-individual"), dispatch);
    } else if (m_subscriptions.size() >= MaxSubscriptions) {
        requestError(
            ErrorCode::BadRequest,
            QStringLiteral("at most %1 subscriptions per connection").arg(MaxSubscriptions),
            dispatch);
    } else if (*destination == AckQueue || *destination == ErrorQueue) {
        m_subscriptions.insert(id, Subscription{*destination, std::nullopt});
        m_byDestination[*destination].append(id);
    } else if (const std::optional<protocol::Topic> topic =
                   destination->startsWith(TopicPrefix) ? protocol::Topic::parse(QString::fromUtf8(
                                                              destination->mid(TopicPrefix.size())))
                                                        : std::nullopt) {
        // The canonical name, so that messages for this topic find the subscription.
        const QByteArray canonical = TopicPrefix + topic->toString().toUtf8();
        m_subscriptions.insert(id, Subscription{canonical, topic});
        m_byDestination[canonical].append(id);
        m_current.subscriptionId = id;
        dispatch(ClientMessage{std::nullopt, protocol::Subscribe{*topic}});
        if (m_current.failed)
            removeSubscription(id);
    } else {
        requestError(
            ErrorCode::BadRequest,
            QStringLiteral("unknown destination '%1': subscribe to /topic/rooms, "
                           "/topic/room/CODE/metrics, /topic/room/CODE/roster, "
                           "/topic/alerts, %2 or %3")
                .arg(printable(*destination), QLatin1String(AckQueue), QLatin1String(ErrorQueue)),
            dispatch);
    }
    sendReceipt(frame);
    m_current = {};
}

void StompFraming::onUnsubscribe(const Frame &frame, const Dispatch &dispatch)
{
    QByteArray id = frame.headerOr("id");
    if (id.isEmpty() && m_version == Version::V1_0)
        id = frame.headerOr("destination");
    if (id.isEmpty()) {
        protocolError(QStringLiteral("UNSUBSCRIBE needs an id header"), &frame);
        return;
    }
    m_current = Current{true, {}, false, {}, {}};
    const auto it = m_subscriptions.constFind(id);
    if (it == m_subscriptions.constEnd()) {
        requestError(ErrorCode::BadRequest,
                     QStringLiteral("no subscription with id '%1'").arg(printable(id)), dispatch);
    } else {
        const Subscription subscription = *it;
        removeSubscription(id);
        // The hub keeps one subscription per topic and connection: released with the last id.
        if (subscription.topic && !m_byDestination.contains(subscription.destination))
            dispatch(ClientMessage{std::nullopt, protocol::Unsubscribe{*subscription.topic}});
    }
    sendReceipt(frame);
    m_current = {};
}

void StompFraming::onTransaction(const Frame &frame, const Dispatch &dispatch)
{
    const QByteArray tx = frame.headerOr("transaction");
    if (tx.isEmpty()) {
        protocolError(
            QStringLiteral("%1 needs a transaction header").arg(QString::fromLatin1(frame.command)),
            &frame);
        return;
    }
    const bool known = m_transactions.contains(tx);
    if (frame.command == "BEGIN") {
        if (known) {
            protocolError(QStringLiteral("transaction '%1' already begun").arg(printable(tx)),
                          &frame);
            return;
        }
        if (m_transactions.size() >= MaxTransactions) {
            protocolError(QStringLiteral("more than %1 open transactions").arg(MaxTransactions),
                          &frame);
            return;
        }
        m_transactions.insert(tx, {});
        sendReceipt(frame);
        return;
    }
    if (!known) {
        protocolError(QStringLiteral("transaction '%1' was not begun").arg(printable(tx)), &frame);
        return;
    }
    const QList<Frame> frames = m_transactions.take(tx);
    if (frame.command == "COMMIT") {
        for (const Frame &queued : frames) {
            if (queued.command == "SEND")
                onSend(queued, dispatch);
            if (m_state == State::Closed)
                return;
        }
    }
    sendReceipt(frame);
}

void StompFraming::onDisconnect(const Frame &frame)
{
    sendReceipt(frame);
    m_state = State::Closed;
    stopTimers();
    m_host.closeConnection(QWebSocketProtocol::CloseCodeNormal,
                           QStringLiteral("client sent DISCONNECT"));
}

void StompFraming::requestError(ErrorCode code, const QString &message, const Dispatch &dispatch)
{
    dispatch(DecodeError{code, message, std::nullopt});
}

void StompFraming::protocolError(const QString &message, const Frame *offending,
                                 QWebSocketProtocol::CloseCode code)
{
    if (m_state == State::Closed)
        return;
    Frame error{"ERROR", {{"content-type", "text/plain"}, {"message", message.toUtf8()}}, {}};
    if (offending)
        if (const std::optional<QByteArray> receipt = offending->header("receipt"))
            error.add("receipt-id", *receipt);
    error.body = message.toUtf8();
    write(stomp::encode(error, m_version));
    m_state = State::Closed;
    stopTimers();
    logEvent(lcGateway(), QtInfoMsg, "stomp.protocol_error",
             {{"connection", m_host.connectionName()}, {"error", message}});
    m_host.closeConnection(code, message.left(120));
}

void StompFraming::sendReceipt(const Frame &frame)
{
    const std::optional<QByteArray> receipt = frame.header("receipt");
    if (!receipt || m_state == State::Closed)
        return;
    Frame answer{"RECEIPT", {{"receipt-id", *receipt}}, {}};
    if (m_current.active && m_current.failed) {
        answer.add("spidi-error-code", m_current.errorCode);
        answer.add("message", m_current.errorMessage.toUtf8());
    }
    write(stomp::encode(answer, m_version));
}

QByteArray StompFraming::message(const QByteArray &destination, const QByteArray &subscriptionId,
                                 const QByteArray &jsonBody)
{
    return stomp::encode(Frame{"MESSAGE",
                               {{"destination", destination},
                                {"subscription", subscriptionId},
                                {"message-id", QByteArray::number(m_nextMessageId++)},
                                {"content-type", "application/json"},
                                {"content-length", QByteArray::number(jsonBody.size())}},
                               jsonBody},
                         m_version);
}

QByteArray StompFraming::toDestination(const QByteArray &destination, const QByteArray &jsonBody)
{
    QByteArray out;
    for (const QByteArray &id : m_byDestination.value(destination))
        out += message(destination, id, jsonBody);
    return out;
}

QByteArray StompFraming::encode(Outbound kind, const QByteArray &jsonBody,
                                const protocol::Topic *topic)
{
    if (m_state != State::Connected)
        return {};
    QByteArray out;
    switch (kind) {
    case Outbound::Reply:
        out = toDestination(AckQueue, jsonBody);
        break;
    case Outbound::SubscriptionReply:
        break; // SUBSCRIBE and UNSUBSCRIBE are answered by RECEIPT, as STOMP clients expect
    case Outbound::Error:
        if (m_current.active) {
            m_current.failed = true;
            const QJsonObject error = QJsonDocument::fromJson(jsonBody).object();
            m_current.errorCode = error.value(QLatin1String("code")).toString().toUtf8();
            m_current.errorMessage = error.value(QLatin1String("message")).toString();
        }
        out = toDestination(ErrorQueue, jsonBody);
        break;
    case Outbound::Notice:
        out = toDestination(ErrorQueue, jsonBody);
        break;
    case Outbound::Event:
        if (topic)
            out = toDestination(TopicPrefix + topic->toString().toUtf8(), jsonBody);
        break;
    }
    if (!out.isEmpty())
        m_sentSinceBeat = true;
    return out;
}

void StompFraming::removeSubscription(const QByteArray &id)
{
    const Subscription subscription = m_subscriptions.take(id);
    auto it = m_byDestination.find(subscription.destination);
    if (it == m_byDestination.end())
        return;
    it->removeAll(id);
    if (it->isEmpty())
        m_byDestination.erase(it);
}

void StompFraming::write(const QByteArray &bytes)
{
    m_sentSinceBeat = true;
    m_host.writeMessage(bytes);
}

void StompFraming::stopTimers()
{
    m_connectTimer.stop();
    m_outTimer.stop();
    m_inTimer.stop();
}

} // namespace spidi
