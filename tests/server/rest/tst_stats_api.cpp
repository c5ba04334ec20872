// Integration test of the statistics REST API: a real QHttpServer on a free loopback port, a
// real database with a scripted session history consolidated by StatsConsolidator, a real
// PresenceEngine on a virtual clock for "now" and the live figures, real HS256 tokens.
// SQLite by default; SPIDI_STATS_API_DIALECT=postgresql runs the same cases on a throw-away
// PostgreSQL server (CTest entry tst_stats_api_postgresql).
#include "auth/jwt_keys.h"
#include "auth/jwt_verifier.h"
#include "auth/principal.h"
#include "auth/token_extractor.h"
#include "auth/token_minter.h"
#include "db/database.h"
#include "db/migration_runner.h"
#include "db/room_repository.h"
#include "db/session_history_repository.h"
#include "postgres_process.h"
#include "presence/clock.h"
#include "presence/presence_engine.h"
#include "rest/rest_context.h"
#include "rest/stats_api.h"
#include "stats/room_stats_repository.h"
#include "stats/stats_consolidator.h"
#include "store/memory_hot_store.h"

#include <QDateTime>
#include <QHttpServer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <cmath>
#include <memory>
#include <optional>

using namespace spidi;

namespace {

const QByteArray Secret = QByteArrayLiteral("stats-api-test-secret-0123456789-abcdefghijk");
const QByteArray ProblemType = QByteArrayLiteral("application/problem+json");

constexpr qint64 kSec = 1000;
constexpr qint64 kMin = 60 * kSec;
constexpr qint64 T = 1'795'435'200'000; // 2026-11-23T12:00:00Z

struct Reply
{
    int status = -1;
    QByteArray body;
    QJsonObject json;
    QByteArray contentType;
};

SessionRecord session(const QString &tenant, const Room &room, const QString &user, qint64 startMs,
                      qint64 endMs)
{
    SessionRecord r;
    r.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    r.tenantId = tenant;
    r.roomId = room.id;
    r.roomCode = room.code;
    r.userId = user;
    r.connectedAtMs = startMs;
    r.lastHeartbeatAtMs = startMs;
    if (endMs > 0) {
        r.endedAtMs = endMs;
        r.endReason = SessionEndReason::Left;
    }
    return r;
}

bool near(double a, double b)
{
    return std::abs(a - b) <= 1e-9 * qMax(1.0, std::abs(b));
}

} // namespace

class TestStatsApi : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void itemsForScriptedHistory();
    void roomByIdOrCode();
    void bucketDefaultsToTheRange_data();
    void bucketDefaultsToTheRange();
    void invalidQueries_data();
    void invalidQueries();
    void otherTenantIs404();
    void authAndPermissions();
    void summaryShapeAndValues();
    void summaryIsTenantScoped();

private:
    QByteArray token(const QString &sub, const QString &tenant, const QStringList &perms) const;
    Reply get(const QString &path, const QByteArray &bearer);
    static bool isProblem(const Reply &reply, int status, const QString &field = {});

    QTemporaryDir m_dir;
    std::unique_ptr<test::PostgresProcess> m_pg;
    std::optional<Database> m_db;
    ManualClock m_clock{T + 3 * kMin + 20 * kSec}; // now 12:03:20
    std::unique_ptr<MemoryHotStore> m_store;
    std::unique_ptr<PresenceEngine> m_engine;
    std::unique_ptr<JwtVerifier> m_verifier;
    rest::RestContext m_context;
    std::unique_ptr<QHttpServer> m_server;
    quint16 m_port = 0;
    QNetworkAccessManager m_nam;
    Room m_one;   // acme
    Room m_two;   // acme
    Room m_other; // globex
    QByteArray m_monitor;
    QByteArray m_user;
    QByteArray m_globex;
};

