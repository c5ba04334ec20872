#include "connection_service.h"

#include "desktop_logging.h"

#include <QFile>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QSettings>
#include <QUrlQuery>
#include <QWebSocket>

namespace spidi::desktop {

namespace {

const QString kServerUrl = QStringLiteral("connection/serverUrl");
const QString kToken = QStringLiteral("connection/token");
const QString kRememberToken = QStringLiteral("connection/rememberToken");

QSettings settings()
{
    return QSettings(QStringLiteral("Spidi"), QStringLiteral("spidi-desktop"));
}

constexpr int kPingIntervalMs = 15000;
constexpr qint64 kSilenceLimitMs = 45000; // no frame or pong for this long: the link is dead
constexpr int kPageSize = 500;
constexpr int kCloseTokenRefused = 4401;

} // namespace

ConnectionService::ConnectionService(QObject *parent)
    : QObject(parent), m_rest(new RestClient(this)), m_rooms(new RoomListModel(this)),
      m_alerts(new AlertInboxModel(this)), m_totals(new DashboardTotals(m_rooms, m_alerts, this)),
      m_backoff(ReconnectBackoff::Config{std::chrono::milliseconds(1000),
                                         std::chrono::milliseconds(30000), 2.0, 0.2},
                QRandomGenerator::global()->generate64())
{
    QSettings s = settings();
    m_serverUrl = QUrl(s.value(kServerUrl).toString());
    m_rememberToken = s.value(kRememberToken, false).toBool();

    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &ConnectionService::openSocket);
    m_pingTimer.setInterval(kPingIntervalMs);
    connect(&m_pingTimer, &QTimer::timeout, this, [this] {
        if (!m_socket)
            return;
        if (QDateTime::currentMSecsSinceEpoch() - m_lastRxMs > kSilenceLimitMs) {
            qCInfo(lcDesktop) << "ws.silent"
                              << "action=abort";
            m_socket->abort();
            return;
        }
        m_socket->ping();
    });
    connect(m_alerts, &AlertInboxModel::countsChanged, this,
            [this] { m_rooms->setFiringAlerts(m_alerts->firingByRoom()); });
    connect(m_rooms, &RoomListModel::countChanged, this,
            [this] { m_rooms->setFiringAlerts(m_alerts->firingByRoom()); });
    connect(m_rest, &RestClient::unauthorized, this, [this](const QVariantMap &problem) {
        handleTokenRefused(problem.value(QStringLiteral("detail")).toString());
    });
    connect(m_rest, &RestClient::alertActionFinished, this,
            [this](const QString &, const QString &, bool ok, const QVariantMap &,
                   const QJsonObject &event) {
                if (ok && !event.isEmpty())
                    m_alerts->upsert(event);
            });
}

ConnectionService::~ConnectionService()
{
    // First the REST client: its pending callbacks refer to this object.
    delete m_rest;
    m_rest = nullptr;
    if (QWebSocket *socket = detachSocket())
        delete socket;
}

QString ConnectionService::rememberedToken() const
{
    return m_rememberToken ? settings().value(kToken).toString() : QString();
}

QUrl ConnectionService::webSocketUrlFor(const QUrl &serverUrl)
{
    if (!serverUrl.isValid())
        return {};
    QUrl ws = serverUrl;
    ws.setScheme(serverUrl.scheme() == QLatin1String("https") ? QStringLiteral("wss")
                                                              : QStringLiteral("ws"));
    QString path = serverUrl.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    ws.setPath(path + QStringLiteral("/ws/presence"));
    ws.setQuery(QString());
    ws.setFragment(QString());
    return ws;
}

