// Subscriptions and coalesced broadcasts (SPEC 4.1, docs/protocol.md "Topics", "Coalescing",
// "Slow subscribers") against an in-process gateway wired as ServerApplication wires it:
// PresenceEngine on a MemoryHotStore and the SystemClock, a SubscriptionHub, a WebSocketGateway
// listening on 127.0.0.1:0. Presence changes are driven directly through the engine; the
// subscribers are real WebSocket clients and every message they get is recorded with its arrival
// time, so the rate and latency guarantees are checked on counted, timestamped messages.
#include "gateway/client_connection.h"
#include "gateway/subscription_hub.h"
#include "gateway/websocket_gateway.h"
#include "presence/clock.h"
#include "presence/presence_engine.h"
#include "server_process.h"
#include "store/memory_hot_store.h"
#include "ws_client.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <functional>

using namespace spidi;
using spidi::test::WsClient;

namespace {

const QString T1 = QStringLiteral("t1");
const QString T2 = QStringLiteral("t2");
constexpr int MinIntervalMs = 500;   // SubscriptionHub default, SPEC: two per second
constexpr int ConvergeSlackMs = 300; // delivery slack for a loaded 2-core CI machine
// A ROOM_METRICS ts is read from the clock just after the flush instant (a diff's ts is the
// flush instant itself), so on a busy machine it may lag the flush by a few ms.
constexpr int MetricsTsAllowanceMs = 10;

QString typeOf(const QJsonObject &m)
{
    return m.value(QLatin1String("type")).toString();
}

// Same encoding as the wire, but with integer/double representation normalised so that
// QJsonObject equality compares values, and without the timestamp.
QJsonObject normalised(QJsonObject o)
{
    o.remove(QLatin1String("ts"));
    return QJsonDocument::fromJson(QJsonDocument(o).toJson(QJsonDocument::Compact)).object();
}

// ---------------------------------------------------------------------------------------------
// What a subscriber believes, rebuilt from the messages it received, in order.
struct View
{
    QHash<QString, QJsonObject> metrics;                // room id -> last ROOM_METRICS (no ts)
    QHash<QString, QHash<QString, QJsonObject>> roster; // room id -> session id -> session

    void apply(const QJsonObject &m)
    {
        const QString type = typeOf(m);
        const QString roomId = m.value(QLatin1String("roomId")).toString();
        if (type == QLatin1String("ROOM_METRICS")) {
            metrics.insert(roomId, normalised(m));
        } else if (type == QLatin1String("ROOM_ROSTER")) {
            QHash<QString, QJsonObject> sessions;
            for (const QJsonValue &user : m.value(QLatin1String("users")).toArray()) {
                const QString userId = user[QLatin1String("userId")].toString();
                for (const QJsonValue &s : user[QLatin1String("sessions")].toArray()) {
                    QJsonObject session = s.toObject();
                    session.insert(QLatin1String("userId"), userId);
                    sessions.insert(session.value(QLatin1String("sessionId")).toString(),
                                    normalised(session));
                }
            }
            roster.insert(roomId, sessions);
        } else if (type == QLatin1String("ROOM_ROSTER_DIFF")) {
            QHash<QString, QJsonObject> &sessions = roster[roomId];
            for (const QJsonValue &j : m.value(QLatin1String("joins")).toArray())
                sessions.insert(j[QLatin1String("sessionId")].toString(), normalised(j.toObject()));
            for (const QJsonValue &id : m.value(QLatin1String("leaves")).toArray())
                sessions.remove(id.toString());
            for (const QJsonValue &u : m.value(QLatin1String("updates")).toArray()) {
                auto it = sessions.find(u[QLatin1String("sessionId")].toString());
                if (it == sessions.end())
                    continue;
                it->insert(QLatin1String("latencyMs"), u[QLatin1String("latencyMs")]);
                it->insert(QLatin1String("lastHeartbeatAt"), u[QLatin1String("lastHeartbeatAt")]);
                *it = normalised(*it);
            }
        }
    }
};

QJsonObject trueMetrics(const PresenceEngine &engine, const QString &roomId)
{
    return normalised(protocol::metricsToJson(engine.metrics(roomId)));
}

QHash<QString, QJsonObject> trueRoster(const PresenceEngine &engine, const QString &roomId)
{
    QHash<QString, QJsonObject> result;
    for (const SessionRecord &s : engine.sessionsOfRoom(roomId)) {
        QJsonObject o = protocol::sessionToJson(s);
        o.insert(QLatin1String("userId"), s.userId);
        result.insert(s.id, normalised(o));
    }
    return result;
}

// ---------------------------------------------------------------------------------------------
struct Arrival
{
    qint64 atMs; // on the test's monotonic timer
    QJsonObject message;
};

// Records every message a QWebSocket receives, with its arrival time.
class Recorder : public QObject
{
public:
    Recorder(QWebSocket &socket, const QElapsedTimer &timer) : m_timer(timer)
    {
        connect(&socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            record(QJsonDocument::fromJson(text.toUtf8()).object());
        });
    }
    explicit Recorder(const QElapsedTimer &timer) : m_timer(timer) {}

    void record(const QJsonObject &message)
    {
        m_all.append({m_timer.elapsed(), message});
        m_view.apply(message);
    }

    const QList<Arrival> &all() const { return m_all; }
    const View &view() const { return m_view; }
    qsizetype size() const { return m_all.size(); }

    // Messages of `type` (for `roomId` if given) received at index `from` or later.
    QList<Arrival> select(const QString &type, const QString &roomId = {}, qsizetype from = 0) const
    {
        QList<Arrival> result;
        for (qsizetype i = from; i < m_all.size(); ++i) {
            const QJsonObject &m = m_all.at(i).message;
            if (typeOf(m) == type &&
                (roomId.isEmpty() || m.value(QLatin1String("roomId")).toString() == roomId))
                result.append(m_all.at(i));
        }
        return result;
    }

private:
    const QElapsedTimer &m_timer;
    QList<Arrival> m_all;
    View m_view;
};

// ---------------------------------------------------------------------------------------------
// A WebSocket client written on a bare QTcpSocket so that it can stop reading: with a small Qt
// read buffer, Qt stops taking data from the kernel once it holds 4 KiB, the TCP window closes
// and the server's writes back up into its own buffers, which is what a slow subscriber looks
// like to the gateway.
class RawWebSocket : public QObject
{
public:
    explicit RawWebSocket(Recorder &recorder) : m_recorder(recorder) {}