QByteArray TestStatsApi::token(const QString &sub, const QString &tenant,
                               const QStringList &perms) const
{
    auto minted = mintToken(JwtKeys{JwtAlgorithm::HS256, Secret, Secret, QStringLiteral("test")},
                            sub, tenant, perms, 3600, QDateTime::currentSecsSinceEpoch());
    if (!minted)
        qFatal("cannot mint a test token: %s", qPrintable(minted.error().message));
    return minted->toUtf8();
}

void TestStatsApi::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QString url = QStringLiteral("sqlite://") + m_dir.filePath(QStringLiteral("stats.db"));
    if (qEnvironmentVariable("SPIDI_STATS_API_DIALECT") == QLatin1String("postgresql")) {
        m_pg = std::make_unique<test::PostgresProcess>();
        QVERIFY2(m_pg->start(), qPrintable(m_pg->errorText()));
        QVERIFY2(m_pg->createDatabase(QStringLiteral("stats_api")), qPrintable(m_pg->errorText()));
        url = m_pg->appUrl(QStringLiteral("stats_api"));
    }
    auto db = Database::open(DatabaseConfig{url, m_dir.path()}, QStringLiteral("stats-api-test"));
    QVERIFY2(db.ok(), db.ok() ? "" : qPrintable(db.error().message));
    QCOMPARE(db->dialect(), m_pg ? SqlDialect::Postgresql : SqlDialect::Sqlite);
    m_db = db.value();
    QVERIFY(applyMigrations(*m_db).ok());

    RoomRepository rooms(*m_db);
    const auto create = [&rooms](const QString &tenant, const QString &code) {
        RoomDraft draft;
        draft.code = code;
        draft.name = code;
        draft.typeCode = QStringLiteral("CHAT");
        auto created = rooms.create(Actor{QStringLiteral("admin"), tenant}, draft);
        if (!created)
            qFatal("create room: %s", qPrintable(created.error().message));
        return created.value();
    };
    m_one = create(QStringLiteral("acme"), QStringLiteral("ONE"));
    m_two = create(QStringLiteral("acme"), QStringLiteral("TWO"));
    m_other = create(QStringLiteral("globex"), QStringLiteral("ONE"));

    // The script of tst_stats_consolidator, in ONE: A u1 12:00:00-12:00:30, B u2 12:00:15-
    // 12:02:00, C u1 12:00:20-12:00:40, D u3 12:01:30-open; TWO: F u5 12:01:00-12:01:30;
    // globex ONE: G u9 12:00:00-open and H u8 12:00:00-open (peak 2).
    const QString acme = QStringLiteral("acme");
    const QString globex = QStringLiteral("globex");
    QVERIFY(SessionHistoryRepository(*m_db)
                .upsert({session(acme, m_one, QStringLiteral("u1"), T, T + 30 * kSec),
                         session(acme, m_one, QStringLiteral("u2"), T + 15 * kSec, T + 2 * kMin),
                         session(acme, m_one, QStringLiteral("u1"), T + 20 * kSec, T + 40 * kSec),
                         session(acme, m_one, QStringLiteral("u3"), T + 90 * kSec, 0),
                         session(acme, m_two, QStringLiteral("u5"), T + kMin, T + 90 * kSec),
                         session(globex, m_other, QStringLiteral("u9"), T, 0),
                         session(globex, m_other, QStringLiteral("u8"), T, 0)})
                .ok());
    StatsPart part;
    part.roomId = m_one.id;
    part.tenantId = acme;
    part.minuteMs = T + kMin;
    part.instanceId = QStringLiteral("i1");
    part.heartbeats = 5;
    for (double latency : {100.0, 140.0, 60.0}) {
        ++part.latencySamples;
        part.latencySumMs += latency;
        part.latencyHist.add(latency);
    }
    QVERIFY(RoomStatsRepository(*m_db).upsertParts({part}).ok());
    StatsConsolidator consolidator(*m_db, m_clock, StatsSettings{});
    const auto consolidated = consolidator.runOnce();
    QVERIFY(consolidated.ok());

    m_store = std::make_unique<MemoryHotStore>();
    m_engine = std::make_unique<PresenceEngine>(m_clock, *m_store, PresenceSettings{15, 45});
    auto live = rooms.allLiveRooms();
    QVERIFY(live.ok());
    m_engine->loadRooms(live.value());
    // Live now: two devices of u1 in ONE, one of u2 in TWO (acme); one in globex.
    for (const auto &[user, code, tenant] :
         {std::tuple{QStringLiteral("u1"), QStringLiteral("ONE"), acme},
          std::tuple{QStringLiteral("u1"), QStringLiteral("ONE"), acme},
          std::tuple{QStringLiteral("u2"), QStringLiteral("TWO"), acme},
          std::tuple{QStringLiteral("u9"), QStringLiteral("ONE"), globex}}) {
        protocol::Hello hello;
        hello.roomCode = code;
        hello.clientId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const auto ack = m_engine->hello(Principal{user, tenant, {perm::User}, 0}, hello, {}, 1);
        QVERIFY(std::holds_alternative<protocol::HelloAck>(ack));
    }

    m_verifier = std::make_unique<JwtVerifier>(
        JwtKeys{JwtAlgorithm::HS256, Secret, Secret, QStringLiteral("test")});
    m_context.authenticate = [this](const QHttpServerRequest &request) -> Result<Principal> {
        const QByteArray bearer =
            extractBearerToken(request.value(QByteArrayLiteral("Authorization")), request.query());
        if (bearer.isEmpty())
            return makeError(ErrorKind::Invalid, QStringLiteral("a bearer token is required"));
        auto principal = m_verifier->verify(bearer, QDateTime::currentSecsSinceEpoch());
        if (!principal)
            return makeError(ErrorKind::Invalid, principal.error().message);
        return principal;
    };
    m_context.database = &*m_db;
    m_server = std::make_unique<QHttpServer>();
    rest::registerStatsRoutes(*m_server, m_context, *m_engine);
    m_port = m_server->listen(QHostAddress::LocalHost, 0);
    QVERIFY(m_port != 0);
    m_nam.setProxy(QNetworkProxy::NoProxy);

    m_monitor = token(QStringLiteral("mona"), QStringLiteral("acme"), {perm::Monitor});
    m_user = token(QStringLiteral("ursula"), QStringLiteral("acme"), {perm::User});
    m_globex = token(QStringLiteral("bob"), QStringLiteral("globex"), {perm::Admin});
}