QUrl ConnectionService::parseServerUrl(const QString &text, QString *error)
{
    const QString trimmed = text.trimmed();
    QUrl url(trimmed.contains(QLatin1String("://")) ? trimmed : QStringLiteral("http://") + trimmed,
             QUrl::StrictMode);
    const QString scheme = url.scheme();
    if (trimmed.isEmpty() || !url.isValid() || url.host().isEmpty() ||
        (scheme != QLatin1String("http") && scheme != QLatin1String("https"))) {
        if (error)
            *error =
                QStringLiteral("the server URL must look like http://host:8080 or https://host");
        return {};
    }
    url.setQuery(QString());
    url.setFragment(QString());
    return url;
}

QString ConnectionService::describeClose(int closeCode, const QString &reason)
{
    QString words;
    switch (closeCode) {
    case 1000:
        words = QStringLiteral("the server closed the connection");
        break;
    case 1001:
        words = QStringLiteral("the server is shutting down");
        break;
    case 1008:
        words = QStringLiteral("the server closed the connection: too many messages");
        break;
    case 1009:
        words = QStringLiteral("the server closed the connection: message too large");
        break;
    case 1011:
        words = QStringLiteral("the server closed the connection after an internal error");
        break;
    case kCloseTokenRefused:
        words = QStringLiteral("token refused by the server");
        break;
    default:
        words = QStringLiteral("connection lost");
        break;
    }
    if (!reason.isEmpty())
        words += QStringLiteral(" (%1)").arg(reason);
    return words;
}

void ConnectionService::start(const QString &serverOverride, const QString &tokenOverride)
{
    QSettings s = settings();
    QUrl server = m_serverUrl;
    if (!serverOverride.isEmpty()) {
        QString error;
        server = parseServerUrl(serverOverride, &error);
        if (!server.isValid()) {
            setLastError(QStringLiteral("--server: ") + error);
            return;
        }
    }
    QByteArray token = tokenOverride.trimmed().toUtf8();
    if (token.isEmpty() && m_rememberToken)
        token = s.value(kToken).toString().toUtf8();
    QString error;
    const auto claims = token.isEmpty() ? std::nullopt : JwtClaims::decode(token, &error);
    if (!token.isEmpty() && !claims) {
        setLastError(QStringLiteral("The token cannot be used: ") + error);
        qCWarning(lcDesktop).noquote() << "connection.token_unusable"
                                       << "reason=" + error;
    }
    if (!server.isValid() || !claims) {
        m_serverUrl = server;
        Q_EMIT configurationChanged();
        return; // the connect page asks for the rest
    }
    apply(server, token, *claims);
}

bool ConnectionService::configure(const QString &serverUrl, const QString &token, bool remember)
{
    QString error;
    const QUrl server = parseServerUrl(serverUrl, &error);
    if (!server.isValid()) {
        setLastError(QStringLiteral("The server URL cannot be used: ") + error);
        return false;
    }
    const QByteArray raw = token.trimmed().toUtf8();
    const auto claims = JwtClaims::decode(raw, &error);
    if (!claims) {
        setLastError(QStringLiteral("The token cannot be used: ") + error);
        return false;
    }
    if (claims->isExpired(QDateTime::currentDateTimeUtc())) {
        setLastError(
            QStringLiteral("The token expired on %1").arg(claims->expiresAt.toString(Qt::ISODate)));
        return false;
    }
    QSettings s = settings();
    s.setValue(kServerUrl, server.toString());
    s.setValue(kRememberToken, remember);
    if (remember)
        s.setValue(kToken, QString::fromUtf8(raw));
    else
        s.remove(kToken);
    m_rememberToken = remember;
    apply(server, raw, *claims);
    return true;
}

QString ConnectionService::readTokenFile(const QUrl &file)
{
    const QString path = file.isLocalFile() ? file.toLocalFile() : file.toString();
    QFile f(path);
    if (f.size() > 64 * 1024) {
        setLastError(QStringLiteral("%1 is too large to be a token").arg(path));
        return {};
    }
    if (!f.open(QIODevice::ReadOnly)) {
        setLastError(QStringLiteral("Cannot read %1: %2").arg(path, f.errorString()));
        return {};
    }
    // The first non-empty line: token files of spidi-sim hold one token per line.
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (!line.trimmed().isEmpty())
            return QString::fromUtf8(line.trimmed());
    }
    setLastError(QStringLiteral("%1 is empty").arg(path));
    return {};
}

