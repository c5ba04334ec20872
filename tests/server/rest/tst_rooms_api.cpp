// Integration test of the rooms REST API: a real QHttpServer on a free loopback port, a real
// SQLite file with the migrations applied, real HS256 tokens, requests over real TCP.

#include "auth/jwt_keys.h"
#include "auth/jwt_verifier.h"
#include "auth/principal.h"
#include "auth/token_extractor.h"
#include "auth/token_minter.h"
#include "db/database.h"
#include "db/migration_runner.h"
#include "rest/rest_context.h"
#include "rest/rooms_api.h"

#include <QDateTime>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>
#include <QUuid>

#include <memory>
#include <optional>

using namespace spidi;

namespace {

const QByteArray Secret = QByteArrayLiteral("rooms-api-test-secret-0123456789-abcdefghij");
const QByteArray OtherSecret = QByteArrayLiteral("another-secret-that-signs-nothing-we-trust!!");
const QByteArray ProblemType = QByteArrayLiteral("application/problem+json");

JwtKeys keysFor(const QByteArray &secret)
{
    return JwtKeys{JwtAlgorithm::HS256, secret, secret, QStringLiteral("test")};
}

struct Reply
{
    int status = -1; // -1: no answer in time
    QByteArray body;
    QJsonObject json;
    QJsonArray array;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray header(const char *name) const { return headers.value(QByteArray(name).toLower()); }
};

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

using Headers = QList<QPair<QByteArray, QByteArray>>;

} // namespace

class TestRoomsApi : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void roomTypes();
    void crudHappyPath();
    void defaultsFromType_data();
    void defaultsFromType();
    void createValidation_data();
    void createValidation();
    void updateValidation_data();
    void updateValidation();
    void duplicateCode();
    void staleVersionInBody();
    void staleVersionInIfMatch();
    void updateAcceptsGetRepresentation();
    void softDelete();
    void listFiltersAndPaging();
    void searchNonAscii();
    void listRejectsBadParameters_data();
    void listRejectsBadParameters();
    void maintenanceToggle();
    void maintenanceValidation_data();
    void maintenanceValidation();
    void attributesReplace();
    void unauthorized_data();
    void unauthorized();
    void forbidden_data();
    void forbidden();
    void tenantIsolation();
    void malformedJson_data();
    void malformedJson();
    void methodNotAllowed_data();
    void methodNotAllowed();
    void payloadTooLarge();
    void callbacks();
    void auditRows();
    void databaseClosedIs503();
    void databaseBusyIs503();

private:
    QByteArray token(const QString &sub, const QString &tenant, const QStringList &perms) const;
    Reply send(const QByteArray &verb, const QString &path, const QByteArray &token,
               const QByteArray &body = {}, const Headers &headers = {});
    Reply createRoom(const QJsonObject &room, const QByteArray &token);
    Reply createRoom(const QJsonObject &room) { return createRoom(room, m_admin); }
    qint64 roomCount(const QString &tenant);
    static bool isProblem(const Reply &reply, int status, const QString &field = {});

    QTemporaryDir m_dir;
    QString m_dbUrl;
    std::optional<Database> m_db;
    std::unique_ptr<JwtVerifier> m_verifier;
    rest::RestContext m_context;
    std::unique_ptr<QHttpServer> m_server; // after m_context: destroyed before it
    quint16 m_port = 0;
    QNetworkAccessManager m_nam;

    QList<Room> m_changed;
    QList<Room> m_deleted;

    QByteArray m_admin;   // tenant acme, spidi:admin
    QByteArray m_monitor; // tenant acme, spidi:monitor
    QByteArray m_user;    // tenant acme, spidi:user
    QByteArray m_adminB;  // tenant globex, spidi:admin
};

QByteArray TestRoomsApi::token(const QString &sub, const QString &tenant,
                               const QStringList &perms) const
{
    auto minted =
        mintToken(keysFor(Secret), sub, tenant, perms, 3600, QDateTime::currentSecsSinceEpoch());
    if (!minted)
        qFatal("cannot mint a test token: %s", qPrintable(minted.error().message));
    return minted->toUtf8();
}

void TestRoomsApi::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // A short busy timeout so databaseBusyIs503 does not wait the default 5 s.
    m_dbUrl = QStringLiteral("sqlite://") + m_dir.filePath(QStringLiteral("rooms.db")) +
              QStringLiteral("?busy_timeout_ms=200");
    auto db = Database::open(DatabaseConfig{m_dbUrl, m_dir.path()}, QStringLiteral("rest-test"));
    QVERIFY2(db.ok(), db.ok() ? "" : qPrintable(db.error().message));
    m_db = db.value();
    auto migrated = applyMigrations(*m_db);
    QVERIFY2(migrated.ok(), migrated.ok() ? "" : qPrintable(migrated.error().message));
    QVERIFY(migrated.value() >= 1);

    m_verifier = std::make_unique<JwtVerifier>(keysFor(Secret));
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
    m_context.roomChanged = [this](const Room &room) { m_changed.append(room); };
    m_context.roomDeleted = [this](const Room &room) { m_deleted.append(room); };

    m_server = std::make_unique<QHttpServer>();
    rest::registerRoomRoutes(*m_server, m_context);
    m_port = m_server->listen(QHostAddress::LocalHost, 0);
    QVERIFY(m_port != 0);

    m_nam.setProxy(QNetworkProxy::NoProxy);

    m_admin = token(QStringLiteral("alice"), QStringLiteral("acme"), {perm::Admin});
    m_monitor = token(QStringLiteral("mona"), QStringLiteral("acme"), {perm::Monitor});
    m_user = token(QStringLiteral("ursula"), QStringLiteral("acme"), {perm::User});
    m_adminB = token(QStringLiteral("bob"), QStringLiteral("globex"), {perm::Admin});
}

void TestRoomsApi::init()
{
    QSqlQuery query(m_db->handle());
    for (const char *table : {"dat_spd_room_attr", "dat_spd_room", "dat_spd_audit"})
        QVERIFY2(query.exec(QStringLiteral("DELETE FROM ") + QLatin1String(table)),
                 qPrintable(query.lastError().text()));
    m_changed.clear();
    m_deleted.clear();
}

void TestRoomsApi::cleanupTestCase()
{
    m_server.reset();
    if (m_db)
        m_db->close();
}

Reply TestRoomsApi::send(const QByteArray &verb, const QString &path, const QByteArray &bearer,
                         const QByteArray &body, const Headers &headers)
{
    QNetworkRequest request(
        QUrl(QStringLiteral("http://127.0.0.1:") + QString::number(m_port) + path));
    if (!bearer.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + bearer);
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);

    std::unique_ptr<QNetworkReply> reply(m_nam.sendCustomRequest(request, verb, body));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(15000))
        return {};

    Reply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    for (const auto &[name, value] : reply->rawHeaderPairs())
        result.headers.insert(name.toLower(), value);
    const QJsonDocument document = QJsonDocument::fromJson(result.body);
    result.json = document.object();
    result.array = document.array();
    return result;
}

Reply TestRoomsApi::createRoom(const QJsonObject &room, const QByteArray &bearer)
{
    return send("POST", QStringLiteral("/api/v1/rooms"), bearer, compact(room));
}

qint64 TestRoomsApi::roomCount(const QString &tenant)
{
    QSqlQuery query(m_db->handle());
    query.prepare(QStringLiteral(
        "SELECT COUNT(*) FROM dat_spd_room WHERE tenant_id = ? AND deleted_at IS NULL"));
    query.addBindValue(tenant);
    if (!query.exec() || !query.next())
        return -1;
    return query.value(0).toLongLong();
}