void TestStatsApi::cleanupTestCase()
{
    m_server.reset();
    m_engine.reset();
    if (m_db)
        m_db->close();
    m_pg.reset();
}

Reply TestStatsApi::get(const QString &path, const QByteArray &bearer)
{
    QNetworkRequest request(
        QUrl(QStringLiteral("http://127.0.0.1:") + QString::number(m_port) + path));
    if (!bearer.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + bearer);
    std::unique_ptr<QNetworkReply> reply(m_nam.get(request));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(15000))
        return {};
    Reply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.contentType = reply->rawHeader("Content-Type");
    result.json = QJsonDocument::fromJson(result.body).object();
    return result;
}

bool TestStatsApi::isProblem(const Reply &reply, int status, const QString &field)
{
    const bool ok = reply.status == status && reply.contentType.startsWith(ProblemType) &&
                    reply.json.value(QStringLiteral("status")).toInt() == status &&
                    reply.json.value(QStringLiteral("field")).toString() == field;
    if (!ok)
        qWarning("status %d, body %s", reply.status, reply.body.constData());
    return ok;
}

void TestStatsApi::itemsForScriptedHistory()
{
    const Reply reply = get(QStringLiteral("/api/v1/rooms/ONE/stats?from=2026-11-23T12:00:00Z&"
                                           "to=2026-11-23T13:05:00%2B01:00&bucket=minute"),
                            m_monitor);
    QCOMPARE(reply.status, 200);
    const QJsonObject &body = reply.json;
    QCOMPARE(body.value(QStringLiteral("roomId")).toString(), m_one.id);
    QCOMPARE(body.value(QStringLiteral("roomCode")).toString(), QStringLiteral("ONE"));
    QCOMPARE(body.value(QStringLiteral("bucket")).toString(), QStringLiteral("MINUTE"));
    QCOMPARE(body.value(QStringLiteral("from")).toString(),
             QStringLiteral("2026-11-23T12:00:00.000Z"));
    QCOMPARE(body.value(QStringLiteral("to")).toString(),
             QStringLiteral("2026-11-23T12:05:00.000Z"));
    const QJsonArray items = body.value(QStringLiteral("items")).toArray();
    QCOMPARE(body.value(QStringLiteral("total")).toInt(), 4);
    QCOMPARE(items.size(), 4);
    // Hand-computed in tst_stats_consolidator: 12:00 avg 95/60 peak 3 users 2 started 3
    // ended 2; 12:01 avg 1.5 peak 2 users 2 started 1, 5 heartbeats, latency avg 100;
    // 12:02 avg 1 ended 1; 12:03 avg 20/60, still running.
    const struct
    {
        const char *ts;
        double avg;
        int peak, users, started, ended, heartbeats;
        bool latency, partial;
    } expected[] = {
        {"2026-11-23T12:00:00.000Z", 95.0 / 60.0, 3, 2, 3, 2, 0, false, false},
        {"2026-11-23T12:01:00.000Z", 1.5, 2, 2, 1, 0, 5, true, false},
        {"2026-11-23T12:02:00.000Z", 1.0, 1, 1, 0, 1, 0, false, false},
        {"2026-11-23T12:03:00.000Z", 20.0 / 60.0, 1, 1, 0, 0, 0, false, true},
    };
    for (int i = 0; i < 4; ++i) {
        const QJsonObject item = items.at(i).toObject();
        const auto &e = expected[i];
        QCOMPARE(item.value(QStringLiteral("ts")).toString(), QLatin1String(e.ts));
        QVERIFY(near(item.value(QStringLiteral("onlineAvg")).toDouble(), e.avg));
        QCOMPARE(item.value(QStringLiteral("onlinePeak")).toInt(), e.peak);
        QCOMPARE(item.value(QStringLiteral("usersPeak")).toInt(), e.users);
        QCOMPARE(item.value(QStringLiteral("sessionsStarted")).toInt(), e.started);
        QCOMPARE(item.value(QStringLiteral("sessionsEnded")).toInt(), e.ended);
        QCOMPARE(item.value(QStringLiteral("heartbeats")).toInt(), e.heartbeats);
        QCOMPARE(item.value(QStringLiteral("partial")).toBool(), e.partial);
        if (e.latency) {
            QVERIFY(near(item.value(QStringLiteral("latencyAvgMs")).toDouble(), 100.0));
            const double p95 = item.value(QStringLiteral("latencyP95Ms")).toDouble();
            QVERIFY2(std::abs(p95 - 140.0) <= 7.0, qPrintable(QString::number(p95)));
        } else {
            QVERIFY(item.value(QStringLiteral("latencyAvgMs")).isNull());
            QVERIFY(item.value(QStringLiteral("latencyP95Ms")).isNull());
        }
    }

    // HOUR: one running bucket with the sums.
    const Reply hour = get(QStringLiteral("/api/v1/rooms/ONE/stats?from=2026-11-23T12:30:00Z&"
                                          "to=2026-11-23T12:45:00Z&bucket=HOUR"),
                           m_monitor);
    QCOMPARE(hour.status, 200);
    const QJsonArray hours = hour.json.value(QStringLiteral("items")).toArray();
    QCOMPARE(hours.size(), 1); // the bucket holding `from` is included
    QCOMPARE(hours.at(0).toObject().value(QStringLiteral("sessionsStarted")).toInt(), 4);
    QCOMPARE(hours.at(0).toObject().value(QStringLiteral("partial")).toBool(), true);
}