    bool open(quint16 port, const QByteArray &token)
    {
        m_socket.setReadBufferSize(4096);
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        if (!QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::ConnectedState; },
                             5000))
            return false;
        m_socket.write(spidi::test::upgradeRequest("/ws/presence", token));
        if (!QTest::qWaitFor([this] { return m_socket.peek(4096).contains("\r\n\r\n"); }, 5000))
            return false;
        const QByteArray head = m_socket.read(m_socket.peek(4096).indexOf("\r\n\r\n") + 4);
        return head.startsWith("HTTP/1.1 101");
    }

    void sendText(const QByteArray &payload)
    {
        QByteArray frame;
        frame.append(char(0x81)); // FIN + text
        if (payload.size() < 126) {
            frame.append(char(0x80 | payload.size()));
        } else {
            Q_ASSERT(payload.size() <= 0xFFFF);
            frame.append(char(0x80 | 126));
            frame.append(char((payload.size() >> 8) & 0xFF));
            frame.append(char(payload.size() & 0xFF));
        }
        const quint32 key = QRandomGenerator::global()->generate();
        const char mask[4] = {char(key >> 24), char(key >> 16), char(key >> 8), char(key)};
        frame.append(mask, 4);
        for (qsizetype i = 0; i < payload.size(); ++i)
            frame.append(char(payload[i] ^ mask[i % 4]));
        m_socket.write(frame);
    }

    void send(const QJsonObject &message)
    {
        sendText(QJsonDocument(message).toJson(QJsonDocument::Compact));
    }

    // Starts reading (and keeps reading) everything the server sent.
    void resume()
    {
        connect(&m_socket, &QTcpSocket::readyRead, this, &RawWebSocket::drain);
        m_socket.setReadBufferSize(0);
        drain();
    }

    qint64 bytesRead() const { return m_bytesRead; }
    quint16 localPort() const { return m_socket.localPort(); }

private:
    void drain()
    {
        const QByteArray chunk = m_socket.readAll();
        m_bytesRead += chunk.size();
        m_buffer += chunk;
        for (;;) {
            if (m_buffer.size() < 2)
                return;
            const quint8 b0 = quint8(m_buffer[0]);
            const quint8 b1 = quint8(m_buffer[1]);
            qint64 length = b1 & 0x7F;
            qsizetype header = 2;
            if (length == 126) {
                if (m_buffer.size() < 4)
                    return;
                length = (qint64(quint8(m_buffer[2])) << 8) | quint8(m_buffer[3]);
                header = 4;
            } else if (length == 127) {
                if (m_buffer.size() < 10)
                    return;
                length = 0;
                for (int i = 2; i < 10; ++i)
                    length = (length << 8) | quint8(m_buffer[i]);
                header = 10;
            }
            if (m_buffer.size() < header + length)
                return;
            const QByteArray payload = m_buffer.mid(header, length);
            m_buffer.remove(0, header + length);
            const quint8 opcode = b0 & 0x0F;
            if (opcode == 0x1 || opcode == 0x0) {
                m_message += payload;
                if (b0 & 0x80) {
                    m_recorder.record(QJsonDocument::fromJson(m_message).object());
                    m_message.clear();
                }
            }
        }
    }

    Recorder &m_recorder;
    QTcpSocket m_socket;
    QByteArray m_buffer;
    QByteArray m_message;
    qint64 m_bytesRead = 0;
};

// ---------------------------------------------------------------------------------------------
// "Bearer <user>@<tenant>:<perms>", perms letters: m = spidi:monitor, u = spidi:user.
Result<Principal> authenticate(const QByteArray &authorization, const QByteArray &)
{
    if (!authorization.startsWith("Bearer "))
        return makeError(ErrorKind::Invalid, QStringLiteral("missing bearer token"));
    const QString token = QString::fromUtf8(authorization.mid(7));
    const qsizetype at = token.indexOf(QLatin1Char('@'));
    const qsizetype colon = token.indexOf(QLatin1Char(':'));
    if (at <= 0 || colon < at)
        return makeError(ErrorKind::Invalid, QStringLiteral("malformed test token"));
    Principal p;
    p.userId = token.left(at);
    p.tenantId = token.mid(at + 1, colon - at - 1);
    const QString perms = token.mid(colon + 1);
    if (perms.contains(QLatin1Char('m')))
        p.permissions.insert(perm::Monitor);
    if (perms.contains(QLatin1Char('u')))
        p.permissions.insert(perm::User);
    return p;
}

Room makeRoom(const QString &tenant, const QString &code, int capacity)
{
    Room r;
    r.id = tenant + QLatin1Char('-') + code;
    r.tenantId = tenant;
    r.code = code;
    r.name = code;
    r.typeCode = QStringLiteral("GENERIC");
    r.capacity = capacity;
    r.ttlSec = 3600;
    return r;
}

QString roomId(const QString &tenant, const QString &code)
{
    return tenant + QLatin1Char('-') + code;
}

// The server's objects, wired as ServerApplication::start() wires them.
struct Server
{
    explicit Server(const GatewayLimits &limits)
        : engine(clock, store, PresenceSettings{15, 45}), hub(engine, clock),
          gateway(engine, hub, authenticate, limits, nullptr)
    {}

    bool listen() { return gateway.server().listen(QHostAddress::LocalHost, 0); }
    QUrl url() { return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/presence").arg(port())); }
    quint16 port() { return gateway.server().serverPort(); }

    ClientConnection *connectionOf(const QString &userId)
    {
        for (ClientConnection *c : gateway.findChildren<ClientConnection *>()) {
            if (c->principal().userId == userId)
                return c;
        }
        return nullptr;
    }

    SystemClock clock;
    MemoryHotStore store;
    PresenceEngine engine;
    SubscriptionHub hub;
    WebSocketGateway gateway; // declared last: destroyed (sockets closed) first
};

// A live session driven directly through the engine, as a device on another node would be.
struct Device
{
    Principal who;
    QString sessionId;
    QString roomId;
};

QJsonObject subscribe(const QString &topic)
{
    return {{QStringLiteral("type"), QStringLiteral("SUBSCRIBE")},
            {QStringLiteral("topic"), topic}};
}

QJsonObject unsubscribe(const QString &topic)
{
    return {{QStringLiteral("type"), QStringLiteral("UNSUBSCRIBE")},
            {QStringLiteral("topic"), topic}};
}

// Figures of one series of broadcasts (one kind, one room, one subscriber).
struct SeriesStats
{
    int count = 0;
    qint64 minArrivalGapMs = -1;
    qint64 minTsGapMs = -1;
    int maxPerSecondByTs = 0;
    int maxPerShortSecondByTs = 0; // window shortened by the metrics ts allowance
    int maxPerSecondByArrival = 0;
};

int maxInWindow(const QList<qint64> &times, qint64 windowMs)
{
    int best = 0;
    for (qsizetype i = 0; i < times.size(); ++i) {
        int n = 0;
        for (qsizetype j = i; j < times.size() && times.at(j) < times.at(i) + windowMs; ++j)
            ++n;
        best = std::max(best, n);
    }
    return best;
}

SeriesStats statsOf(const QList<Arrival> &series)
{
    SeriesStats s;
    s.count = int(series.size());
    QList<qint64> arrivals, ts;
    for (const Arrival &a : series) {
        arrivals.append(a.atMs);
        ts.append(qint64(a.message.value(QLatin1String("ts")).toDouble()));
    }
    for (qsizetype i = 1; i < series.size(); ++i) {
        const qint64 ga = arrivals.at(i) - arrivals.at(i - 1);
        const qint64 gt = ts.at(i) - ts.at(i - 1);
        s.minArrivalGapMs = s.minArrivalGapMs < 0 ? ga : std::min(s.minArrivalGapMs, ga);
        s.minTsGapMs = s.minTsGapMs < 0 ? gt : std::min(s.minTsGapMs, gt);
    }
    s.maxPerSecondByTs = maxInWindow(ts, 1000);
    s.maxPerShortSecondByTs = maxInWindow(ts, 1000 - 2 * MetricsTsAllowanceMs);
    s.maxPerSecondByArrival = maxInWindow(arrivals, 1000);
    return s;
}

} // namespace