// RFC 7807 shape with the expected status and field ("" = no field member).
bool TestRoomsApi::isProblem(const Reply &reply, int status, const QString &field)
{
    bool ok = true;
    const auto check = [&ok](bool condition, const char *what) {
        if (!condition) {
            qWarning("problem check failed: %s", what);
            ok = false;
        }
    };
    check(reply.status == status, "HTTP status");
    check(reply.header("Content-Type").startsWith(ProblemType), "content type");
    check(reply.json.value(QStringLiteral("status")).toInt() == status, "status member");
    check(!reply.json.value(QStringLiteral("type")).toString().isEmpty(), "type member");
    check(!reply.json.value(QStringLiteral("title")).toString().isEmpty(), "title member");
    check(!reply.json.value(QStringLiteral("detail")).toString().isEmpty(), "detail member");
    if (field.isEmpty())
        check(!reply.json.contains(QStringLiteral("field")), "no field member");
    else
        check(reply.json.value(QStringLiteral("field")).toString() == field, "field member");
    if (!ok)
        qWarning("status %d, body %s", reply.status, reply.body.constData());
    return ok;
}

void TestRoomsApi::roomTypes()
{
    const Reply reply = send("GET", QStringLiteral("/api/v1/room-types"), m_monitor);
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.header("Content-Type").startsWith("application/json"));
    QCOMPARE(reply.json.value(QStringLiteral("total")).toInt(), 10);
    const QJsonArray items = reply.json.value(QStringLiteral("items")).toArray();
    QCOMPARE(items.size(), 10);
    QJsonObject webrtc;
    for (const QJsonValue &item : items) {
        if (item.toObject().value(QStringLiteral("code")).toString() == QLatin1String("WEBRTC"))
            webrtc = item.toObject();
    }
    QCOMPARE(webrtc.value(QStringLiteral("defaultCapacity")).toInt(), 50);
    QCOMPARE(webrtc.value(QStringLiteral("defaultTtlSec")).toInt(), 7200);
    QCOMPARE(webrtc.value(QStringLiteral("name")).toString(), QStringLiteral("WebRTC call"));
}

void TestRoomsApi::crudHappyPath()
{
    static const QRegularExpression isoMs(
        QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$"));

    const Reply created = createRoom(QJsonObject{
        {"code", "LOBBY-1"},
        {"name", "  Main lobby  "},
        {"typeCode", "CHAT"},
        {"capacity", 42},
        {"ttlSec", 900},
        {"tags", QJsonArray{"eu", "public", "eu"}},
        {"attributes", QJsonObject{{"floor", "3"}, {"owner", "ops"}}},
    });
    QCOMPARE(created.status, 201);
    const QJsonObject room = created.json;
    const QString id = room.value(QStringLiteral("id")).toString();
    QVERIFY(!QUuid::fromString(id).isNull());
    QCOMPARE(created.header("Location"), QString(QStringLiteral("/api/v1/rooms/") + id).toUtf8());
    QCOMPARE(created.header("ETag"), QByteArrayLiteral("\"1\""));
    QCOMPARE(room.value(QStringLiteral("code")).toString(), QStringLiteral("LOBBY-1"));
    QCOMPARE(room.value(QStringLiteral("name")).toString(), QStringLiteral("Main lobby"));
    QCOMPARE(room.value(QStringLiteral("typeCode")).toString(), QStringLiteral("CHAT"));
    QCOMPARE(room.value(QStringLiteral("status")).toString(), QStringLiteral("ACTIVE"));
    QCOMPARE(room.value(QStringLiteral("capacity")).toInt(), 42);
    QCOMPARE(room.value(QStringLiteral("ttlSec")).toInt(), 900);
    QCOMPARE(room.value(QStringLiteral("tags")).toArray(), (QJsonArray{"eu", "public"}));
    QCOMPARE(room.value(QStringLiteral("attributes")).toObject(),
             (QJsonObject{{"floor", "3"}, {"owner", "ops"}}));
    QCOMPARE(room.value(QStringLiteral("version")).toInt(), 1);
    QVERIFY(isoMs.match(room.value(QStringLiteral("createdAt")).toString()).hasMatch());
    QVERIFY(isoMs.match(room.value(QStringLiteral("updatedAt")).toString()).hasMatch());
    QVERIFY(!room.contains(QStringLiteral("tenantId")));
    QCOMPARE(roomCount(QStringLiteral("acme")), 1);

    // Read back by id (also upper-case), by code, through the Location header.
    for (const QString &key : {id, id.toUpper(), QStringLiteral("LOBBY-1")}) {
        const Reply got = send("GET", QStringLiteral("/api/v1/rooms/") + key, m_monitor);
        QCOMPARE(got.status, 200);
        QCOMPARE(got.json, room);
        QCOMPARE(got.header("ETag"), QByteArrayLiteral("\"1\""));
    }

    const Reply updated =
        send("PUT", QStringLiteral("/api/v1/rooms/LOBBY-1"), m_admin,
             compact({{"name", "Lobby"}, {"capacity", 60}, {"status", "CLOSED"}, {"version", 1}}));
    QCOMPARE(updated.status, 200);
    QCOMPARE(updated.header("ETag"), QByteArrayLiteral("\"2\""));
    QCOMPARE(updated.json.value(QStringLiteral("version")).toInt(), 2);
    QCOMPARE(updated.json.value(QStringLiteral("name")).toString(), QStringLiteral("Lobby"));
    QCOMPARE(updated.json.value(QStringLiteral("capacity")).toInt(), 60);
    QCOMPARE(updated.json.value(QStringLiteral("status")).toString(), QStringLiteral("CLOSED"));
    // Fields absent from the PUT keep their values.
    QCOMPARE(updated.json.value(QStringLiteral("ttlSec")).toInt(), 900);
    QCOMPARE(updated.json.value(QStringLiteral("tags")).toArray(), (QJsonArray{"eu", "public"}));
    QCOMPARE(updated.json.value(QStringLiteral("createdAt")),
             room.value(QStringLiteral("createdAt")));
    QVERIFY(updated.json.value(QStringLiteral("updatedAt")).toString() >=
            room.value(QStringLiteral("updatedAt")).toString());

    const Reply reread = send("GET", QStringLiteral("/api/v1/rooms/") + id, m_admin);
    QCOMPARE(reread.status, 200);
    QCOMPARE(reread.json, updated.json);

    const Reply deleted = send("DELETE", QStringLiteral("/api/v1/rooms/") + id, m_admin);
    QCOMPARE(deleted.status, 204);
    QVERIFY(deleted.body.isEmpty());
    QVERIFY(isProblem(send("GET", QStringLiteral("/api/v1/rooms/") + id, m_admin), 404));
    QCOMPARE(roomCount(QStringLiteral("acme")), 0);
}

void TestRoomsApi::defaultsFromType_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("ttlSec");
    QTest::newRow("WEBRTC") << "WEBRTC" << 50 << 7200;
    QTest::newRow("GAMING") << "GAMING" << 16 << 7200;
    QTest::newRow("MONITORING") << "MONITORING" << 10 << 86400;
    QTest::newRow("NOTIFICATION") << "NOTIFICATION" << 10000 << 1800;
}

void TestRoomsApi::defaultsFromType()
{
    QFETCH(QString, type);
    QFETCH(int, capacity);
    QFETCH(int, ttlSec);
    const Reply reply = createRoom(
        {{"code", QString(QStringLiteral("R-") + type)}, {"name", "Room"}, {"typeCode", type}});
    QCOMPARE(reply.status, 201);
    QCOMPARE(reply.json.value(QStringLiteral("capacity")).toInt(), capacity);
    QCOMPARE(reply.json.value(QStringLiteral("ttlSec")).toInt(), ttlSec);
    QCOMPARE(reply.json.value(QStringLiteral("status")).toString(), QStringLiteral("ACTIVE"));
    QCOMPARE(reply.json.value(QStringLiteral("tags")).toArray(), QJsonArray());
    QCOMPARE(reply.json.value(QStringLiteral("attributes")).toObject(), QJsonObject());
    QCOMPARE(reply.json.value(QStringLiteral("version")).toInt(), 1);

    // Only capacity given: the TTL still comes from the type.
    const Reply partial = createRoom({{"code", QString(QStringLiteral("P-") + type)},
                                      {"name", "Room"},
                                      {"typeCode", type},
                                      {"capacity", 7}});
    QCOMPARE(partial.status, 201);
    QCOMPARE(partial.json.value(QStringLiteral("capacity")).toInt(), 7);
    QCOMPARE(partial.json.value(QStringLiteral("ttlSec")).toInt(), ttlSec);
}