void TestStatsApi::roomByIdOrCode()
{
    const Reply byId = get(QStringLiteral("/api/v1/rooms/") + m_one.id +
                               QStringLiteral("/stats?from=2026-11-23T11:00:00Z"),
                           m_monitor);
    QCOMPARE(byId.status, 200);
    QCOMPARE(byId.json.value(QStringLiteral("roomCode")).toString(), QStringLiteral("ONE"));
    QCOMPARE(byId.json.value(QStringLiteral("total")).toInt(), 4);
    // A room with nothing in the range: no items (a missing bucket means nobody online).
    const Reply empty = get(QStringLiteral("/api/v1/rooms/TWO/stats?from=2026-11-22T00:00:00Z&"
                                           "to=2026-11-22T01:00:00Z"),
                            m_monitor);
    QCOMPARE(empty.status, 200);
    QCOMPARE(empty.json.value(QStringLiteral("total")).toInt(), 0);
    QVERIFY(empty.json.value(QStringLiteral("items")).toArray().isEmpty());
}

void TestStatsApi::bucketDefaultsToTheRange_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("bucket");
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    // No range: the last hour up to now (12:03:20).
    QTest::newRow("default") << QString() << QStringLiteral("MINUTE")
                             << QStringLiteral("2026-11-23T11:03:20.000Z")
                             << QStringLiteral("2026-11-23T12:03:20.000Z");
    QTest::newRow("6 h") << QStringLiteral("from=2026-11-23T06:03:20Z") << QStringLiteral("MINUTE")
                         << QStringLiteral("2026-11-23T06:03:20.000Z")
                         << QStringLiteral("2026-11-23T12:03:20.000Z");
    QTest::newRow("7 h") << QStringLiteral("from=2026-11-23T05:00:00Z") << QStringLiteral("HOUR")
                         << QStringLiteral("2026-11-23T05:00:00.000Z")
                         << QStringLiteral("2026-11-23T12:03:20.000Z");
    QTest::newRow("14 d") << QStringLiteral("from=2026-11-01T00:00:00Z&to=2026-11-15T00:00:00Z")
                          << QStringLiteral("HOUR") << QStringLiteral("2026-11-01T00:00:00.000Z")
                          << QStringLiteral("2026-11-15T00:00:00.000Z");
    QTest::newRow("30 d") << QStringLiteral("from=2026-10-24T00:00:00Z&to=2026-11-23T00:00:00Z")
                          << QStringLiteral("DAY") << QStringLiteral("2026-10-24T00:00:00.000Z")
                          << QStringLiteral("2026-11-23T00:00:00.000Z");
    QTest::newRow("only to") << QStringLiteral("to=2026-11-23T12:00:00Z")
                             << QStringLiteral("MINUTE")
                             << QStringLiteral("2026-11-23T11:00:00.000Z")
                             << QStringLiteral("2026-11-23T12:00:00.000Z");
}