class TestSubscriptionHub : public QObject
{
    Q_OBJECT

    GatewayLimits m_limits;
    std::unique_ptr<Server> m_server;
    QElapsedTimer m_timer;
    int m_nextClient = 1;

    Server &server() { return *m_server; }

    void startServer()
    {
        m_server = std::make_unique<Server>(m_limits);
        m_server->engine.loadRooms(
            {makeRoom(T1, QStringLiteral("LOBBY"), 100), makeRoom(T1, QStringLiteral("ARENA"), 50),
             makeRoom(T1, QStringLiteral("QUIET"), 10), makeRoom(T2, QStringLiteral("LOBBY"), 100),
             makeRoom(T2, QStringLiteral("SECRET"), 10)});
        if (!m_server->listen())
            qFatal("cannot listen on 127.0.0.1");
    }

    Device join(const QString &userId, const QString &code, const QString &tenant = T1)
    {
        Device d{Principal{userId, tenant, {perm::User}, 0}, {}, roomId(tenant, code)};
        protocol::Hello hello;
        hello.roomCode = code;
        hello.clientId = QStringLiteral("client-%1").arg(m_nextClient++);
        hello.appVersion = QStringLiteral("1.0.0");
        hello.device = QStringLiteral("phone");
        hello.os = QStringLiteral("Android 14");
        const auto outcome = server().engine.hello(d.who, hello, QStringLiteral("10.0.0.7"), 0);
        if (!std::holds_alternative<protocol::HelloAck>(outcome))
            qFatal("join failed: %s", qPrintable(std::get<PresenceFailure>(outcome).message));
        d.sessionId = std::get<protocol::HelloAck>(outcome).sessionId;
        return d;
    }

    void beat(const Device &d, int latencyMs)
    {
        const auto outcome =
            server().engine.heartbeat(d.who, protocol::Heartbeat{d.sessionId, latencyMs}, 0);
        if (!std::holds_alternative<qint64>(outcome))
            qFatal("heartbeat failed: %s", qPrintable(std::get<PresenceFailure>(outcome).message));
    }

    void leave(const Device &d)
    {
        const auto outcome = server().engine.leave(d.who, protocol::Leave{d.sessionId});
        if (!std::holds_alternative<QString>(outcome))
            qFatal("leave failed");
    }

    bool openClient(WsClient &client, const QByteArray &token)
    {
        return client.open(server().url(), token);
    }

    // SUBSCRIBE and check the reply: SUBSCRIBED carrying our seq back and the topic.
    void expectSubscribed(WsClient &client, const QString &topic)
    {
        const auto reply = client.request(subscribe(topic));
        QVERIFY2(reply, qPrintable(topic));
        QCOMPARE(typeOf(*reply), QStringLiteral("SUBSCRIBED"));
        QCOMPARE(reply->value(QLatin1String("topic")).toString(), topic);
    }

private Q_SLOTS:
    void initTestCase()
    {
        // Hundreds of session.started lines would drown the test output.
        QLoggingCategory::setFilterRules(QStringLiteral("spidi.*.info=false"));
        m_timer.start();
    }

    void init()
    {
        m_limits = GatewayLimits{};
        m_limits.rateLimitPerSec = 0; // the rate limiter has its own tests; here it would only
                                      // throttle the subscription-limit test
    }

    void cleanup() { m_server.reset(); }