void TestRoomsApi::createValidation_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QString>("field");

    const QJsonObject valid{{"code", "OK-1"}, {"name", "Room"}, {"typeCode", "CHAT"}};
    const auto with = [&valid](const char *key, const QJsonValue &value) {
        QJsonObject body = valid;
        body.insert(QLatin1String(key), value);
        return body;
    };
    const auto without = [&valid](const char *key) {
        QJsonObject body = valid;
        body.remove(QLatin1String(key));
        return body;
    };

    QTest::newRow("code missing") << without("code") << "code";
    QTest::newRow("code lower case") << with("code", "lobby") << "code";
    QTest::newRow("code one char") << with("code", "A") << "code";
    QTest::newRow("code starts with dash") << with("code", "-AB") << "code";
    QTest::newRow("code with space") << with("code", "A B") << "code";
    QTest::newRow("code 65 chars") << with("code", QString(65, QLatin1Char('A'))) << "code";
    QTest::newRow("code is a number") << with("code", 12) << "code";
    QTest::newRow("name missing") << without("name") << "name";
    QTest::newRow("name blank") << with("name", "   ") << "name";
    QTest::newRow("name too long") << with("name", QString(201, QLatin1Char('n'))) << "name";
    QTest::newRow("name null") << with("name", QJsonValue()) << "name";
    QTest::newRow("typeCode missing") << without("typeCode") << "typeCode";
    QTest::newRow("typeCode unknown") << with("typeCode", "NOPE") << "typeCode";
    QTest::newRow("capacity zero") << with("capacity", 0) << "capacity";
    QTest::newRow("capacity negative") << with("capacity", -5) << "capacity";
    QTest::newRow("capacity string") << with("capacity", "10") << "capacity";
    QTest::newRow("capacity fraction") << with("capacity", 1.5) << "capacity";
    QTest::newRow("capacity huge") << with("capacity", 1e12) << "capacity";
    QTest::newRow("ttlSec zero") << with("ttlSec", 0) << "ttlSec";
    QTest::newRow("ttlSec bool") << with("ttlSec", true) << "ttlSec";
    QTest::newRow("status unknown") << with("status", "OPEN") << "status";
    QTest::newRow("tags not array") << with("tags", "eu") << "tags";
    QTest::newRow("tags number item") << with("tags", QJsonArray{"eu", 1}) << "tags";
    QTest::newRow("tags blank item") << with("tags", QJsonArray{" "}) << "tags";
    QTest::newRow("attributes array") << with("attributes", QJsonArray{}) << "attributes";
    QTest::newRow("attribute number")
        << with("attributes", QJsonObject{{"floor", 3}}) << "attributes.floor";
    QTest::newRow("unknown field") << with("colour", "blue") << "colour";
    QTest::newRow("id is server-owned") << with("id", "x") << "id";
    QTest::newRow("version is server-owned") << with("version", 1) << "version";
}

void TestRoomsApi::createValidation()
{
    QFETCH(QJsonObject, body);
    QFETCH(QString, field);
    const Reply reply = createRoom(body);
    QVERIFY(isProblem(reply, 422, field));
    QCOMPARE(roomCount(QStringLiteral("acme")), 0);
    QVERIFY(m_changed.isEmpty());
}

void TestRoomsApi::updateValidation_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("field");
    QTest::newRow("no version") << QJsonObject{{"name", "x"}} << 422 << "version";
    QTest::newRow("version string")
        << QJsonObject{{"name", "x"}, {"version", "1"}} << 422 << "version";
    QTest::newRow("code changed") << QJsonObject{{"code", "OTHER"}, {"version", 1}} << 422
                                  << "code";
    QTest::newRow("unknown type") << QJsonObject{{"typeCode", "NOPE"}, {"version", 1}} << 422
                                  << "typeCode";
    QTest::newRow("capacity wrong type")
        << QJsonObject{{"capacity", "big"}, {"version", 1}} << 422 << "capacity";
    QTest::newRow("capacity zero")
        << QJsonObject{{"capacity", 0}, {"version", 1}} << 422 << "capacity";
    QTest::newRow("unknown field")
        << QJsonObject{{"owner", "me"}, {"version", 1}} << 422 << "owner";
}

void TestRoomsApi::updateValidation()
{
    QFETCH(QJsonObject, body);
    QFETCH(int, status);
    QFETCH(QString, field);
    QCOMPARE(createRoom({{"code", "EDIT-ME"}, {"name", "Room"}, {"typeCode", "CHAT"}}).status, 201);
    m_changed.clear();
    const Reply reply =
        send("PUT", QStringLiteral("/api/v1/rooms/EDIT-ME"), m_admin, compact(body));
    QVERIFY(isProblem(reply, status, field));
    const Reply after = send("GET", QStringLiteral("/api/v1/rooms/EDIT-ME"), m_admin);
    QCOMPARE(after.json.value(QStringLiteral("version")).toInt(), 1);
    QCOMPARE(after.json.value(QStringLiteral("name")).toString(), QStringLiteral("Room"));
    QVERIFY(m_changed.isEmpty());
}

void TestRoomsApi::duplicateCode()
{
    QCOMPARE(createRoom({{"code", "DUP"}, {"name", "First"}, {"typeCode", "CHAT"}}).status, 201);
    const Reply second = createRoom({{"code", "DUP"}, {"name", "Second"}, {"typeCode", "GENERIC"}});
    QVERIFY(isProblem(second, 409, QStringLiteral("code")));
    QCOMPARE(roomCount(QStringLiteral("acme")), 1);
    const Reply kept = send("GET", QStringLiteral("/api/v1/rooms/DUP"), m_admin);
    QCOMPARE(kept.json.value(QStringLiteral("name")).toString(), QStringLiteral("First"));
    // Unique per tenant only.
    QCOMPARE(
        createRoom({{"code", "DUP"}, {"name", "Theirs"}, {"typeCode", "CHAT"}}, m_adminB).status,
        201);
}

void TestRoomsApi::staleVersionInBody()
{
    QCOMPARE(createRoom({{"code", "RACE"}, {"name", "v1"}, {"typeCode", "CHAT"}}).status, 201);
    const Reply first = send("PUT", QStringLiteral("/api/v1/rooms/RACE"), m_admin,
                             compact({{"name", "first admin"}, {"version", 1}}));
    QCOMPARE(first.status, 200);
    QCOMPARE(first.json.value(QStringLiteral("version")).toInt(), 2);

    const Reply second = send("PUT", QStringLiteral("/api/v1/rooms/RACE"), m_admin,
                              compact({{"name", "second admin"}, {"version", 1}}));
    QVERIFY(isProblem(second, 409, QStringLiteral("version")));
    QCOMPARE(second.json.value(QStringLiteral("currentVersion")).toInt(), 2);
    QVERIFY2(
        second.json.value(QStringLiteral("detail")).toString().contains(QLatin1String("version 2")),
        second.body.constData());
    QCOMPARE(second.header("ETag"), QByteArrayLiteral("\"2\""));

    const Reply after = send("GET", QStringLiteral("/api/v1/rooms/RACE"), m_admin);
    QCOMPARE(after.json.value(QStringLiteral("name")).toString(), QStringLiteral("first admin"));
    QCOMPARE(after.json.value(QStringLiteral("version")).toInt(), 2);
}