void ConnectionService::apply(const QUrl &server, const QByteArray &token, const JwtClaims &claims)
{
    disconnectFromServer();
    const bool sameServer = server == m_serverUrl && claims.tenant == m_claims.tenant;
    m_serverUrl = server;
    m_token = token;
    m_claims = claims;
    m_configured = true;
    ++m_generation;
    m_rest->setBaseUrl(server);
    m_rest->setToken(token);
    if (!sameServer) {
        // Another server or tenant: what the models hold belongs to the old one.
        m_rooms->syncRooms({}, m_rooms->serial());
        m_alerts->sync({}, m_alerts->serial());
    }
    setLoaded(false);
    setLastError(QString());
    Q_EMIT configurationChanged();
    qCInfo(lcDesktop).noquote() << "connection.configured"
                                << "server=" + server.toString() << "user=" + claims.subject
                                << "tenant=" + claims.tenant
                                << "perms=" + claims.perms.join(QLatin1Char(','));
    m_backoff.reset();
    setState(Connecting);
    openSocket();
}

void ConnectionService::editConnection()
{
    disconnectFromServer();
    m_configured = false;
    Q_EMIT configurationChanged();
}

void ConnectionService::reconnectNow()
{
    if (!m_configured)
        return;
    m_retryTimer.stop();
    m_backoff.reset();
    if (QWebSocket *old = detachSocket())
        old->deleteLater();
    setLastError(QString());
    setState(Connecting);
    openSocket();
}

void ConnectionService::disconnectFromServer()
{
    m_retryTimer.stop();
    m_pingTimer.stop();
    if (QWebSocket *old = detachSocket()) {
        old->close();
        old->deleteLater();
    }
    setState(Disconnected);
}

QWebSocket *ConnectionService::detachSocket()
{
    QWebSocket *socket = m_socket.data();
    m_socket.clear();
    if (socket)
        socket->disconnect(this);
    return socket;
}

void ConnectionService::openSocket()
{
    if (QWebSocket *old = detachSocket()) {
        old->abort();
        old->deleteLater();
    }
    // A fresh socket per attempt: a QWebSocket that failed a handshake keeps stale state.
    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket = socket;
    connect(socket, &QWebSocket::connected, this, &ConnectionService::onConnected);
    connect(socket, &QWebSocket::textMessageReceived, this, &ConnectionService::onText);
    connect(socket, &QWebSocket::pong, this,
            [this] { m_lastRxMs = QDateTime::currentMSecsSinceEpoch(); });
    connect(socket, &QWebSocket::disconnected, this,
            [this, socket] { onSocketGone(socket, socket->closeReason(), false); });
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this, socket](QAbstractSocket::SocketError) {
                onSocketGone(socket, socket->errorString(), true);
            });
    QNetworkRequest request(webSocketUrl());
    request.setRawHeader("Authorization", "Bearer " + m_token);
    qCInfo(lcDesktop).noquote() << "ws.connecting"
                                << "url=" + webSocketUrl().toString()
                                << "attempt=" + QString::number(m_backoff.attempts());
    socket->open(request);
}

void ConnectionService::onConnected()
{
    m_lastRxMs = QDateTime::currentMSecsSinceEpoch();
    m_backoff.reset();
    m_pingTimer.start();
    setLastError(QString());
    setState(Connected);
    qCInfo(lcDesktop).noquote() << "ws.connected"
                                << "url=" + webSocketUrl().toString();
    for (const char *topic : {"rooms", "alerts"}) {
        send({{QStringLiteral("type"), QStringLiteral("SUBSCRIBE")},
              {QStringLiteral("seq"), double(m_nextSeq++)},
              {QStringLiteral("topic"), QLatin1String(topic)}});
    }
    for (auto it = m_extraTopics.cbegin(); it != m_extraTopics.cend(); ++it) {
        send({{QStringLiteral("type"), QStringLiteral("SUBSCRIBE")},
              {QStringLiteral("seq"), double(m_nextSeq++)},
              {QStringLiteral("topic"), it.key()}});
    }
    loadSnapshot();
}