    // (a) SUBSCRIBED, then at once the snapshot, for every topic kind.
    void subscribedThenImmediateSnapshot()
    {
        startServer();
        const Device a1 = join(QStringLiteral("ann"), QStringLiteral("LOBBY"));
        const Device a2 = join(QStringLiteral("ann"), QStringLiteral("LOBBY"));
        const Device b1 = join(QStringLiteral("bob"), QStringLiteral("LOBBY"));
        join(QStringLiteral("cat"), QStringLiteral("ARENA"));
        join(QStringLiteral("zed"), QStringLiteral("SECRET"), T2);
        beat(a1, 40);
        beat(a2, 60);
        beat(b1, 200);

        WsClient client;
        Recorder rec(client.socket(), m_timer);
        QVERIFY(openClient(client, "mon@t1:m"));

        struct Case
        {
            QString topic;
            QStringList expectedTypes; // the snapshot, in order
            QStringList expectedRooms;
        };
        const QList<Case> cases{
            {QStringLiteral("rooms"),
             {QStringLiteral("ROOM_METRICS"), QStringLiteral("ROOM_METRICS"),
              QStringLiteral("ROOM_METRICS")},
             // one per room of the tenant, by code; none of t2's
             {roomId(T1, QStringLiteral("ARENA")), roomId(T1, QStringLiteral("LOBBY")),
              roomId(T1, QStringLiteral("QUIET"))}},
            {QStringLiteral("room/LOBBY/metrics"),
             {QStringLiteral("ROOM_METRICS")},
             {roomId(T1, QStringLiteral("LOBBY"))}},
            {QStringLiteral("room/LOBBY/roster"),
             {QStringLiteral("ROOM_ROSTER")},
             {roomId(T1, QStringLiteral("LOBBY"))}},
        };
        for (const Case &c : cases) {
            const qsizetype before = rec.size();
            expectSubscribed(client, c.topic);
            QTRY_VERIFY_WITH_TIMEOUT(rec.size() >= before + 1 + c.expectedTypes.size(), 5000);
            // The reply comes first, then the snapshot, with nothing in between.
            const Arrival &reply = rec.all().at(before);
            QCOMPARE(typeOf(reply.message), QStringLiteral("SUBSCRIBED"));
            for (qsizetype i = 0; i < c.expectedTypes.size(); ++i) {
                const Arrival &snap = rec.all().at(before + 1 + i);
                QCOMPARE(typeOf(snap.message), c.expectedTypes.at(i));
                QCOMPARE(snap.message.value(QLatin1String("roomId")).toString(),
                         c.expectedRooms.at(i));
                // Immediate: sent with the reply, not by the next coalesced flush.
                QVERIFY2(snap.atMs - reply.atMs < 200,
                         qPrintable(QStringLiteral("%1: snapshot %2 ms after SUBSCRIBED")
                                        .arg(c.topic)
                                        .arg(snap.atMs - reply.atMs)));
                qInfo("%s: snapshot %lld arrived %lld ms after SUBSCRIBED", qPrintable(c.topic),
                      qlonglong(i), qlonglong(snap.atMs - reply.atMs));
            }
        }

        // The snapshots are the true state.
        const View &view = rec.view();
        for (const QString &code :
             {QStringLiteral("LOBBY"), QStringLiteral("ARENA"), QStringLiteral("QUIET")}) {
            QCOMPARE(view.metrics.value(roomId(T1, code)),
                     trueMetrics(server().engine, roomId(T1, code)));
        }
        QVERIFY(!view.metrics.contains(roomId(T2, QStringLiteral("LOBBY"))));
        QVERIFY(!view.metrics.contains(roomId(T2, QStringLiteral("SECRET"))));
        const QJsonObject lobby = view.metrics.value(roomId(T1, QStringLiteral("LOBBY")));
        QCOMPARE(lobby.value(QLatin1String("online")).toInt(), 3);
        QCOMPARE(lobby.value(QLatin1String("users")).toInt(), 2);
        QCOMPARE(view.roster.value(roomId(T1, QStringLiteral("LOBBY"))),
                 trueRoster(server().engine, roomId(T1, QStringLiteral("LOBBY"))));
        QCOMPARE(view.roster.value(roomId(T1, QStringLiteral("LOBBY"))).size(), 3);

        // The roster snapshot groups sessions by user.
        const QJsonObject roster = rec.select(QStringLiteral("ROOM_ROSTER")).first().message;
        const QJsonArray users = roster.value(QLatin1String("users")).toArray();
        QCOMPARE(users.size(), 2);
        QCOMPARE(users.at(0)[QLatin1String("userId")].toString(), QStringLiteral("ann"));
        QCOMPARE(users.at(0)[QLatin1String("sessions")].toArray().size(), 2);
        QCOMPARE(users.at(1)[QLatin1String("userId")].toString(), QStringLiteral("bob"));
        QCOMPARE(server().hub.subscriberCount(), 3);
    }