void TestRoomsApi::staleVersionInIfMatch()
{
    QCOMPARE(createRoom({{"code", "MATCH"}, {"name", "v1"}, {"typeCode", "CHAT"}}).status, 201);
    const QString path = QStringLiteral("/api/v1/rooms/MATCH");
    const Reply first =
        send("PUT", path, m_admin, compact({{"name", "v2"}}), {{"If-Match", "\"1\""}});
    QCOMPARE(first.status, 200);
    QCOMPARE(first.header("ETag"), QByteArrayLiteral("\"2\""));

    const Reply stale =
        send("PUT", path, m_admin, compact({{"name", "lost"}}), {{"If-Match", "\"1\""}});
    QVERIFY(isProblem(stale, 409, QStringLiteral("version")));
    QCOMPARE(stale.json.value(QStringLiteral("currentVersion")).toInt(), 2);
    QVERIFY(
        stale.json.value(QStringLiteral("detail")).toString().contains(QLatin1String("version 2")));

    // Header and body must agree.
    QVERIFY(isProblem(send("PUT", path, m_admin, compact({{"name", "x"}, {"version", 1}}),
                           {{"If-Match", "\"2\""}}),
                      422, QStringLiteral("version")));
    // A malformed If-Match is a client error, not a wildcard.
    QVERIFY(isProblem(send("PUT", path, m_admin, compact({{"name", "x"}}), {{"If-Match", "*"}}),
                      400, QStringLiteral("If-Match")));
    // Weak form of the current ETag is accepted.
    const Reply weak =
        send("PUT", path, m_admin, compact({{"name", "v3"}}), {{"If-Match", "W/\"2\""}});
    QCOMPARE(weak.status, 200);
    QCOMPARE(weak.json.value(QStringLiteral("version")).toInt(), 3);

    // A stale If-Match on DELETE is refused too and deletes nothing.
    QVERIFY(isProblem(send("DELETE", path, m_admin, {}, {{"If-Match", "\"2\""}}), 409,
                      QStringLiteral("version")));
    QCOMPARE(roomCount(QStringLiteral("acme")), 1);
    QCOMPARE(send("DELETE", path, m_admin, {}, {{"If-Match", "\"3\""}}).status, 204);
    QCOMPARE(roomCount(QStringLiteral("acme")), 0);
}

void TestRoomsApi::updateAcceptsGetRepresentation()
{
    const Reply created = createRoom({{"code", "ROUND"}, {"name", "Trip"}, {"typeCode", "EVENT"}});
    QCOMPARE(created.status, 201);
    QJsonObject edited = created.json; // id, createdAt, updatedAt and version included
    edited.insert(QStringLiteral("name"), QStringLiteral("Round trip"));
    edited.insert(QStringLiteral("tags"), QJsonArray{"a"});
    edited.insert(QStringLiteral("attributes"), QJsonObject{{"x", "y"}});
    const Reply updated =
        send("PUT", QStringLiteral("/api/v1/rooms/ROUND"), m_admin, compact(edited));
    QCOMPARE(updated.status, 200);
    QCOMPARE(updated.json.value(QStringLiteral("name")).toString(), QStringLiteral("Round trip"));
    QCOMPARE(updated.json.value(QStringLiteral("tags")).toArray(), QJsonArray{"a"});
    QCOMPARE(updated.json.value(QStringLiteral("id")), created.json.value(QStringLiteral("id")));
    QCOMPARE(updated.json.value(QStringLiteral("version")).toInt(), 2);
    QCOMPARE(updated.json.value(QStringLiteral("attributes")).toObject(),
             (QJsonObject{{"x", "y"}}));
    QCOMPARE(send("GET", QStringLiteral("/api/v1/rooms/ROUND/attributes"), m_monitor).json,
             (QJsonObject{{"x", "y"}}));

    // An unchanged PUT is not a new version.
    const Reply same =
        send("PUT", QStringLiteral("/api/v1/rooms/ROUND"), m_admin, compact(updated.json));
    QCOMPARE(same.status, 200);
    QCOMPARE(same.json.value(QStringLiteral("version")).toInt(), 2);
}

void TestRoomsApi::softDelete()
{
    const Reply created = createRoom({{"code", "GONE"}, {"name", "Old"}, {"typeCode", "CHAT"}});
    QCOMPARE(created.status, 201);
    const QString id = created.json.value(QStringLiteral("id")).toString();
    QCOMPARE(send("DELETE", QStringLiteral("/api/v1/rooms/GONE"), m_admin).status, 204);

    QVERIFY(isProblem(send("GET", QStringLiteral("/api/v1/rooms/GONE"), m_admin), 404));
    QVERIFY(isProblem(send("GET", QStringLiteral("/api/v1/rooms/") + id, m_admin), 404));
    QVERIFY(isProblem(send("GET", QStringLiteral("/api/v1/rooms/GONE/attributes"), m_admin), 404));
    QVERIFY(isProblem(send("DELETE", QStringLiteral("/api/v1/rooms/") + id, m_admin), 404));
    QVERIFY(isProblem(send("PUT", QStringLiteral("/api/v1/rooms/") + id, m_admin,
                           compact({{"name", "zombie"}, {"version", 2}})),
                      404));
    const Reply list = send("GET", QStringLiteral("/api/v1/rooms"), m_admin);
    QCOMPARE(list.json.value(QStringLiteral("total")).toInt(), 0);

    // Soft: the row is still there, marked deleted.
    QSqlQuery query(m_db->handle());
    query.prepare(QStringLiteral("SELECT deleted_at, version FROM dat_spd_room WHERE id = ?"));
    query.addBindValue(id);
    QVERIFY(query.exec());
    QVERIFY(query.next());
    QVERIFY(!query.value(0).isNull());
    QCOMPARE(query.value(1).toInt(), 2);

    // The code is free again, for a new room with a new id.
    const Reply again = createRoom({{"code", "GONE"}, {"name", "New"}, {"typeCode", "GENERIC"}});
    QCOMPARE(again.status, 201);
    QVERIFY(again.json.value(QStringLiteral("id")).toString() != id);
    QCOMPARE(send("GET", QStringLiteral("/api/v1/rooms/GONE"), m_admin)
                 .json.value(QStringLiteral("name"))
                 .toString(),
             QStringLiteral("New"));
}