void TestStatsApi::bucketDefaultsToTheRange()
{
    QFETCH(QString, query);
    QFETCH(QString, bucket);
    QFETCH(QString, from);
    QFETCH(QString, to);
    const Reply reply = get(QStringLiteral("/api/v1/rooms/ONE/stats?") + query, m_monitor);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json.value(QStringLiteral("bucket")).toString(), bucket);
    QCOMPARE(reply.json.value(QStringLiteral("from")).toString(), from);
    QCOMPARE(reply.json.value(QStringLiteral("to")).toString(), to);
}

void TestStatsApi::invalidQueries_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("field");
    QTest::newRow("from unparsable") << QStringLiteral("from=yesterday") << QStringLiteral("from");
    QTest::newRow("to unparsable")
        << QStringLiteral("to=2026-13-45T99:00:00Z") << QStringLiteral("to");
    QTest::newRow("from without zone")
        << QStringLiteral("from=2026-11-23T11:00:00") << QStringLiteral("from");
    QTest::newRow("from after to")
        << QStringLiteral("from=2026-11-23T12:00:00Z&to=2026-11-23T11:00:00Z")
        << QStringLiteral("from");
    QTest::newRow("from equals to")
        << QStringLiteral("from=2026-11-23T12:00:00Z&to=2026-11-23T12:00:00Z")
        << QStringLiteral("from");
    QTest::newRow("unknown bucket") << QStringLiteral("bucket=WEEK") << QStringLiteral("bucket");
    // 8 days of minutes: 11,520 buckets.
    QTest::newRow("too many buckets")
        << QStringLiteral("from=2026-11-15T00:00:00Z&to=2026-11-23T00:00:00Z&bucket=MINUTE")
        << QStringLiteral("bucket");
}