    // (b) + (c): 200 heartbeats with changing latencies over ~2 s, plus joins and leaves; every
    // subscriber gets at most two ROOM_METRICS and two ROOM_ROSTER_DIFF per room per second and
    // holds the true state within 500 ms (+ slack) of the last change.
    void coalescesAndConverges()
    {
        startServer();
        QList<Device> lobby, arena;
        for (int u = 0; u < 4; ++u) {
            lobby.append(join(QStringLiteral("user%1").arg(u), QStringLiteral("LOBBY")));
            lobby.append(join(QStringLiteral("user%1").arg(u), QStringLiteral("LOBBY")));
        }
        for (int u = 0; u < 4; ++u)
            arena.append(join(QStringLiteral("user%1").arg(u), QStringLiteral("ARENA")));

        // One subscriber per topic, so each counts exactly one series.
        WsClient metricsClient, rosterClient, roomsClient, arenaRosterClient;
        Recorder metricsRec(metricsClient.socket(), m_timer);
        Recorder rosterRec(rosterClient.socket(), m_timer);
        Recorder roomsRec(roomsClient.socket(), m_timer);
        Recorder arenaRosterRec(arenaRosterClient.socket(), m_timer);
        QVERIFY(openClient(metricsClient, "m1@t1:m"));
        QVERIFY(openClient(rosterClient, "m2@t1:m"));
        QVERIFY(openClient(roomsClient, "m3@t1:m"));
        QVERIFY(openClient(arenaRosterClient, "m4@t1:m"));
        expectSubscribed(metricsClient, QStringLiteral("room/LOBBY/metrics"));
        expectSubscribed(rosterClient, QStringLiteral("room/LOBBY/roster"));
        expectSubscribed(roomsClient, QStringLiteral("rooms"));
        expectSubscribed(arenaRosterClient, QStringLiteral("room/ARENA/roster"));

        const QString lobbyId = roomId(T1, QStringLiteral("LOBBY"));
        const QString arenaId = roomId(T1, QStringLiteral("ARENA"));
        // Only broadcasts count: skip the snapshots.
        const qsizetype metricsFrom = metricsRec.size();
        const qsizetype rosterFrom = rosterRec.size();
        const qsizetype roomsFrom = roomsRec.size();
        const qsizetype arenaRosterFrom = arenaRosterRec.size();

        // The drive: one tick every 10 ms; each tick is one LOBBY heartbeat (latency 10 + i, so
        // every heartbeat changes the average), every other tick an ARENA heartbeat, and a few
        // joins and leaves in LOBBY.
        constexpr int Heartbeats = 200;
        int tick = 0;
        qint64 lastLobbyChangeAt = 0, lastArenaChangeAt = 0; // test timer
        qint64 lastLobbyChangeTs = 0, lastArenaChangeTs = 0; // server clock
        qint64 driveStartedAt = m_timer.elapsed();
        QList<Device> joined;
        QTimer driver;
        driver.setTimerType(Qt::PreciseTimer);
        driver.setInterval(10);
        connect(&driver, &QTimer::timeout, this, [&] {
            const int i = tick;
            if (i == 30 || i == 80 || i == 130 || i == 180) {
                const Device d = join(QStringLiteral("late%1").arg(i), QStringLiteral("LOBBY"));
                joined.append(d);
                lobby.append(d);
            }
            if (i == 55 || i == 105 || i == 155) {
                leave(lobby.first());
                lobby.removeFirst();
            }
            beat(lobby.at(i % lobby.size()), 10 + i);
            lastLobbyChangeAt = m_timer.elapsed();
            lastLobbyChangeTs = server().clock.nowMs();
            if (i % 2 == 0) {
                beat(arena.at((i / 2) % arena.size()), 500 - i);
                lastArenaChangeAt = m_timer.elapsed();
                lastArenaChangeTs = server().clock.nowMs();
            }
            if (++tick == Heartbeats)
                driver.stop();
        });
        driver.start();
        QTRY_COMPARE_WITH_TIMEOUT(tick, Heartbeats, 30000);
        const qint64 driveMs = lastLobbyChangeAt - driveStartedAt;

        // (c) convergence: every subscriber ends up with the engine's true state.
        const auto converged = [&] {
            return metricsRec.view().metrics.value(lobbyId) ==
                       trueMetrics(server().engine, lobbyId) &&
                   roomsRec.view().metrics.value(lobbyId) ==
                       trueMetrics(server().engine, lobbyId) &&
                   roomsRec.view().metrics.value(arenaId) ==
                       trueMetrics(server().engine, arenaId) &&
                   rosterRec.view().roster.value(lobbyId) == trueRoster(server().engine, lobbyId) &&
                   arenaRosterRec.view().roster.value(arenaId) ==
                       trueRoster(server().engine, arenaId);
        };
        QTRY_VERIFY_WITH_TIMEOUT(converged(), 5000);

        // A quiet period after the last change: nothing more arrives (a ROOM_METRICS is only
        // sent when a figure changed, a diff only when something did).
        const qsizetype counts[] = {metricsRec.size(), rosterRec.size(), roomsRec.size(),
                                    arenaRosterRec.size()};
        QTest::qWait(2 * MinIntervalMs + 200);
        QCOMPARE(metricsRec.size(), counts[0]);
        QCOMPARE(rosterRec.size(), counts[1]);
        QCOMPARE(roomsRec.size(), counts[2]);
        QCOMPARE(arenaRosterRec.size(), counts[3]);
        QVERIFY(converged());

        struct Series
        {
            const char *name;
            QList<Arrival> messages;
            bool isDiff;
            qint64 lastChangeAt;
            qint64 lastChangeTs;
        };
        const QList<Series> all{
            {"room/LOBBY/metrics ROOM_METRICS",
             metricsRec.select(QStringLiteral("ROOM_METRICS"), lobbyId, metricsFrom), false,
             lastLobbyChangeAt, lastLobbyChangeTs},
            {"rooms ROOM_METRICS LOBBY",
             roomsRec.select(QStringLiteral("ROOM_METRICS"), lobbyId, roomsFrom), false,
             lastLobbyChangeAt, lastLobbyChangeTs},
            {"rooms ROOM_METRICS ARENA",
             roomsRec.select(QStringLiteral("ROOM_METRICS"), arenaId, roomsFrom), false,
             lastArenaChangeAt, lastArenaChangeTs},
            {"room/LOBBY/roster ROOM_ROSTER_DIFF",
             rosterRec.select(QStringLiteral("ROOM_ROSTER_DIFF"), lobbyId, rosterFrom), true,
             lastLobbyChangeAt, lastLobbyChangeTs},
            {"room/ARENA/roster ROOM_ROSTER_DIFF",
             arenaRosterRec.select(QStringLiteral("ROOM_ROSTER_DIFF"), arenaId, arenaRosterFrom),
             true, lastArenaChangeAt, lastArenaChangeTs},
        };
        qInfo("drive: %d LOBBY heartbeats + %d ARENA heartbeats + 4 joins + 3 leaves over %lld ms",
              Heartbeats, Heartbeats / 2, qlonglong(driveMs));
        // Nothing else was broadcast to these subscribers.
        QCOMPARE(metricsRec.size() - metricsFrom, qsizetype(all.at(0).messages.size()));
        QCOMPARE(rosterRec.size() - rosterFrom, qsizetype(all.at(3).messages.size()));
        QCOMPARE(roomsRec.size() - roomsFrom,
                 qsizetype(all.at(1).messages.size() + all.at(2).messages.size()));
        QCOMPARE(arenaRosterRec.size() - arenaRosterFrom, qsizetype(all.at(4).messages.size()));

        for (const Series &s : all) {
            const SeriesStats st = statsOf(s.messages);
            const qint64 latency =
                s.messages.isEmpty() ? -1 : s.messages.last().atMs - s.lastChangeAt;
            const qint64 serverLatency =
                s.messages.isEmpty()
                    ? -1
                    : qint64(s.messages.last().message.value(QLatin1String("ts")).toDouble()) -
                          s.lastChangeTs;
            qInfo("%s: %d messages, min gap %lld ms (arrival) / %lld ms (server ts), max %d per "
                  "1 s window (server ts) / %d (arrival), last one %lld ms after the last change "
                  "(server ts: %lld ms)",
                  s.name, st.count, qlonglong(st.minArrivalGapMs), qlonglong(st.minTsGapMs),
                  st.maxPerSecondByTs, st.maxPerSecondByArrival, qlonglong(latency),
                  qlonglong(serverLatency));

            // Updates flowed during the drive (a change is on the wire within 500 ms), yet
            // coalesced: one message per 500 ms at most, not one per change.
            QVERIFY2(st.count >= 3, s.name);
            QVERIFY2(st.count <= driveMs / MinIntervalMs + 2, s.name);
            // At most 2 per second: consecutive messages at least 500 ms apart on the server's
            // clock (a diff's ts is the flush instant; a metrics ts is read just after it, hence
            // a few ms of allowance), and ~450 ms apart on arrival.
            QVERIFY2(st.minTsGapMs >=
                         (s.isDiff ? MinIntervalMs : MinIntervalMs - MetricsTsAllowanceMs),
                     s.name);
            QVERIFY2(st.minArrivalGapMs >= 450, s.name);
            QVERIFY2((s.isDiff ? st.maxPerSecondByTs : st.maxPerShortSecondByTs) <= 2, s.name);
            // Converged within 500 ms (+ slack) of the last change.
            QVERIFY2(latency >= 0 && latency <= MinIntervalMs + ConvergeSlackMs, s.name);
        }
        QCOMPARE(trueRoster(server().engine, lobbyId).size(), 8 + 4 - 3);
    }