void TestRoomsApi::listFiltersAndPaging()
{
    struct Seed
    {
        const char *code;
        const char *name;
        const char *type;
        QJsonArray tags;
    };
    const QList<Seed> seeds = {
        {"CHAT-01", "Lobby north", "CHAT", {"eu"}},
        {"CHAT-02", "Lobby south", "CHAT", {"eu", "vip"}},
        {"CHAT-03", "Kitchen", "CHAT", {"us"}},
        {"CHAT-04", "Garden", "CHAT", {}},
        {"CHAT-05", "50%_off", "CHAT", {}},
        {"CALL-01", "Standup", "WEBRTC", {"eu"}},
        {"CALL-02", "Retro LOBBY", "WEBRTC", {"us"}},
    };
    for (const Seed &seed : seeds)
        QCOMPARE(createRoom({{"code", seed.code},
                             {"name", seed.name},
                             {"typeCode", seed.type},
                             {"tags", seed.tags}})
                     .status,
                 201);
    QCOMPARE(send("POST", QStringLiteral("/api/v1/rooms/CALL-02/maintenance"), m_admin,
                  compact({{"enabled", true}}))
                 .status,
             200);
    // Another tenant's rooms never show up.
    QCOMPARE(createRoom({{"code", "CHAT-99"}, {"name", "Lobby B"}, {"typeCode", "CHAT"}}, m_adminB)
                 .status,
             201);

    const auto codes = [](const Reply &reply) {
        QStringList result;
        for (const QJsonValue &item : reply.json.value(QStringLiteral("items")).toArray())
            result.append(item.toObject().value(QStringLiteral("code")).toString());
        return result;
    };
    const auto list = [this](const QString &query) {
        return send("GET", QStringLiteral("/api/v1/rooms") + query, m_monitor);
    };

    Reply all = list(QString());
    QCOMPARE(all.status, 200);
    QCOMPARE(all.json.value(QStringLiteral("total")).toInt(), 7);
    QCOMPARE(codes(all), (QStringList{"CALL-01", "CALL-02", "CHAT-01", "CHAT-02", "CHAT-03",
                                      "CHAT-04", "CHAT-05"}));

    Reply page = list(QStringLiteral("?limit=2"));
    QCOMPARE(page.json.value(QStringLiteral("total")).toInt(), 7);
    QCOMPARE(codes(page), (QStringList{"CALL-01", "CALL-02"}));
    page = list(QStringLiteral("?offset=2&limit=3"));
    QCOMPARE(page.json.value(QStringLiteral("total")).toInt(), 7);
    QCOMPARE(codes(page), (QStringList{"CHAT-01", "CHAT-02", "CHAT-03"}));
    page = list(QStringLiteral("?offset=6&limit=3"));
    QCOMPARE(codes(page), QStringList{"CHAT-05"});
    page = list(QStringLiteral("?offset=20"));
    QCOMPARE(page.status, 200);
    QCOMPARE(page.json.value(QStringLiteral("total")).toInt(), 7);
    QVERIFY(codes(page).isEmpty());
    QCOMPARE(list(QStringLiteral("?limit=500")).json.value(QStringLiteral("total")).toInt(), 7);

    Reply filtered = list(QStringLiteral("?type=WEBRTC"));
    QCOMPARE(codes(filtered), (QStringList{"CALL-01", "CALL-02"}));
    QCOMPARE(filtered.json.value(QStringLiteral("total")).toInt(), 2);
    filtered = list(QStringLiteral("?status=MAINTENANCE"));
    QCOMPARE(codes(filtered), QStringList{"CALL-02"});
    filtered = list(QStringLiteral("?status=ACTIVE"));
    QCOMPARE(filtered.json.value(QStringLiteral("total")).toInt(), 6);
    filtered = list(QStringLiteral("?tag=eu"));
    QCOMPARE(codes(filtered), (QStringList{"CALL-01", "CHAT-01", "CHAT-02"}));
    filtered = list(QStringLiteral("?tag=eu&type=CHAT"));
    QCOMPARE(codes(filtered), (QStringList{"CHAT-01", "CHAT-02"}));
    filtered = list(QStringLiteral("?tag=e")); // whole tags only
    QVERIFY(codes(filtered).isEmpty());
    filtered = list(QStringLiteral("?q=lobby")); // case-insensitive, name
    QCOMPARE(codes(filtered), (QStringList{"CALL-02", "CHAT-01", "CHAT-02"}));
    filtered = list(QStringLiteral("?q=chat-0")); // code
    QCOMPARE(filtered.json.value(QStringLiteral("total")).toInt(), 5);
    filtered = list(QStringLiteral("?q=%25_")); // LIKE wildcards are literal
    QCOMPARE(codes(filtered), QStringList{"CHAT-05"});
    filtered = list(QStringLiteral("?q=lobby&limit=1&offset=1"));
    QCOMPARE(filtered.json.value(QStringLiteral("total")).toInt(), 3);
    QCOMPARE(codes(filtered), QStringList{"CHAT-01"});

    // Items are full rooms.
    const QJsonObject first = all.json.value(QStringLiteral("items")).toArray().first().toObject();
    QCOMPARE(first.value(QStringLiteral("typeCode")).toString(), QStringLiteral("WEBRTC"));
    QCOMPARE(first.value(QStringLiteral("capacity")).toInt(), 50);
    QCOMPARE(first.value(QStringLiteral("tags")).toArray(), QJsonArray{"eu"});

    const Reply other = send("GET", QStringLiteral("/api/v1/rooms"), m_adminB);
    QCOMPARE(codes(other), QStringList{"CHAT-99"});
}

void TestRoomsApi::searchNonAscii()
{
    QCOMPARE(createRoom({{"code", "OEKO"},
                         {"name", QStringLiteral("Caf\u00e9 \u00d6konomie")},
                         {"typeCode", "CHAT"}})
                 .status,
             201);
    QCOMPARE(createRoom({{"code", "PLAIN"}, {"name", "Plain"}, {"typeCode", "CHAT"}}).status, 201);
    const auto total = [this](const QString &q) {
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("q"), q);
        return send("GET", QStringLiteral("/api/v1/rooms?") + query.toString(QUrl::FullyEncoded),
                    m_monitor)
            .json.value(QStringLiteral("total"))
            .toInt();
    };
    // The exact spelling always matches; ASCII letters match in any case.
    QCOMPARE(total(QStringLiteral("\u00d6konomie")), 1);
    QCOMPARE(total(QStringLiteral("Caf\u00e9")), 1);
    QCOMPARE(total(QStringLiteral("CAF")), 1);
    QCOMPARE(total(QStringLiteral("CAF\u00e9 \u00d6")), 1);
    QCOMPARE(total(QStringLiteral("plain")), 1);
}

void TestRoomsApi::listRejectsBadParameters_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("field");
    QTest::newRow("limit 0") << "?limit=0"
                             << "limit";
    QTest::newRow("limit 501") << "?limit=501"
                               << "limit";
    QTest::newRow("limit text") << "?limit=ten"
                                << "limit";
    QTest::newRow("offset negative") << "?offset=-1"
                                     << "offset";
    QTest::newRow("offset text") << "?offset=x"
                                 << "offset";
    QTest::newRow("status unknown") << "?status=OPEN"
                                    << "status";
    QTest::newRow("type unknown") << "?type=NOPE"
                                  << "type";
}

void TestRoomsApi::listRejectsBadParameters()
{
    QFETCH(QString, query);
    QFETCH(QString, field);
    QVERIFY(isProblem(send("GET", QStringLiteral("/api/v1/rooms") + query, m_monitor), 400, field));
}

void TestRoomsApi::maintenanceToggle()
{
    QCOMPARE(createRoom({{"code", "FIX"}, {"name", "Room"}, {"typeCode", "SUPPORT"}}).status, 201);
    m_changed.clear();
    const QString path = QStringLiteral("/api/v1/rooms/FIX/maintenance");

    Reply reply = send("POST", path, m_admin, compact({{"enabled", true}}));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json.value(QStringLiteral("status")).toString(), QStringLiteral("MAINTENANCE"));
    QCOMPARE(reply.json.value(QStringLiteral("version")).toInt(), 2);
    QCOMPARE(reply.header("ETag"), QByteArrayLiteral("\"2\""));
    QCOMPARE(m_changed.size(), 1);
    QCOMPARE(toString(m_changed.last().status), QStringLiteral("MAINTENANCE"));
    QCOMPARE(m_changed.last().code, QStringLiteral("FIX"));

    // Already in maintenance: nothing changes.
    reply = send("POST", path, m_admin, compact({{"enabled", true}}));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json.value(QStringLiteral("version")).toInt(), 2);

    reply = send("POST", path, m_admin, compact({{"enabled", false}, {"version", 2}}));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json.value(QStringLiteral("status")).toString(), QStringLiteral("ACTIVE"));
    QCOMPARE(reply.json.value(QStringLiteral("version")).toInt(), 3);
    QCOMPARE(toString(m_changed.last().status), QStringLiteral("ACTIVE"));

    // A stale version is refused.
    QVERIFY(isProblem(send("POST", path, m_admin, compact({{"enabled", true}, {"version", 2}})),
                      409, QStringLiteral("version")));
    const Reply after = send("GET", QStringLiteral("/api/v1/rooms/FIX"), m_monitor);
    QCOMPARE(after.json.value(QStringLiteral("status")).toString(), QStringLiteral("ACTIVE"));
}

void TestRoomsApi::maintenanceValidation_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("field");
    QTest::newRow("missing") << QByteArray("{}") << 422 << "enabled";
    QTest::newRow("string") << QByteArray(R"({"enabled":"yes"})") << 422 << "enabled";
    QTest::newRow("number") << QByteArray(R"({"enabled":1})") << 422 << "enabled";
    QTest::newRow("unknown field") << QByteArray(R"({"enabled":true,"why":"x"})") << 422 << "why";
    QTest::newRow("not json") << QByteArray("enabled=true") << 400 << "";
}

void TestRoomsApi::maintenanceValidation()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, field);
    QCOMPARE(createRoom({{"code", "FIX"}, {"name", "Room"}, {"typeCode", "SUPPORT"}}).status, 201);
    QVERIFY(isProblem(send("POST", QStringLiteral("/api/v1/rooms/FIX/maintenance"), m_admin, body),
                      status, field));
    QCOMPARE(send("GET", QStringLiteral("/api/v1/rooms/FIX"), m_admin)
                 .json.value(QStringLiteral("status"))
                 .toString(),
             QStringLiteral("ACTIVE"));
}