void TestStatsApi::invalidQueries()
{
    QFETCH(QString, query);
    QFETCH(QString, field);
    QVERIFY(
        isProblem(get(QStringLiteral("/api/v1/rooms/ONE/stats?") + query, m_monitor), 422, field));
    if (!query.startsWith(QLatin1String("bucket")) && !query.contains(QLatin1String("bucket")))
        QVERIFY(isProblem(get(QStringLiteral("/api/v1/stats/summary?") + query, m_monitor), 422,
                          field));
}

void TestStatsApi::otherTenantIs404()
{
    // globex's room by id, and a code that only globex has... acme's ONE is a different room.
    QVERIFY(isProblem(
        get(QStringLiteral("/api/v1/rooms/") + m_other.id + QStringLiteral("/stats"), m_monitor),
        404));
    QVERIFY(isProblem(get(QStringLiteral("/api/v1/rooms/NOPE/stats"), m_monitor), 404));
    // globex's own ONE has globex's rows: peak 2, never acme's 3.
    const Reply globex =
        get(QStringLiteral("/api/v1/rooms/ONE/stats?from=2026-11-23T12:00:00Z"), m_globex);
    QCOMPARE(globex.status, 200);
    QCOMPARE(globex.json.value(QStringLiteral("roomId")).toString(), m_other.id);
    const QJsonArray items = globex.json.value(QStringLiteral("items")).toArray();
    QCOMPARE(items.size(), 4);
    for (const QJsonValue &item : items)
        QCOMPARE(item.toObject().value(QStringLiteral("onlinePeak")).toInt(), 2);
}

void TestStatsApi::authAndPermissions()
{
    QCOMPARE(get(QStringLiteral("/api/v1/rooms/ONE/stats"), {}).status, 401);
    QCOMPARE(get(QStringLiteral("/api/v1/stats/summary"), {}).status, 401);
    QVERIFY(isProblem(get(QStringLiteral("/api/v1/rooms/ONE/stats"), m_user), 403));
    QVERIFY(isProblem(get(QStringLiteral("/api/v1/stats/summary"), m_user), 403));
}

