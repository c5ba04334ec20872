// The OpenAPI document (GET /api/v1/openapi.json, SPEC section 5) against the real server:
//  - it is served without a token, as JSON, with this build's version;
//  - every documented operation is routed (never the server's "no resource at" 404), and the
//    status it answers for a request built from the document (unknown ids, empty bodies) is
//    one the document lists for that operation; without a token it is a 401 unless public,
//    and the permission it documents (x-spidi-permission) is the one the server asks for;
//  - third-party tools agree (openapi/validate.mjs, installed from npm by the test):
//    @apidevtools/swagger-parser validates the document against the OpenAPI 3.0 schema, and
//    Ajv validates real responses of the server (rooms, sessions, the roster, statistics,
//    alert rules and events, health, problems) against the schemas the document gives.
#include "node_package.h"
#include "server_process.h"
#include "ws_client.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace spidi::test;

namespace {

const QString kTenant = QStringLiteral("oapi");

bool isUnroutedNotFound(const HttpReply &reply)
{
    return reply.status == 404 && reply.json()
                                      .value(QLatin1String("detail"))
                                      .toString()
                                      .startsWith(QLatin1String("no resource at"));
}

} // namespace

class TestOpenApiInterop : public QObject
{
    Q_OBJECT

    QString m_dir = QStringLiteral(SPIDI_NODE_PACKAGE_DIR);
    ServerProcess m_server;
    QNetworkAccessManager m_http;
    QByteArray m_admin;
    QByteArray m_monitor;
    QByteArray m_device;
    QJsonObject m_document;
    QTemporaryDir m_work;

    HttpReply call(const QByteArray &verb, const QString &path, const QJsonObject &body = {},
                   const QByteArray &token = {})
    {
        // As the admin unless another token is given ("no-token": none at all).
        const QByteArray bearer = token.isEmpty()       ? m_admin
                                  : token == "no-token" ? QByteArray()
                                                        : token;
        return httpRequest(m_http, verb, m_server.httpUrl(path), bearer, body);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        const QString problem = installNodePackage(m_dir, QStringLiteral("ajv/package.json"));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY2(m_server.start(), qPrintable(m_server.errorText()));
        m_admin =
            m_server.token(QStringLiteral("oapi-admin"), kTenant, {QStringLiteral("spidi:admin")});
        m_monitor = m_server.token(QStringLiteral("oapi-monitor"), kTenant,
                                   {QStringLiteral("spidi:monitor")});
        m_device =
            m_server.token(QStringLiteral("oapi-device"), kTenant, {QStringLiteral("spidi:user")});
    }