void TestRoomsApi::attributesReplace()
{
    QCOMPARE(createRoom({{"code", "ATTR"},
                         {"name", "Room"},
                         {"typeCode", "CHAT"},
                         {"attributes", QJsonObject{{"a", "1"}, {"b", "2"}}}})
                 .status,
             201);
    const QString path = QStringLiteral("/api/v1/rooms/ATTR/attributes");
    Reply reply = send("GET", path, m_monitor);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json, (QJsonObject{{"a", "1"}, {"b", "2"}}));
    QCOMPARE(reply.header("ETag"), QByteArrayLiteral("\"1\""));

    m_changed.clear();
    reply = send("PUT", path, m_admin, compact({{"c", "3"}, {"a", "one"}}));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json, (QJsonObject{{"a", "one"}, {"c", "3"}}));
    QCOMPARE(reply.header("ETag"), QByteArrayLiteral("\"2\""));
    QCOMPARE(m_changed.size(), 1);
    QCOMPARE(m_changed.last().attributes,
             (QVariantMap{{QStringLiteral("a"), QStringLiteral("one")},
                          {QStringLiteral("c"), QStringLiteral("3")}}));

    QCOMPARE(send("GET", path, m_monitor).json, (QJsonObject{{"a", "one"}, {"c", "3"}}));
    const Reply room = send("GET", QStringLiteral("/api/v1/rooms/ATTR"), m_monitor);
    QCOMPARE(room.json.value(QStringLiteral("attributes")).toObject(),
             (QJsonObject{{"a", "one"}, {"c", "3"}}));
    QCOMPARE(room.json.value(QStringLiteral("version")).toInt(), 2);

    // Stored rows match (b is gone).
    QSqlQuery query(m_db->handle());
    QVERIFY(query.exec(QStringLiteral("SELECT attr_key FROM dat_spd_room_attr ORDER BY attr_key")));
    QStringList keys;
    while (query.next())
        keys.append(query.value(0).toString());
    QCOMPARE(keys, (QStringList{"a", "c"}));

    // Wrong types and shapes.
    QVERIFY(isProblem(send("PUT", path, m_admin, compact({{"x", 5}})), 422, QStringLiteral("x")));
    QVERIFY(isProblem(send("PUT", path, m_admin, QByteArray("[\"a\"]")), 400));
    QVERIFY(isProblem(send("PUT", path, m_admin, QByteArray("{\"a\":")), 400));
    // Stale If-Match.
    QVERIFY(isProblem(send("PUT", path, m_admin, compact({{"z", "1"}}), {{"If-Match", "\"1\""}}),
                      409, QStringLiteral("version")));
    // Empty object clears them all.
    reply = send("PUT", path, m_admin, QByteArray("{}"), {{"If-Match", "\"2\""}});
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json, QJsonObject());
    QCOMPARE(reply.header("ETag"), QByteArrayLiteral("\"3\""));
    QVERIFY(send("GET", path, m_monitor).json.isEmpty());
}

void TestRoomsApi::unauthorized_data()
{
    QTest::addColumn<QByteArray>("authorization");
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    auto expired = mintToken(keysFor(Secret), QStringLiteral("alice"), QStringLiteral("acme"),
                             {perm::Admin}, 60, now - 3600);
    auto foreign = mintToken(keysFor(OtherSecret), QStringLiteral("alice"), QStringLiteral("acme"),
                             {perm::Admin}, 3600, now);
    QVERIFY(expired.ok() && foreign.ok());
    QTest::newRow("missing") << QByteArray();
    QTest::newRow("garbage") << QByteArray("Bearer not.a.token");
    QTest::newRow("expired") << QByteArray("Bearer " + expired->toUtf8());
    QTest::newRow("wrong signature") << QByteArray("Bearer " + foreign->toUtf8());
    QTest::newRow("basic scheme") << QByteArray("Basic YWxpY2U6c2VjcmV0");
}

void TestRoomsApi::unauthorized()
{
    QFETCH(QByteArray, authorization);
    QCOMPARE(createRoom({{"code", "SAFE"}, {"name", "Room"}, {"typeCode", "CHAT"}}).status, 201);
    m_changed.clear();
    Headers headers;
    if (!authorization.isEmpty())
        headers.append({"Authorization", authorization});

    struct Call
    {
        QByteArray verb;
        QString path;
        QByteArray body;
    };
    const QList<Call> calls = {
        {"GET", QStringLiteral("/api/v1/rooms"), {}},
        {"GET", QStringLiteral("/api/v1/room-types"), {}},
        {"GET", QStringLiteral("/api/v1/rooms/SAFE"), {}},
        {"POST", QStringLiteral("/api/v1/rooms"),
         compact({{"code", "NEW"}, {"name", "x"}, {"typeCode", "CHAT"}})},
        {"PUT", QStringLiteral("/api/v1/rooms/SAFE"), compact({{"name", "x"}, {"version", 1}})},
        {"DELETE", QStringLiteral("/api/v1/rooms/SAFE"), {}},
        {"POST", QStringLiteral("/api/v1/rooms/SAFE/maintenance"), compact({{"enabled", true}})},
        {"PUT", QStringLiteral("/api/v1/rooms/SAFE/attributes"), compact({{"a", "b"}})},
    };
    for (const Call &call : calls) {
        const Reply reply = send(call.verb, call.path, QByteArray(), call.body, headers);
        QVERIFY2(isProblem(reply, 401),
                 qPrintable(QString::fromLatin1(call.verb) + QLatin1Char(' ') + call.path));
        QVERIFY(reply.header("WWW-Authenticate").startsWith("Bearer"));
    }
    QCOMPARE(roomCount(QStringLiteral("acme")), 1);
    const Reply safe = send("GET", QStringLiteral("/api/v1/rooms/SAFE"), m_admin);
    QCOMPARE(safe.json.value(QStringLiteral("version")).toInt(), 1);
    QVERIFY(m_changed.isEmpty());
    QVERIFY(m_deleted.isEmpty());
}

void TestRoomsApi::forbidden_data()
{
    QTest::addColumn<QString>("who");
    QTest::addColumn<QByteArray>("verb");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    const QByteArray create = compact({{"code", "NEW"}, {"name", "x"}, {"typeCode", "CHAT"}});
    QTest::newRow("monitor creates")
        << "monitor" << QByteArray("POST") << "/api/v1/rooms" << create;
    QTest::newRow("monitor updates") << "monitor" << QByteArray("PUT") << "/api/v1/rooms/SAFE"
                                     << compact({{"name", "x"}, {"version", 1}});
    QTest::newRow("monitor deletes")
        << "monitor" << QByteArray("DELETE") << "/api/v1/rooms/SAFE" << QByteArray();
    QTest::newRow("monitor maintenance")
        << "monitor" << QByteArray("POST") << "/api/v1/rooms/SAFE/maintenance"
        << compact({{"enabled", true}});
    QTest::newRow("monitor attributes") << "monitor" << QByteArray("PUT")
                                        << "/api/v1/rooms/SAFE/attributes" << compact({{"a", "b"}});
    QTest::newRow("user creates") << "user" << QByteArray("POST") << "/api/v1/rooms" << create;
    QTest::newRow("user lists") << "user" << QByteArray("GET") << "/api/v1/rooms" << QByteArray();
    QTest::newRow("user reads") << "user" << QByteArray("GET") << "/api/v1/rooms/SAFE"
                                << QByteArray();
    QTest::newRow("user reads types")
        << "user" << QByteArray("GET") << "/api/v1/room-types" << QByteArray();
    QTest::newRow("user reads attributes")
        << "user" << QByteArray("GET") << "/api/v1/rooms/SAFE/attributes" << QByteArray();
}