    // A resumed session (new socket, maybe a new address and app version) is not a leave, and a
    // roster subscriber converges to its new details too.
    void resumedSessionConverges()
    {
        startServer();
        const Device d = join(QStringLiteral("ann"), QStringLiteral("LOBBY"));
        beat(d, 25);
        WsClient client;
        Recorder rec(client.socket(), m_timer);
        QVERIFY(openClient(client, "mon@t1:m"));
        expectSubscribed(client, QStringLiteral("room/LOBBY/roster"));
        const QString lobbyId = roomId(T1, QStringLiteral("LOBBY"));
        QCOMPARE(rec.view().roster.value(lobbyId), trueRoster(server().engine, lobbyId));
        const qsizetype from = rec.size();

        protocol::Hello hello;
        hello.roomCode = QStringLiteral("LOBBY");
        hello.clientId = QStringLiteral("client-resumed");
        hello.appVersion = QStringLiteral("2.0.0");
        hello.resumeSessionId = d.sessionId;
        const auto outcome = server().engine.hello(d.who, hello, QStringLiteral("10.9.9.9"), 0);
        QVERIFY(std::holds_alternative<protocol::HelloAck>(outcome));
        QVERIFY(std::get<protocol::HelloAck>(outcome).resumed);
        QCOMPARE(server().engine.session(d.sessionId)->ip, QStringLiteral("10.9.9.9"));

        QTRY_VERIFY_WITH_TIMEOUT(rec.view().roster.value(lobbyId) ==
                                     trueRoster(server().engine, lobbyId),
                                 MinIntervalMs + ConvergeSlackMs);
        const QJsonObject held = rec.view().roster.value(lobbyId).value(d.sessionId);
        QCOMPARE(held.value(QLatin1String("ip")).toString(), QStringLiteral("10.9.9.9"));
        QCOMPARE(held.value(QLatin1String("appVersion")).toString(), QStringLiteral("2.0.0"));
        for (const Arrival &a : rec.select(QStringLiteral("ROOM_ROSTER_DIFF"), lobbyId, from))
            QVERIFY(a.message.value(QLatin1String("leaves")).toArray().isEmpty());
    }

    // (d) UNSUBSCRIBE stops that topic's updates and nothing else.
    void unsubscribeStopsUpdates()
    {
        startServer();
        const Device d = join(QStringLiteral("ann"), QStringLiteral("LOBBY"));
        WsClient client, control;
        Recorder rec(client.socket(), m_timer);
        Recorder controlRec(control.socket(), m_timer);
        QVERIFY(openClient(client, "mon@t1:m"));
        QVERIFY(openClient(control, "ctl@t1:m"));
        expectSubscribed(client, QStringLiteral("room/LOBBY/metrics"));
        expectSubscribed(client, QStringLiteral("room/LOBBY/roster"));
        expectSubscribed(control, QStringLiteral("room/LOBBY/metrics"));
        QCOMPARE(server().hub.subscriberCount(), 3);

        // Both topics deliver before the unsubscribe.
        beat(d, 11);
        QTRY_COMPARE(rec.select(QStringLiteral("ROOM_METRICS")).size(), 2); // snapshot + 1
        QTRY_COMPARE(rec.select(QStringLiteral("ROOM_ROSTER_DIFF")).size(), 1);

        const auto reply = client.request(unsubscribe(QStringLiteral("room/LOBBY/metrics")));
        QVERIFY(reply);
        QCOMPARE(typeOf(*reply), QStringLiteral("UNSUBSCRIBED"));
        QCOMPARE(reply->value(QLatin1String("topic")).toString(),
                 QStringLiteral("room/LOBBY/metrics"));
        QCOMPARE(server().hub.subscriberCount(), 2);

        const qsizetype controlBefore = controlRec.select(QStringLiteral("ROOM_METRICS")).size();
        beat(d, 22);
        // The change is broadcast (the control subscriber gets it, and so does this client's
        // remaining roster topic)...
        QTRY_COMPARE(controlRec.select(QStringLiteral("ROOM_METRICS")).size(), controlBefore + 1);
        QTRY_COMPARE(rec.select(QStringLiteral("ROOM_ROSTER_DIFF")).size(), 2);
        // ...but no ROOM_METRICS reaches the client that left the topic (measured over a quiet
        // period longer than a coalescing window).
        QTest::qWait(MinIntervalMs + 200);
        QCOMPARE(rec.select(QStringLiteral("ROOM_METRICS")).size(), 2);

        // Unsubscribing from the last topic silences the connection entirely.
        const auto reply2 = client.request(unsubscribe(QStringLiteral("room/LOBBY/roster")));
        QVERIFY(reply2);
        QCOMPARE(typeOf(*reply2), QStringLiteral("UNSUBSCRIBED"));
        const qsizetype silentFrom = rec.size();
        beat(d, 33);
        leave(d);
        QTRY_COMPARE(controlRec.select(QStringLiteral("ROOM_METRICS"))
                         .last()
                         .message.value(QLatin1String("online"))
                         .toInt(-1),
                     0);
        QTest::qWait(MinIntervalMs + 200);
        QCOMPARE(rec.size(), silentFrom);
        QCOMPARE(server().hub.subscriberCount(), 1);

        // Unsubscribing from something not subscribed is not an error.
        const auto again = client.request(unsubscribe(QStringLiteral("room/LOBBY/roster")));
        QVERIFY(again);
        QCOMPARE(typeOf(*again), QStringLiteral("UNSUBSCRIBED"));
        // And the connection still works: subscribing again gets a fresh snapshot.
        expectSubscribed(client, QStringLiteral("room/LOBBY/metrics"));
        QTRY_COMPARE(rec.select(QStringLiteral("ROOM_METRICS"), {}, silentFrom).size(), 1);
        QCOMPARE(rec.view().metrics.value(roomId(T1, QStringLiteral("LOBBY"))),
                 trueMetrics(server().engine, roomId(T1, QStringLiteral("LOBBY"))));
    }

    // (e) refused subscriptions.
    void refusedSubscriptions()
    {
        startServer();
        WsClient client;
        QVERIFY(openClient(client, "mon@t1:m"));

        const auto expectError = [&](const QString &topic, const QString &code) {
            const auto reply = client.request(subscribe(topic));
            QVERIFY2(reply, qPrintable(topic));
            QCOMPARE(typeOf(*reply), QStringLiteral("ERROR"));
            QCOMPARE(reply->value(QLatin1String("code")).toString(), code);
        };
        expectError(QStringLiteral("room/NOPE/metrics"), QStringLiteral("ROOM_NOT_FOUND"));
        expectError(QStringLiteral("room/NOPE/roster"), QStringLiteral("ROOM_NOT_FOUND"));
        // Another tenant's room is reported exactly like an unknown one.
        expectError(QStringLiteral("room/SECRET/metrics"), QStringLiteral("ROOM_NOT_FOUND"));
        expectError(QStringLiteral("room/SECRET/roster"), QStringLiteral("ROOM_NOT_FOUND"));
        QCOMPARE(server().hub.subscriberCount(), 0);
        QVERIFY(client.isConnected());

        // Without spidi:monitor: FORBIDDEN, connection kept.
        WsClient device;
        QVERIFY(openClient(device, "dev@t1:u"));
        const auto forbidden = device.request(subscribe(QStringLiteral("rooms")));
        QVERIFY(forbidden);
        QCOMPARE(forbidden->value(QLatin1String("code")).toString(), QStringLiteral("FORBIDDEN"));
        QVERIFY(device.isConnected());
        QCOMPARE(server().hub.subscriberCount(), 0);
    }