    void servedWithoutTokenWithThisVersion()
    {
        const HttpReply reply =
            httpRequest(m_http, "GET", m_server.httpUrl(QStringLiteral("/api/v1/openapi.json")));
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.header("Content-Type").startsWith("application/json"));
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(reply.body, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        m_document = document.object();
        QCOMPARE(m_document.value("openapi").toString(), QStringLiteral("3.0.3"));
        QCOMPARE(m_document.value("info").toObject().value("version").toString(),
                 QStringLiteral(SPIDI_TEST_VERSION));
        QVERIFY(m_document.value("paths").toObject().size() >= 20);
        QFile file(m_work.filePath(QStringLiteral("openapi.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(reply.body);
    }

    // Every operation, called with what the document says (path parameters that name nothing,
    // an empty JSON object as the body): routed, and answered with a documented status.
    void everyOperationIsRoutedWithADocumentedStatus()
    {
        QVERIFY(!m_document.isEmpty());
        const QJsonObject paths = m_document.value("paths").toObject();
        const QRegularExpression parameter(QStringLiteral("\\{[^}]+\\}"));
        int operations = 0;
        for (auto p = paths.begin(); p != paths.end(); ++p) {
            QString path = p.key();
            path.replace(parameter, QStringLiteral("NO-SUCH-THING"));
            const QJsonObject item = p.value().toObject();
            for (auto m = item.begin(); m != item.end(); ++m) {
                if (m.key() == QLatin1String("parameters"))
                    continue;
                const QJsonObject operation = m.value().toObject();
                const QByteArray verb = m.key().toUpper().toLatin1();
                const bool hasBody = operation.contains(QLatin1String("requestBody"));
                // A body the server can read; for a room or a rule, one field short.
                const QJsonObject body =
                    hasBody ? QJsonObject{{QStringLiteral("name"), QStringLiteral("x")}}
                            : QJsonObject{};
                const HttpReply reply = call(verb, path, body);
                const QString label = QStringLiteral("%1 %2 → %3 %4")
                                          .arg(QString::fromLatin1(verb), path)
                                          .arg(reply.status)
                                          .arg(QString::fromUtf8(reply.body.left(200)));
                QVERIFY2(!isUnroutedNotFound(reply) && reply.status != 405, qPrintable(label));
                const QJsonObject responses = operation.value("responses").toObject();
                QVERIFY2(responses.contains(QString::number(reply.status)),
                         qPrintable(QStringLiteral("undocumented status: ") + label));

                // The permission it documents is the one the server asks for.
                const QString permission = operation.value("x-spidi-permission").toString();
                const bool isPublic = operation.value("security").toArray().isEmpty();
                const int anonymous = call(verb, path, body, "no-token").status;
                if (isPublic) {
                    QVERIFY2(anonymous != 401, qPrintable(QStringLiteral("public? ") + label));
                    QVERIFY(permission.isEmpty());
                } else {
                    QVERIFY2(anonymous == 401, qPrintable(QStringLiteral("no token: ") + label));
                    const int asMonitor = call(verb, path, body, m_monitor).status;
                    const int asDevice = call(verb, path, body, m_device).status;
                    if (permission == QLatin1String("spidi:admin")) {
                        QVERIFY2(asMonitor == 403, qPrintable(QStringLiteral("monitor: ") + label));
                    } else {
                        QCOMPARE(permission, QStringLiteral("spidi:monitor"));
                        QVERIFY2(asMonitor != 403, qPrintable(QStringLiteral("monitor: ") + label));
                        QVERIFY2(asDevice == 403, qPrintable(QStringLiteral("device: ") + label));
                    }
                }
                ++operations;
            }
        }
        QVERIFY(operations >= 29);
        qInfo("%d operations routed, each with a documented status", operations);
        // And a path the document does not have is not routed.
        QVERIFY(isUnroutedNotFound(call("GET", QStringLiteral("/api/v1/no-such-route"))));
    }

    // Real responses, recorded and checked against the document's schemas by Ajv.
    void realResponsesMatchTheSchemas()
    {
        QVERIFY(!m_document.isEmpty());
        QJsonArray samples;
        const auto record = [&samples](const char *operationId, const HttpReply &reply) {
            const QJsonDocument body = QJsonDocument::fromJson(reply.body);
            samples.append(QJsonObject{
                {QStringLiteral("operationId"), QLatin1String(operationId)},
                {QStringLiteral("status"), reply.status},
                {QStringLiteral("contentType"), QString::fromLatin1(reply.header("Content-Type"))},
                {QStringLiteral("body"), body.isObject()  ? QJsonValue(body.object())
                                         : body.isArray() ? QJsonValue(body.array())
                                         : reply.body.isEmpty()
                                             ? QJsonValue(QJsonValue::Null)
                                             : QJsonValue(QString::fromUtf8(reply.body))}});
        };

        const HttpReply created = call("POST", QStringLiteral("/api/v1/rooms"),
                                       {{"code", "OAPI-1"},
                                        {"name", "OpenAPI room"},
                                        {"typeCode", "GENERIC"},
                                        {"capacity", 2},
                                        {"tags", QJsonArray{"eu"}},
                                        {"attributes", QJsonObject{{"floor", "3"}}}});
        QCOMPARE(created.status, 201);
        record("createRoom", created);
        const QString roomId = created.json().value("id").toString();
        record("listRoomTypes", call("GET", QStringLiteral("/api/v1/room-types")));
        record("listRooms", call("GET", QStringLiteral("/api/v1/rooms")));
        record("getRoom", call("GET", QStringLiteral("/api/v1/rooms/OAPI-1")));
        record("getRoomAttributes", call("GET", QStringLiteral("/api/v1/rooms/OAPI-1/attributes")));
        record("updateRoom", call("PUT", QStringLiteral("/api/v1/rooms/OAPI-1"),
                                  {{"name", "OpenAPI room, renamed"}, {"version", 1}}));
        record("updateRoom", call("PUT", QStringLiteral("/api/v1/rooms/OAPI-1"),
                                  {{"name", "stale"}, {"version", 1}})); // 409
        record("createRoom", call("POST", QStringLiteral("/api/v1/rooms"), {{"code", "x"}}));

        // A CRITICAL capacity rule at 40 %: one device of two fires it.
        const HttpReply rule = call("POST", QStringLiteral("/api/v1/alerts/rules"),
                                    {{"name", "OpenAPI busy"},
                                     {"type", "CAPACITY"},
                                     {"threshold", 0.4},
                                     {"severity", "CRITICAL"},
                                     {"scope", QJsonObject{{"roomId", roomId}}}});
        QCOMPARE(rule.status, 201);
        record("createAlertRule", rule);
        const QString ruleId = rule.json().value("id").toString();
        record("getAlertRule", call("GET", QStringLiteral("/api/v1/alerts/rules/") + ruleId));
        record("listAlertRules", call("GET", QStringLiteral("/api/v1/alerts/rules")));
        record("validateAlertExpression",
               call("POST", QStringLiteral("/api/v1/alerts/rules/validate"),
                    {{"expression", "online > 100 && p95LatencyMs > 300"}}));
        record("validateAlertExpression",
               call("POST", QStringLiteral("/api/v1/alerts/rules/validate"),
                    {{"expression", "online >"}})); // 422

        WsClient device;
        QVERIFY(device.open(m_server.wsUrl(), m_server.token(QStringLiteral("dave"), kTenant,
                                                             {QStringLiteral("spidi:user")})));
        const auto ack = device.request({{"type", "HELLO"},
                                         {"roomCode", "OAPI-1"},
                                         {"clientId", "phone-7"},
                                         {"appVersion", "2.4.1"},
                                         {"device", "Pixel 8"},
                                         {"os", "Android 14"}});
        QVERIFY(ack);
        const QString sessionId = ack->value("sessionId").toString();
        QVERIFY(
            device.request({{"type", "HEARTBEAT"}, {"sessionId", sessionId}, {"latencyMs", 38}}));
        record("listRoomSessions", call("GET", QStringLiteral("/api/v1/rooms/OAPI-1/sessions")));
        record("listUserSessions", call("GET", QStringLiteral("/api/v1/users/dave/sessions")));
        record("getRoomRosterAt",
               call("GET", QStringLiteral("/api/v1/rooms/OAPI-1/roster?at=") +
                               QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)));
        record("getRoomStats", call("GET", QStringLiteral("/api/v1/rooms/OAPI-1/stats")));
        record("getStatsSummary", call("GET", QStringLiteral("/api/v1/stats/summary")));

        HttpReply events;
        QTRY_VERIFY_WITH_TIMEOUT(
            (events = call("GET", QStringLiteral("/api/v1/alerts/events?state=FIRING")),
             events.json().value("total").toInt() == 1),
            10000);
        record("listAlertEvents", events);
        const QString eventId =
            events.json().value("items").toArray().first().toObject().value("id").toString();
        record("getAlertEvent", call("GET", QStringLiteral("/api/v1/alerts/events/") + eventId));
        record("acknowledgeAlertEvent",
               call("POST", QStringLiteral("/api/v1/alerts/events/%1/ack").arg(eventId),
                    {{"comment", "looking"}}));
        record("acknowledgeAlertEvent",
               call("POST", QStringLiteral("/api/v1/alerts/events/%1/ack").arg(eventId))); // 409
        record("resolveAlertEvent",
               call("POST", QStringLiteral("/api/v1/alerts/events/%1/resolve").arg(eventId)));

        record("kickSession", call("DELETE", QStringLiteral("/api/v1/sessions/") + sessionId));
        record(
            "setRoomMaintenance",
            call("POST", QStringLiteral("/api/v1/rooms/OAPI-1/maintenance"), {{"enabled", true}}));
        record("replaceRoomAttributes",
               call("PUT", QStringLiteral("/api/v1/rooms/OAPI-1/attributes"), {{"floor", "4"}}));
        record("getRoom", call("GET", QStringLiteral("/api/v1/rooms/OAPI-1"), {},
                               "not-a-token")); // 401
        record("getRoom", call("GET", QStringLiteral("/api/v1/rooms/OAPI-1"), {},
                               m_server.token(QStringLiteral("dave"), kTenant,
                                              {QStringLiteral("spidi:user")}))); // 403
        record("deleteAlertRule", call("DELETE", QStringLiteral("/api/v1/alerts/rules/") + ruleId));
        record("deleteRoom", call("DELETE", QStringLiteral("/api/v1/rooms/OAPI-1")));
        record("getRoom", call("GET", QStringLiteral("/api/v1/rooms/OAPI-1"))); // 404
        record("getHealth",
               httpRequest(m_http, "GET", m_server.httpUrl(QStringLiteral("/health"))));
        record("getMetrics",
               httpRequest(m_http, "GET", m_server.httpUrl(QStringLiteral("/metrics"))));

        QFile file(m_work.filePath(QStringLiteral("samples.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(samples).toJson());
        file.close();
        const ProcessRun check =
            runProcess(QStringLiteral("node"),
                       {m_dir + QStringLiteral("/validate.mjs"),
                        m_work.filePath(QStringLiteral("openapi.json")), file.fileName()},
                       m_dir, 60000);
        qInfo().noquote() << QString::fromUtf8(check.out).trimmed();
        QVERIFY2(check.exitCode == 0,
                 qPrintable(QString::fromUtf8(check.out + '\n' + check.err.right(3000))));
        const QByteArray summary = QByteArray::number(samples.size()) + " responses checked";
        QVERIFY(check.out.contains(summary));
    }
};

QTEST_GUILESS_MAIN(TestOpenApiInterop)
#include "tst_openapi_interop.moc"