void ConnectionService::loadSnapshot()
{
    const quint64 generation = m_generation;
    const quint64 roomSerial = m_rooms->serial();
    m_rest->getAll(
        QStringLiteral("/api/v1/rooms"), {}, kPageSize,
        [this, generation, roomSerial](const QList<QJsonObject> &items, const RestResult &result) {
            if (generation != m_generation)
                return;
            if (!result.ok()) {
                if (result.status != 401) {
                    setLastError(QStringLiteral("Cannot load the rooms: ") +
                                 result.problem.value(QStringLiteral("detail")).toString());
                }
                return;
            }
            m_rooms->syncRooms(items, roomSerial);
            setLoaded(true);
        });
    const quint64 alertSerial = m_alerts->serial();
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("state"), QStringLiteral("FIRING,ACKNOWLEDGED"));
    m_rest->getAll(
        QStringLiteral("/api/v1/alerts/events"), query, kPageSize,
        [this, generation, alertSerial](const QList<QJsonObject> &items, const RestResult &result) {
            if (generation != m_generation || !result.ok())
                return;
            m_alerts->sync(items, alertSerial);
        });
}

void ConnectionService::subscribeTopic(const QString &topic)
{
    if (m_extraTopics[topic]++ == 0 && m_state == Connected) {
        send({{QStringLiteral("type"), QStringLiteral("SUBSCRIBE")},
              {QStringLiteral("seq"), double(m_nextSeq++)},
              {QStringLiteral("topic"), topic}});
    }
}

void ConnectionService::unsubscribeTopic(const QString &topic)
{
    auto it = m_extraTopics.find(topic);
    if (it == m_extraTopics.end() || --it.value() > 0)
        return;
    m_extraTopics.erase(it);
    if (m_state == Connected) {
        send({{QStringLiteral("type"), QStringLiteral("UNSUBSCRIBE")},
              {QStringLiteral("seq"), double(m_nextSeq++)},
              {QStringLiteral("topic"), topic}});
    }
}