    void subscriptionLimitPerConnection()
    {
        startServer();
        // 500 rooms in a tenant of their own: 1000 distinct topics (metrics + roster each).
        constexpr int Limit = SubscriptionHub::MaxSubscriptionsPerConnection;
        static_assert(Limit % 2 == 0);
        QList<Room> rooms;
        for (int i = 0; i < Limit / 2; ++i)
            rooms.append(makeRoom(QStringLiteral("t3"), QStringLiteral("R%1").arg(i), 10));
        server().engine.loadRooms(rooms);

        WsClient client;
        Recorder rec(client.socket(), m_timer);
        QVERIFY(openClient(client, "mon@t3:m"));
        // Pipelined: all requests first, then wait for all replies.
        for (int i = 0; i < Limit / 2; ++i) {
            client.send(subscribe(QStringLiteral("room/R%1/metrics").arg(i)));
            client.send(subscribe(QStringLiteral("room/R%1/roster").arg(i)));
        }
        QTRY_COMPARE_WITH_TIMEOUT(rec.select(QStringLiteral("SUBSCRIBED")).size(), Limit, 20000);
        QCOMPARE(server().hub.subscriberCount(), Limit);

        // One more distinct topic is refused...
        const auto refused = client.request(subscribe(QStringLiteral("rooms")));
        QVERIFY(refused);
        QCOMPARE(typeOf(*refused), QStringLiteral("ERROR"));
        QCOMPARE(refused->value(QLatin1String("code")).toString(), QStringLiteral("BAD_REQUEST"));
        QVERIFY(
            refused->value(QLatin1String("message")).toString().contains(QString::number(Limit)));
        QCOMPARE(server().hub.subscriberCount(), Limit);
        // ...re-subscribing to a topic already held is not a new subscription...
        const auto again = client.request(subscribe(QStringLiteral("room/R0/metrics")));
        QVERIFY(again);
        QCOMPARE(typeOf(*again), QStringLiteral("SUBSCRIBED"));
        QCOMPARE(server().hub.subscriberCount(), Limit);
        // ...and freeing one makes room for one.
        const auto freed = client.request(unsubscribe(QStringLiteral("room/R7/roster")));
        QVERIFY(freed);
        QCOMPARE(typeOf(*freed), QStringLiteral("UNSUBSCRIBED"));
        const auto accepted = client.request(subscribe(QStringLiteral("rooms")));
        QVERIFY(accepted);
        QCOMPARE(typeOf(*accepted), QStringLiteral("SUBSCRIBED"));
        QCOMPARE(server().hub.subscriberCount(), Limit);
        // The limit is per connection: another connection of the same user starts at zero.
        WsClient other;
        QVERIFY(openClient(other, "mon@t3:m"));
        expectSubscribed(other, QStringLiteral("room/R0/metrics"));
        QCOMPARE(server().hub.subscriberCount(), Limit + 1);
    }

    // (f) A subscriber that stops reading: the server's backlog for it stays bounded, broadcasts
    // to it are skipped, and once it reads again it gets fresh snapshots and converges.
    void slowSubscriberIsSkippedThenResynced()
    {
        m_limits.maxPendingBytes = 64 * 1024;
        startServer();
        // BIG: a room whose roster snapshot is a sizeable frame (~30 KB), used to fill the pipe.
        server().engine.upsertRoom(makeRoom(T1, QStringLiteral("BIG"), 1000));
        QList<Device> big, lobby, arena;
        for (int i = 0; i < 120; ++i)
            big.append(join(QStringLiteral("b%1").arg(i % 40), QStringLiteral("BIG")));
        for (int i = 0; i < 10; ++i)
            lobby.append(join(QStringLiteral("l%1").arg(i % 4), QStringLiteral("LOBBY")));
        for (int i = 0; i < 6; ++i)
            arena.append(join(QStringLiteral("a%1").arg(i % 3), QStringLiteral("ARENA")));
        const QString bigId = roomId(T1, QStringLiteral("BIG"));
        const QString lobbyId = roomId(T1, QStringLiteral("LOBBY"));
        const QString arenaId = roomId(T1, QStringLiteral("ARENA"));
        const qint64 bigSnapshotBytes =
            protocol::encodeRoomRoster(bigId, QStringLiteral("BIG"),
                                       server().engine.sessionsOfRoom(bigId), 0)
                .size();
        const QStringList topics{QStringLiteral("rooms"), QStringLiteral("room/LOBBY/roster"),
                                 QStringLiteral("room/ARENA/roster"),
                                 QStringLiteral("room/BIG/roster")};

        // A normal subscriber on the same topics, to show broadcasts keep flowing meanwhile.
        WsClient normal;
        Recorder normalRec(normal.socket(), m_timer);
        QVERIFY(openClient(normal, "fast@t1:m"));
        for (const QString &topic : topics)
            expectSubscribed(normal, topic);

        Recorder slowRec(m_timer);
        RawWebSocket slow(slowRec);
        QVERIFY(slow.open(server().port(), "slow@t1:mu"));
        QTRY_VERIFY(server().connectionOf(QStringLiteral("slow")));
        ClientConnection *connection = server().connectionOf(QStringLiteral("slow"));
        int drainCount = 0;
        connect(connection, &ClientConnection::drained, this, [&drainCount] { ++drainCount; });
        for (const QString &topic : topics)
            slow.send(subscribe(topic));

        // Fill the pipe without reading: re-subscribing to BIG's roster sends its snapshot again
        // each time, until the kernel buffers are full and bytes back up in the server.
        qint64 peakPending = 0;
        QTimer sampler;
        sampler.setInterval(1);
        connect(&sampler, &QTimer::timeout, this,
                [&] { peakPending = std::max(peakPending, connection->pendingBytes()); });
        sampler.start();
        // Cap the server side's kernel send buffer (which loopback autotuning would otherwise
        // grow to 4 MiB) so the pipe fills after a few hundred KiB instead of several MiB. The
        // socket is the QWebSocketServer's, found by the client's port; nothing in the server is
        // changed by this but the kernel's buffer size.
        for (QTcpSocket *tcp : server().gateway.server().findChildren<QTcpSocket *>()) {
            if (tcp->peerPort() == slow.localPort())
                tcp->setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, 16 * 1024);
        }
        // Fill the pipe: while the connection is not slow, re-subscribing to BIG's roster sends
        // its snapshot again. Slow "for real" means still slow 300 ms later (not a write the
        // kernel is about to take, and past the receive window's early growth).
        int fills = 0;
        const auto fillUntilPersistentlySlow = [&] {
            for (int attempts = 0; attempts < 1000; ++attempts) {
                if (!connection->isSlow()) {
                    slow.send(subscribe(QStringLiteral("room/BIG/roster")));
                    ++fills;
                }
                if (QTest::qWaitFor([&] { return connection->isSlow(); }, 5) &&
                    !QTest::qWaitFor([&] { return !connection->isSlow(); }, 300))
                    return true;
            }
            return false;
        };
        QVERIFY2(fillUntilPersistentlySlow(), "the connection never became slow");
        qInfo("slow after %d BIG snapshots (%lld bytes each): pending %lld bytes (limit %lld)",
              fills, qlonglong(bigSnapshotBytes), qlonglong(connection->pendingBytes()),
              qlonglong(m_limits.maxPendingBytes));