void TestRoomsApi::forbidden()
{
    QFETCH(QString, who);
    QFETCH(QByteArray, verb);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QCOMPARE(createRoom({{"code", "SAFE"}, {"name", "Room"}, {"typeCode", "CHAT"}}).status, 201);
    m_changed.clear();
    const QByteArray bearer = who == QLatin1String("monitor") ? m_monitor : m_user;
    const Reply reply = send(verb, path, bearer, body);
    QVERIFY(isProblem(reply, 403));
    QVERIFY(reply.header("WWW-Authenticate").isEmpty());
    // Nothing changed.
    const Reply safe = send("GET", QStringLiteral("/api/v1/rooms/SAFE"), m_monitor);
    QCOMPARE(safe.status, 200); // the monitor may read
    QCOMPARE(safe.json.value(QStringLiteral("version")).toInt(), 1);
    QCOMPARE(safe.json.value(QStringLiteral("status")).toString(), QStringLiteral("ACTIVE"));
    QCOMPARE(roomCount(QStringLiteral("acme")), 1);
    QVERIFY(m_changed.isEmpty());
    QVERIFY(m_deleted.isEmpty());
}

void TestRoomsApi::tenantIsolation()
{
    const Reply created = createRoom({{"code", "MINE"},
                                      {"name", "Acme room"},
                                      {"typeCode", "CHAT"},
                                      {"attributes", QJsonObject{{"k", "v"}}}});
    QCOMPARE(created.status, 201);
    const QString id = created.json.value(QStringLiteral("id")).toString();
    m_changed.clear();

    for (const QString &key : {id, QStringLiteral("MINE")}) {
        const QString path = QStringLiteral("/api/v1/rooms/") + key;
        QVERIFY(isProblem(send("GET", path, m_adminB), 404));
        QVERIFY(isProblem(send("PUT", path, m_adminB, compact({{"name", "pwned"}, {"version", 1}})),
                          404));
        QVERIFY(isProblem(send("DELETE", path, m_adminB), 404));
        QVERIFY(isProblem(send("POST", path + QStringLiteral("/maintenance"), m_adminB,
                               compact({{"enabled", true}})),
                          404));
        QVERIFY(isProblem(send("GET", path + QStringLiteral("/attributes"), m_adminB), 404));
        QVERIFY(isProblem(
            send("PUT", path + QStringLiteral("/attributes"), m_adminB, compact({{"k", "stolen"}})),
            404));
    }
    const Reply listB = send("GET", QStringLiteral("/api/v1/rooms?q=MINE"), m_adminB);
    QCOMPARE(listB.status, 200);
    QCOMPARE(listB.json.value(QStringLiteral("total")).toInt(), 0);
    QVERIFY(listB.json.value(QStringLiteral("items")).toArray().isEmpty());

    const Reply mine = send("GET", QStringLiteral("/api/v1/rooms/MINE"), m_admin);
    QCOMPARE(mine.json, created.json);
    QVERIFY(m_changed.isEmpty());
    QVERIFY(m_deleted.isEmpty());

    // Tenant B's own room with the same code is a different room.
    const Reply theirs =
        createRoom({{"code", "MINE"}, {"name", "Globex room"}, {"typeCode", "CHAT"}}, m_adminB);
    QCOMPARE(theirs.status, 201);
    QVERIFY(theirs.json.value(QStringLiteral("id")) != created.json.value(QStringLiteral("id")));
    QCOMPARE(send("GET", QStringLiteral("/api/v1/rooms/MINE"), m_admin)
                 .json.value(QStringLiteral("name"))
                 .toString(),
             QStringLiteral("Acme room"));
    QCOMPARE(send("GET", QStringLiteral("/api/v1/rooms/MINE"), m_adminB)
                 .json.value(QStringLiteral("name"))
                 .toString(),
             QStringLiteral("Globex room"));
    QCOMPARE(m_changed.size(), 1);
    QCOMPARE(m_changed.last().tenantId, QStringLiteral("globex"));
}

void TestRoomsApi::malformedJson_data()
{
    QTest::addColumn<QByteArray>("verb");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("post truncated")
        << QByteArray("POST") << "/api/v1/rooms" << QByteArray("{\"code\": \"X1\"");
    QTest::newRow("post array") << QByteArray("POST") << "/api/v1/rooms" << QByteArray("[1, 2]");
    QTest::newRow("post string") << QByteArray("POST") << "/api/v1/rooms" << QByteArray("\"room\"");
    QTest::newRow("post empty") << QByteArray("POST") << "/api/v1/rooms" << QByteArray();
    QTest::newRow("post trailing garbage")
        << QByteArray("POST") << "/api/v1/rooms" << QByteArray("{} {}");
    QTest::newRow("put truncated")
        << QByteArray("PUT") << "/api/v1/rooms/EXISTS" << QByteArray("{\"name\":");
}

void TestRoomsApi::malformedJson()
{
    QFETCH(QByteArray, verb);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QCOMPARE(createRoom({{"code", "EXISTS"}, {"name", "Room"}, {"typeCode", "CHAT"}}).status, 201);
    QVERIFY(isProblem(send(verb, path, m_admin, body), 400));
    QCOMPARE(roomCount(QStringLiteral("acme")), 1);
    QCOMPARE(send("GET", QStringLiteral("/api/v1/rooms/EXISTS"), m_admin)
                 .json.value(QStringLiteral("version"))
                 .toInt(),
             1);
}

void TestRoomsApi::methodNotAllowed_data()
{
    QTest::addColumn<QByteArray>("verb");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("allowed");
    QTest::newRow("PATCH room") << QByteArray("PATCH") << "/api/v1/rooms/X1" << QByteArray("PUT");
    QTest::newRow("POST room") << QByteArray("POST") << "/api/v1/rooms/X1" << QByteArray("DELETE");
    QTest::newRow("DELETE rooms") << QByteArray("DELETE") << "/api/v1/rooms" << QByteArray("POST");
    QTest::newRow("PUT rooms") << QByteArray("PUT") << "/api/v1/rooms" << QByteArray("GET");
    QTest::newRow("POST room-types")
        << QByteArray("POST") << "/api/v1/room-types" << QByteArray("GET");
    QTest::newRow("GET maintenance")
        << QByteArray("GET") << "/api/v1/rooms/X1/maintenance" << QByteArray("POST");
    QTest::newRow("DELETE attributes")
        << QByteArray("DELETE") << "/api/v1/rooms/X1/attributes" << QByteArray("PUT");
}

void TestRoomsApi::methodNotAllowed()
{
    QFETCH(QByteArray, verb);
    QFETCH(QString, path);
    QFETCH(QByteArray, allowed);
    QCOMPARE(createRoom({{"code", "X1"}, {"name", "Room"}, {"typeCode", "CHAT"}}).status, 201);
    const Reply reply = send(verb, path, m_admin, QByteArray("{}"));
    QVERIFY(isProblem(reply, 405));
    QVERIFY2(reply.header("Allow").contains(allowed), reply.header("Allow").constData());
    QVERIFY(!reply.header("Allow").contains(QByteArray(verb + ',')));
    QCOMPARE(roomCount(QStringLiteral("acme")), 1);
}

void TestRoomsApi::payloadTooLarge()
{
    QByteArray body = compact({{"code", "BIG"}, {"name", "Room"}, {"typeCode", "CHAT"}});
    body.insert(1, QByteArray("\"pad\":\"" + QByteArray(rest::MaxRequestBodyBytes, 'x') + "\","));
    QVERIFY(body.size() > rest::MaxRequestBodyBytes);
    QVERIFY(isProblem(send("POST", QStringLiteral("/api/v1/rooms"), m_admin, body), 413));
    QCOMPARE(roomCount(QStringLiteral("acme")), 0);

    // Just under the limit is parsed (and refused for its unknown field, not its size).
    QByteArray fits = compact({{"code", "BIG"}, {"name", "Room"}, {"typeCode", "CHAT"}});
    fits.insert(
        1, QByteArray("\"pad\":\"" + QByteArray(rest::MaxRequestBodyBytes - 200, 'x') + "\","));
    QVERIFY(fits.size() <= rest::MaxRequestBodyBytes);
    QVERIFY(isProblem(send("POST", QStringLiteral("/api/v1/rooms"), m_admin, fits), 422,
                      QStringLiteral("pad")));
}