void TestStatsApi::summaryShapeAndValues()
{
    const Reply reply = get(QStringLiteral("/api/v1/stats/summary?from=2026-11-23T12:00:00Z&"
                                           "to=2026-11-23T12:05:00Z"),
                            m_monitor);
    QCOMPARE(reply.status, 200);
    const QJsonObject &body = reply.json;
    QCOMPARE(body.value(QStringLiteral("from")).toString(),
             QStringLiteral("2026-11-23T12:00:00.000Z"));
    QCOMPARE(body.value(QStringLiteral("to")).toString(),
             QStringLiteral("2026-11-23T12:05:00.000Z"));
    // Live: 2 rooms in acme, 3 devices of 2 users.
    const QJsonObject live = body.value(QStringLiteral("live")).toObject();
    QCOMPARE(live.value(QStringLiteral("rooms")).toInt(), 2);
    QCOMPARE(live.value(QStringLiteral("online")).toInt(), 3);
    QCOMPARE(live.value(QStringLiteral("users")).toInt(), 2);
    // Period (MINUTE rows for 5 minutes): started ONE 4 + TWO 1; ended ONE 3 + TWO 1; peak
    // ONE's 3; 5 heartbeats; latency avg 100 of the 3 samples.
    const QJsonObject period = body.value(QStringLiteral("period")).toObject();
    QCOMPARE(period.value(QStringLiteral("bucket")).toString(), QStringLiteral("MINUTE"));
    QCOMPARE(period.value(QStringLiteral("sessionsStarted")).toInt(), 5);
    QCOMPARE(period.value(QStringLiteral("sessionsEnded")).toInt(), 4);
    QCOMPARE(period.value(QStringLiteral("peakOnline")).toInt(), 3);
    QCOMPARE(period.value(QStringLiteral("heartbeats")).toInt(), 5);
    QVERIFY(near(period.value(QStringLiteral("latencyAvgMs")).toDouble(), 100.0));
    QVERIFY(std::abs(period.value(QStringLiteral("latencyP95Ms")).toDouble() - 140.0) <= 7.0);
    // Busiest: ONE (peak 3, 4 started) before TWO (peak 1, 1 started).
    const QJsonArray busiest = body.value(QStringLiteral("busiestRooms")).toArray();
    QCOMPARE(busiest.size(), 2);
    const QJsonObject first = busiest.at(0).toObject();
    QCOMPARE(first.value(QStringLiteral("roomId")).toString(), m_one.id);
    QCOMPARE(first.value(QStringLiteral("roomCode")).toString(), QStringLiteral("ONE"));
    QCOMPARE(first.value(QStringLiteral("peakOnline")).toInt(), 3);
    QCOMPARE(first.value(QStringLiteral("sessionsStarted")).toInt(), 4);
    const QJsonObject second = busiest.at(1).toObject();
    QCOMPARE(second.value(QStringLiteral("roomCode")).toString(), QStringLiteral("TWO"));
    QCOMPARE(second.value(QStringLiteral("peakOnline")).toInt(), 1);
    QCOMPARE(second.value(QStringLiteral("sessionsStarted")).toInt(), 1);

    // The default range is the last 24 h, from HOUR rows: the same totals.
    const Reply day = get(QStringLiteral("/api/v1/stats/summary"), m_monitor);
    QCOMPARE(day.status, 200);
    const QJsonObject dayPeriod = day.json.value(QStringLiteral("period")).toObject();
    QCOMPARE(dayPeriod.value(QStringLiteral("bucket")).toString(), QStringLiteral("HOUR"));
    QCOMPARE(dayPeriod.value(QStringLiteral("sessionsStarted")).toInt(), 5);
    QCOMPARE(dayPeriod.value(QStringLiteral("peakOnline")).toInt(), 3);
    QCOMPARE(day.json.value(QStringLiteral("to")).toString(),
             QStringLiteral("2026-11-23T12:03:20.000Z"));
}

void TestStatsApi::summaryIsTenantScoped()
{
    const Reply reply = get(QStringLiteral("/api/v1/stats/summary"), m_globex);
    QCOMPARE(reply.status, 200);
    const QJsonObject live = reply.json.value(QStringLiteral("live")).toObject();
    QCOMPARE(live.value(QStringLiteral("rooms")).toInt(), 1);
    QCOMPARE(live.value(QStringLiteral("online")).toInt(), 1);
    const QJsonObject period = reply.json.value(QStringLiteral("period")).toObject();
    QCOMPARE(period.value(QStringLiteral("sessionsStarted")).toInt(), 2);
    QCOMPARE(period.value(QStringLiteral("peakOnline")).toInt(), 2);
    QCOMPARE(period.value(QStringLiteral("heartbeats")).toInt(), 0);
    QVERIFY(period.value(QStringLiteral("latencyAvgMs")).isNull());
    const QJsonArray busiest = reply.json.value(QStringLiteral("busiestRooms")).toArray();
    QCOMPARE(busiest.size(), 1);
    QCOMPARE(busiest.at(0).toObject().value(QStringLiteral("roomId")).toString(), m_other.id);
}

QTEST_GUILESS_MAIN(TestStatsApi)
#include "tst_stats_api.moc"