        // Requests from a slow reader are still served, but a snapshot is not piled onto its
        // backlog (it is deferred until the drain): 20 more re-subscriptions add only their
        // small SUBSCRIBED replies. A HELLO marks the point where all were processed.
        QSignalSpy drains(connection, &ClientConnection::drained);
        const qint64 pendingBefore = connection->pendingBytes();
        for (int i = 0; i < 20; ++i)
            slow.send(subscribe(QStringLiteral("room/BIG/roster")));
        slow.send({{QStringLiteral("type"), QStringLiteral("HELLO")},
                   {QStringLiteral("roomCode"), QStringLiteral("QUIET")},
                   {QStringLiteral("clientId"), QStringLiteral("sentinel")},
                   {QStringLiteral("appVersion"), QStringLiteral("1")}});
        QTRY_COMPARE(server().engine.metrics(roomId(T1, QStringLiteral("QUIET"))).online, 1);
        const bool drainedWhileResubscribing = !drains.isEmpty();
        if (!drainedWhileResubscribing) // (after a drain, snapshots are rightly sent again)
            QVERIFY2(connection->pendingBytes() <= pendingBefore + 4096,
                     qPrintable(QStringLiteral("pending grew from %1 to %2")
                                    .arg(pendingBefore)
                                    .arg(connection->pendingBytes())));
        QVERIFY(fillUntilPersistentlySlow());

        // Many updates while it does not read.
        const qint64 skippedBefore = server().hub.broadcastsSkipped();
        const qsizetype normalFrom = normalRec.size();
        constexpr int Ticks = 250;
        int tick = 0;
        QTimer driver;
        driver.setInterval(10);
        connect(&driver, &QTimer::timeout, this, [&] {
            beat(big.at(tick % big.size()), 100 + tick);
            beat(big.at((tick + 60) % big.size()), 300 + tick);
            beat(lobby.at(tick % lobby.size()), 20 + tick);
            beat(arena.at(tick % arena.size()), 900 - tick);
            if (++tick == Ticks)
                driver.stop();
        });
        driver.start();
        QTRY_COMPARE_WITH_TIMEOUT(tick, Ticks, 30000);
        // Let the last coalesced flush go out.
        QTRY_VERIFY_WITH_TIMEOUT(
            normalRec.view().roster.value(bigId) == trueRoster(server().engine, bigId), 5000);
        const qint64 skipped = server().hub.broadcastsSkipped() - skippedBefore;
        const qsizetype normalGot = normalRec.size() - normalFrom;
        qInfo("while not reading (%d ticks): %lld broadcasts skipped for the slow subscriber, "
              "the normal subscriber got %lld; slow pending now %lld bytes, peak %lld bytes "
              "(limit %lld, BIG snapshot %lld)",
              Ticks, qlonglong(skipped), qlonglong(normalGot),
              qlonglong(connection->pendingBytes()), qlonglong(peakPending),
              qlonglong(m_limits.maxPendingBytes), qlonglong(bigSnapshotBytes));
        // Each flush round broadcasts 6 messages on these topics (3 ROOM_METRICS on "rooms",
        // 3 diffs); at least one full round was skipped, and every round reached the other one.
        QVERIFY(skipped >= 6);
        QVERIFY(normalGot >= 6 * (Ticks * 10 / MinIntervalMs - 1));
        QVERIFY(connection->isSlow());
        // Bounded: over the limit by at most the one frame that crossed it plus the replies.
        QVERIFY2(peakPending <= m_limits.maxPendingBytes + bigSnapshotBytes + 4096,
                 qPrintable(QString::number(peakPending)));

        // Read again: fresh snapshots arrive and the subscriber converges.
        const qint64 resumedTs = server().clock.nowMs();
        const qint64 resumedAt = m_timer.elapsed();
        slow.resume();
        const auto converged = [&] {
            const View &v = slowRec.view();
            for (const QString &id : {lobbyId, arenaId, bigId}) {
                if (v.metrics.value(id) != trueMetrics(server().engine, id) ||
                    v.roster.value(id) != trueRoster(server().engine, id))
                    return false;
            }
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(converged(), 15000);
        const qint64 convergedAfter = m_timer.elapsed() - resumedAt;
        QTRY_VERIFY(!connection->isSlow());
        // The state came from snapshots taken after it resumed, not from stale backlog alone.
        for (const QString &id : {lobbyId, arenaId, bigId}) {
            const QList<Arrival> rosters = slowRec.select(QStringLiteral("ROOM_ROSTER"), id);
            QVERIFY(!rosters.isEmpty());
            QVERIFY2(rosters.last().message.value(QLatin1String("ts")).toDouble() >= resumedTs,
                     qPrintable(id));
        }
        // Snapshots of BIG: one per subscription answered while not slow, plus at most one per
        // drain; none for the 20 re-subscriptions made while slow (without the deferral: +20).
        const qsizetype bigSnapshots = slowRec.select(QStringLiteral("ROOM_ROSTER"), bigId).size();
        QVERIFY2(bigSnapshots <= 1 + fills + drainCount + (drainedWhileResubscribing ? 20 : 0),
                 qPrintable(QStringLiteral("%1 BIG snapshots for %2 fills and %3 drains")
                                .arg(bigSnapshots)
                                .arg(fills)
                                .arg(drainCount)));
        qInfo("resumed: converged %lld ms later after reading %lld bytes; pending now %lld; "
              "%lld BIG snapshots for %d fills and %d drains",
              qlonglong(convergedAfter), qlonglong(slow.bytesRead()),
              qlonglong(connection->pendingBytes()), qlonglong(bigSnapshots), fills, drainCount);

        // Back to normal: the next change arrives as an ordinary diff.
        const qsizetype diffsBefore =
            slowRec.select(QStringLiteral("ROOM_ROSTER_DIFF"), lobbyId).size();
        beat(lobby.first(), 4242);
        QTRY_COMPARE(slowRec.select(QStringLiteral("ROOM_ROSTER_DIFF"), lobbyId).size(),
                     diffsBefore + 1);
        QTRY_VERIFY(converged());
        sampler.stop();
    }
};

QTEST_GUILESS_MAIN(TestSubscriptionHub)
#include "tst_subscription_hub.moc"