void ConnectionService::send(const QJsonObject &message)
{
    if (m_socket)
        m_socket->sendTextMessage(
            QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

void ConnectionService::touch()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_lastRxMs = now;
    m_lastUpdate = QDateTime::fromMSecsSinceEpoch(now, Qt::UTC);
    // At most one notification per second: the banner shows seconds.
    if (now - m_lastUpdateEmittedMs >= 1000) {
        m_lastUpdateEmittedMs = now;
        Q_EMIT lastUpdateChanged();
    }
}

void ConnectionService::onText(const QString &text)
{
    touch();
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    const QString type = o.value(QLatin1String("type")).toString();
    if (type == QLatin1String("ROOM_METRICS")) {
        m_rooms->applyMetrics(o);
    } else if (type == QLatin1String("ROOM_REMOVED")) {
        m_rooms->removeRoom(o.value(QLatin1String("roomId")).toString());
    } else if (type == QLatin1String("ALERT")) {
        m_alerts->applyAlert(o.value(QLatin1String("transition")).toString(),
                             o.value(QLatin1String("event")).toObject(),
                             o.value(QLatin1String("notify")).toBool());
    } else if (type == QLatin1String("ERROR")) {
        const QString code = o.value(QLatin1String("code")).toString();
        const QString message = o.value(QLatin1String("message")).toString();
        qCWarning(lcDesktop).noquote() << "ws.error"
                                       << "code=" + code << "message=" + message;
        if (code == QLatin1String("FORBIDDEN"))
            setLastError(QStringLiteral("The token may not watch rooms (it needs spidi:monitor "
                                        "or spidi:admin): ") +
                         message);
        else
            setLastError(QStringLiteral("Server error %1: %2").arg(code, message));
    }
    Q_EMIT messageReceived(type, o);
}

void ConnectionService::onSocketGone(QWebSocket *socket, const QString &errorText, bool socketError)
{
    if (socket != m_socket)
        return; // replaced or detached already
    const bool wasConnected = m_state == Connected;
    const int closeCode = int(socket->closeCode());
    // disconnected() may come before error(): the socket's error string says more.
    const QString socketErrorText = socket->errorString();
    detachSocket()->deleteLater();
    m_pingTimer.stop();
    if (m_lastUpdate.isValid())
        Q_EMIT lastUpdateChanged(); // the banner shows the exact time of the last update
    m_lastUpdateEmittedMs = 0;

    // Qt 6.4 reports a refused upgrade's HTTP status only inside the error string.
    if ((!wasConnected && socketErrorText.contains(QLatin1String("401"))) ||
        closeCode == kCloseTokenRefused) {
        handleTokenRefused(QString());
        return;
    }
    QString words;
    if (wasConnected)
        words = describeClose(closeCode, socketError ? QString() : errorText);
    else if (socketErrorText.contains(QLatin1String("503")))
        words = QStringLiteral("the server is at its connection limit");
    else
        words = QStringLiteral("cannot reach the server: %1")
                    .arg(socketErrorText.isEmpty() ? QStringLiteral("no answer") : socketErrorText);
    qCInfo(lcDesktop).noquote() << "ws.lost"
                                << "code=" + QString::number(closeCode) << "reason=" + words;
    setLastError(words);
    scheduleReconnect();
}

void ConnectionService::handleTokenRefused(const QString &detail)
{
    if (!m_configured)
        return;
    const QString words = detail.isEmpty()
                              ? QStringLiteral("Token refused by the server")
                              : QStringLiteral("Token refused by the server: ") + detail;
    qCWarning(lcDesktop).noquote() << "auth.refused"
                                   << "detail=" + detail;
    if (detail.isEmpty()) {
        // The refused upgrade's problem+json is not visible through QWebSocket: ask REST why.
        const quint64 generation = m_generation;
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("limit"), QStringLiteral("1"));
        m_rest->get(
            QStringLiteral("/api/v1/rooms"), query, [this, generation](const RestResult &result) {
                // A 401 comes back through RestClient::unauthorized with the detail.
                if (generation == m_generation && result.ok())
                    setLastError(QStringLiteral("Token refused by the WebSocket endpoint"), true);
            });
    }
    // The WebSocket stays down: retrying a refused token would only be refused again.
    if (m_state != Connected) {
        m_retryTimer.stop();
        if (QWebSocket *old = detachSocket())
            old->deleteLater();
        setState(Disconnected);
    }
    setLastError(words, true);
}

void ConnectionService::scheduleReconnect()
{
    const auto delay = m_backoff.nextDelay();
    m_retryTimer.start(int(delay.count()));
    qCInfo(lcDesktop).noquote() << "ws.reconnect_scheduled"
                                << "delay_ms=" + QString::number(delay.count())
                                << "attempt=" + QString::number(m_backoff.attempts());
    setState(Reconnecting);
}

void ConnectionService::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged();
}

void ConnectionService::setLastError(const QString &error, bool tokenRefused)
{
    if (m_lastError == error && m_tokenRefused == tokenRefused)
        return;
    m_lastError = error;
    m_tokenRefused = tokenRefused;
    Q_EMIT lastErrorChanged();
}

void ConnectionService::setLoaded(bool loaded)
{
    if (m_loaded == loaded)
        return;
    m_loaded = loaded;
    Q_EMIT loadedChanged();
}

} // namespace spidi::desktop