void TestRoomsApi::callbacks()
{
    const Reply created = createRoom({{"code", "LIVE"}, {"name", "Live"}, {"typeCode", "GAMING"}});
    QCOMPARE(created.status, 201);
    const QString id = created.json.value(QStringLiteral("id")).toString();
    QCOMPARE(m_changed.size(), 1);
    QCOMPARE(m_changed.at(0).id, id);
    QCOMPARE(m_changed.at(0).tenantId, QStringLiteral("acme"));
    QCOMPARE(m_changed.at(0).capacity, 16);
    QCOMPARE(m_changed.at(0).version, 1);

    QCOMPARE(send("PUT", QStringLiteral("/api/v1/rooms/LIVE"), m_admin,
                  compact({{"capacity", 8}, {"version", 1}}))
                 .status,
             200);
    QCOMPARE(m_changed.size(), 2);
    QCOMPARE(m_changed.at(1).id, id);
    QCOMPARE(m_changed.at(1).capacity, 8);
    QCOMPARE(m_changed.at(1).version, 2);

    // Failed writes do not notify.
    QCOMPARE(send("PUT", QStringLiteral("/api/v1/rooms/LIVE"), m_admin,
                  compact({{"capacity", 9}, {"version", 1}}))
                 .status,
             409);
    QCOMPARE(m_changed.size(), 2);
    QVERIFY(m_deleted.isEmpty());

    QCOMPARE(send("DELETE", QStringLiteral("/api/v1/rooms/LIVE"), m_admin).status, 204);
    QCOMPARE(m_deleted.size(), 1);
    QCOMPARE(m_deleted.at(0).id, id);
    QCOMPARE(m_deleted.at(0).code, QStringLiteral("LIVE"));
    QCOMPARE(m_deleted.at(0).tenantId, QStringLiteral("acme"));
    QCOMPARE(m_changed.size(), 2);
}

void TestRoomsApi::auditRows()
{
    const Reply created = createRoom({{"code", "AUD"}, {"name", "Audited"}, {"typeCode", "CHAT"}});
    QCOMPARE(created.status, 201);
    const QString id = created.json.value(QStringLiteral("id")).toString();
    QCOMPARE(send("PUT", QStringLiteral("/api/v1/rooms/AUD"), m_admin,
                  compact({{"name", "Renamed"}, {"version", 1}}))
                 .status,
             200);
    QCOMPARE(send("POST", QStringLiteral("/api/v1/rooms/AUD/maintenance"), m_admin,
                  compact({{"enabled", true}}))
                 .status,
             200);
    QCOMPARE(
        send("PUT", QStringLiteral("/api/v1/rooms/AUD/attributes"), m_admin, compact({{"k", "v"}}))
            .status,
        200);
    QCOMPARE(send("DELETE", QStringLiteral("/api/v1/rooms/AUD"), m_admin).status, 204);
    // Refused writes leave no audit row.
    QCOMPARE(createRoom({{"code", "bad"}, {"name", "x"}, {"typeCode", "CHAT"}}).status, 422);
    QCOMPARE(createRoom({{"code", "OTHER"}, {"name", "x"}, {"typeCode", "CHAT"}}, m_monitor).status,
             403);

    QSqlQuery query(m_db->handle());
    QVERIFY(query.exec(QStringLiteral("SELECT tenant_id, actor, action, entity, entity_id, "
                                      "before_json, after_json, at FROM dat_spd_audit "
                                      "ORDER BY at, rowid")));
    struct Row
    {
        QString action;
        QJsonObject before;
        QJsonObject after;
    };
    QList<Row> rows;
    while (query.next()) {
        QCOMPARE(query.value(0).toString(), QStringLiteral("acme"));
        QCOMPARE(query.value(1).toString(), QStringLiteral("alice"));
        QCOMPARE(query.value(3).toString(), QStringLiteral("room"));
        QCOMPARE(query.value(4).toString(), id);
        QVERIFY(!query.value(7).toString().isEmpty());
        rows.append(Row{query.value(2).toString(),
                        QJsonDocument::fromJson(query.value(5).toString().toUtf8()).object(),
                        QJsonDocument::fromJson(query.value(6).toString().toUtf8()).object()});
    }
    QStringList actions;
    for (const Row &row : rows)
        actions.append(row.action);
    QCOMPARE(actions, (QStringList{"room.create", "room.update", "room.maintenance.on",
                                   "room.attributes", "room.delete"}));
    QVERIFY(rows.at(0).before.isEmpty());
    QCOMPARE(rows.at(0).after.value(QStringLiteral("name")).toString(), QStringLiteral("Audited"));
    QCOMPARE(rows.at(1).before.value(QStringLiteral("name")).toString(), QStringLiteral("Audited"));
    QCOMPARE(rows.at(1).after.value(QStringLiteral("name")).toString(), QStringLiteral("Renamed"));
    QCOMPARE(rows.at(2).after.value(QStringLiteral("status")).toString(),
             QStringLiteral("MAINTENANCE"));
    QCOMPARE(rows.at(3).after.value(QStringLiteral("attributes")).toObject(),
             (QJsonObject{{"k", "v"}}));
    QVERIFY(rows.at(4).after.contains(QStringLiteral("deletedAt")));
}

void TestRoomsApi::databaseClosedIs503()
{
    QCOMPARE(createRoom({{"code", "UP"}, {"name", "Room"}, {"typeCode", "CHAT"}}).status, 201);
    auto other =
        Database::open(DatabaseConfig{m_dbUrl, m_dir.path()}, QStringLiteral("rest-closed"));
    QVERIFY(other.ok());
    Database closed = other.value();
    closed.close();
    m_context.database = &closed;
    const auto restore = qScopeGuard([this] { m_context.database = &*m_db; });

    for (const auto &[verb, path] :
         {std::pair{QByteArray("GET"), QStringLiteral("/api/v1/rooms")},
          std::pair{QByteArray("GET"), QStringLiteral("/api/v1/rooms/UP")},
          std::pair{QByteArray("GET"), QStringLiteral("/api/v1/room-types")},
          std::pair{QByteArray("DELETE"), QStringLiteral("/api/v1/rooms/UP")}}) {
        const Reply reply = send(verb, path, m_admin);
        QVERIFY2(isProblem(reply, 503), qPrintable(path));
        QVERIFY(!reply.header("Retry-After").isEmpty());
    }
    m_context.database = &*m_db;
    QCOMPARE(send("GET", QStringLiteral("/api/v1/rooms/UP"), m_admin).status, 200);
    QVERIFY(m_deleted.isEmpty());
}

void TestRoomsApi::databaseBusyIs503()
{
    // Another connection holds the write lock; the REST write times out (busy_timeout_ms=200)
    // and must answer 503, not 500, and not crash.
    auto blocker =
        Database::open(DatabaseConfig{m_dbUrl, m_dir.path()}, QStringLiteral("rest-lock"));
    QVERIFY2(blocker.ok(), blocker.ok() ? "" : qPrintable(blocker.error().message));
    Database lock = blocker.value();
    const auto closeLock = qScopeGuard([&lock] { lock.close(); });
    {
        QSqlQuery begin(lock.handle());
        QVERIFY2(begin.exec(QStringLiteral("BEGIN IMMEDIATE")),
                 qPrintable(begin.lastError().text()));
    }
    const Reply busy = createRoom({{"code", "BUSY"}, {"name", "Room"}, {"typeCode", "CHAT"}});
    QVERIFY(isProblem(busy, 503));
    QVERIFY(m_changed.isEmpty());
    {
        QSqlQuery rollback(lock.handle());
        QVERIFY(rollback.exec(QStringLiteral("ROLLBACK")));
    }
    // Once the lock is gone the same request works.
    QCOMPARE(createRoom({{"code", "BUSY"}, {"name", "Room"}, {"typeCode", "CHAT"}}).status, 201);
    QCOMPARE(m_changed.size(), 1);
}

QTEST_MAIN(TestRoomsApi)
#include "tst_rooms_api.moc"
