// Alerts end to end (issue 5, SPEC section 7): an admin creates a rule over REST, a crowd of
// real WebSocket devices fills the room, and the rule fires once to an `alerts` subscriber, a
// webhook listener and an SMTP listener, then resolves when the crowd leaves. Also: the rules
// REST API (validation, versions, tenants), acknowledging and resolving by hand, and delivery
// failures recorded on the event. Runs on the embedded default, and (SPIDI_E2E_SETUP=cluster)
// on two instances sharing Redis and PostgreSQL, where exactly one of them evaluates.
#include "deployment.h"
#include "fake_smtp_server.h"
#include "http_listener.h"
#include "presence_messages.h"
#include "server_process.h"
#include "ws_client.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace spidi::test;
using namespace spidi::test::msg;

namespace {

const QString kTenant = QStringLiteral("acme");
const QString kOtherTenant = QStringLiteral("globex");

bool isAlert(const QJsonObject &m, const QString &transition, const QString &ruleName = {})
{
    return m.value(QStringLiteral("type")).toString() == QLatin1String("ALERT") &&
           m.value(QStringLiteral("transition")).toString() == transition &&
           (ruleName.isEmpty() || m.value(QStringLiteral("event"))
                                          .toObject()
                                          .value(QStringLiteral("ruleName"))
                                          .toString() == ruleName);
}

QJsonObject deliveryOf(const QJsonObject &event, const QString &channel, const QString &kind)
{
    for (const QJsonValue &value : event.value(QStringLiteral("notifications")).toArray()) {
        const QJsonObject record = value.toObject();
        if (record.value(QStringLiteral("channel")).toString() == channel &&
            record.value(QStringLiteral("kind")).toString() == kind)
            return record;
    }
    return {};
}

} // namespace

class TestAlertsE2e : public QObject
{
    Q_OBJECT

private:
    Deployment m_deployment;
    ServerProcess *m_devices = nullptr;   // where devices connect
    ServerProcess *m_dashboard = nullptr; // where the console and REST clients connect
    QNetworkAccessManager m_http;
    HttpListener m_webhook;
    FakeSmtpServer m_smtp;
    QByteArray m_admin, m_monitor, m_device, m_otherAdmin, m_otherMonitor;

    QUrl api(const QString &path) const
    {
        return m_dashboard->httpUrl(QStringLiteral("/api/v1") + path);
    }

    bool createRoom(const QString &code, int capacity)
    {
        const HttpReply reply = httpRequest(m_http, "POST", api(QStringLiteral("/rooms")), m_admin,
                                            {{QStringLiteral("code"), code},
                                             {QStringLiteral("name"), code},
                                             {QStringLiteral("typeCode"), QStringLiteral("CHAT")},
                                             {QStringLiteral("capacity"), capacity}});
        if (reply.status != 201)
            qWarning("create room %s: %d %s", qPrintable(code), reply.status,
                     reply.body.constData());
        return reply.status == 201;
    }

    HttpReply createRule(const QJsonObject &rule, const QByteArray &token = {})
    {
        return httpRequest(m_http, "POST", api(QStringLiteral("/alerts/rules")),
                           token.isEmpty() ? m_admin : token, rule);
    }

    // `count` devices join `room` on the device instance; returns their session ids.
    QStringList crowd(std::vector<std::unique_ptr<WsClient>> &clients, const QString &room,
                      int count)
    {
        QStringList sessions;
        for (int i = 0; i < count; ++i) {
            auto client = std::make_unique<WsClient>();
            if (!client->open(m_devices->wsUrl(), m_device))
                return {};
            const auto ack =
                client->request(hello(room, QStringLiteral("%1-device-%2").arg(room).arg(i)));
            if (typeOf(ack) != QLatin1String("ACK"))
                return {};
            sessions.append(ack->value(QStringLiteral("sessionId")).toString());
            clients.push_back(std::move(client));
        }
        return sessions;
    }

    void leaveAll(std::vector<std::unique_ptr<WsClient>> &clients, const QStringList &sessions)
    {
        for (size_t i = 0; i < clients.size(); ++i)
            clients[i]->request(leave(sessions.at(qsizetype(i))));
    }

    QJsonObject eventById(const QString &id, const QByteArray &token = {})
    {
        return httpRequest(m_http, "GET", api(QStringLiteral("/alerts/events/") + id),
                           token.isEmpty() ? m_monitor : token)
            .json();
    }

    // Sum over the instances: in a cluster, whichever holds the lease fired it.
    double metricOnAllInstances(const QString &name)
    {
        double total = 0;
        for (int i = 0; i < (m_deployment.setup() == Setup::Cluster ? 2 : 1); ++i) {
            const HttpReply reply = httpRequest(
                m_http, "GET", m_deployment.instance(i).httpUrl(QStringLiteral("/metrics")));
            total += std::max(0.0, metricValue(reply.body, name));
        }
        return total;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariableIsEmpty("SPIDI_SERVER_BIN"), "SPIDI_SERVER_BIN not set");
        QVERIFY(m_webhook.isListening());
        QVERIFY(m_smtp.isListening());
        const Setup setup = Deployment::setupFromEnvironment();
        qInfo("set-up: %s", qPrintable(Deployment::name(setup)));
        QVERIFY2(m_deployment.start(
                     setup, {QStringLiteral("--alert-interval"), QStringLiteral("1"),
                             QStringLiteral("--smtp-host"), QStringLiteral("127.0.0.1"),
                             QStringLiteral("--smtp-port"), QString::number(m_smtp.port()),
                             QStringLiteral("--smtp-from"), QStringLiteral("spidi@example.org")}),
                 qPrintable(m_deployment.errorText()));
        m_devices = &m_deployment.device();
        m_dashboard = &m_deployment.dashboard();
        m_admin =
            m_devices->token(QStringLiteral("alice"), kTenant, {QStringLiteral("spidi:admin")});
        m_monitor =
            m_devices->token(QStringLiteral("mona"), kTenant, {QStringLiteral("spidi:monitor")});
        m_device =
            m_devices->token(QStringLiteral("dave"), kTenant, {QStringLiteral("spidi:user")});
        m_otherAdmin = m_devices->token(QStringLiteral("oscar"), kOtherTenant,
                                        {QStringLiteral("spidi:admin")});
        m_otherMonitor = m_devices->token(QStringLiteral("otto"), kOtherTenant,
                                          {QStringLiteral("spidi:monitor")});
    }

    void cleanupTestCase() { QVERIFY(m_deployment.terminateAll()); }

    // The "done when".
    void capacityRuleFiresOnceEverywhereThenResolves()
    {
        QVERIFY(createRoom(QStringLiteral("ARENA"), 10));
        WsClient console;
        QVERIFY(console.open(m_dashboard->wsUrl(), m_monitor));
        QCOMPARE(typeOf(console.request(subscribe(QStringLiteral("alerts")))),
                 QStringLiteral("SUBSCRIBED"));
        WsClient otherTenant;
        QVERIFY(otherTenant.open(m_dashboard->wsUrl(), m_otherMonitor));
        QCOMPARE(typeOf(otherTenant.request(subscribe(QStringLiteral("alerts")))),
                 QStringLiteral("SUBSCRIBED"));

        const HttpReply created = createRule(QJsonObject{
            {QStringLiteral("name"), QStringLiteral("Arena almost full")},
            {QStringLiteral("type"), QStringLiteral("CAPACITY")},
            {QStringLiteral("threshold"), 0.8},
            {QStringLiteral("severity"), QStringLiteral("CRITICAL")},
            {QStringLiteral("scope"),
             QJsonObject{{QStringLiteral("roomId"), QStringLiteral("ARENA")}}},
            {QStringLiteral("channels"),
             QJsonArray{
                 QJsonObject{{QStringLiteral("type"), QStringLiteral("inapp")}},
                 QJsonObject{{QStringLiteral("type"), QStringLiteral("webhook")},
                             {QStringLiteral("url"),
                              m_webhook.url(QStringLiteral("/hooks/T0/B0/secret")).toString()}},
                 QJsonObject{{QStringLiteral("type"), QStringLiteral("email")},
                             {QStringLiteral("to"), QStringLiteral("noc@example.org")}}}}});
        QCOMPARE(created.status, 201);
        const QJsonObject rule = created.json();
        QCOMPARE(rule.value(QStringLiteral("forSec")).toInt(), 0);
        QCOMPARE(rule.value(QStringLiteral("cooldownSec")).toInt(), 300); // the default
        QCOMPARE(rule.value(QStringLiteral("version")).toInt(), 1);
        // The scope named the room by code; the rule keeps its id.
        QVERIFY(!rule.value(QStringLiteral("scope"))
                     .toObject()
                     .value(QStringLiteral("roomId"))
                     .toString()
                     .isEmpty());
        QVERIFY(rule.value(QStringLiteral("scope")).toObject().value(QStringLiteral("roomId")) !=
                QJsonValue(QStringLiteral("ARENA")));

        // 8 of 10 is exactly the threshold: not above it.
        std::vector<std::unique_ptr<WsClient>> devices;
        QStringList sessions = crowd(devices, QStringLiteral("ARENA"), 8);
        QCOMPARE(sessions.size(), 8);
        QVERIFY(!console.waitFor(
            [](const QJsonObject &m) { return isAlert(m, QStringLiteral("FIRED")); }, 2500));
        // The ninth device tips it over.
        std::vector<std::unique_ptr<WsClient>> more;
        sessions += crowd(more, QStringLiteral("ARENA"), 1);
        QCOMPARE(sessions.size(), 9);
        const auto fired = console.waitFor(
            [](const QJsonObject &m) { return isAlert(m, QStringLiteral("FIRED")); }, 10000);
        QVERIFY(fired);
        QVERIFY(fired->value(QStringLiteral("notify")).toBool());
        const QJsonObject event = fired->value(QStringLiteral("event")).toObject();
        QCOMPARE(event.value(QStringLiteral("state")).toString(), QStringLiteral("FIRING"));
        QCOMPARE(event.value(QStringLiteral("ruleId")).toString(), rule.value("id").toString());
        QCOMPARE(event.value(QStringLiteral("roomCode")).toString(), QStringLiteral("ARENA"));
        QCOMPARE(event.value(QStringLiteral("severity")).toString(), QStringLiteral("CRITICAL"));
        QCOMPARE(event.value(QStringLiteral("value")).toDouble(), 0.9);
        QCOMPARE(event.value(QStringLiteral("threshold")).toDouble(), 0.8);
        QCOMPARE(event.value(QStringLiteral("message")).toString(),
                 QStringLiteral("ARENA is at 90 % of its capacity (9 of 10 online), above 80 %"));
        const QString eventId = event.value(QStringLiteral("id")).toString();

        // Webhook: one POST with a Slack-compatible text and the event.
        QTRY_COMPARE_WITH_TIMEOUT(m_webhook.requestCount(), 1, 10000);
        const HttpRequestRecord &post = m_webhook.requests().constFirst();
        QCOMPARE(post.method, QByteArray("POST"));
        QCOMPARE(post.path, QByteArray("/hooks/T0/B0/secret"));
        QVERIFY(post.header("Content-Type").startsWith("application/json"));
        const QJsonObject payload = QJsonDocument::fromJson(post.body).object();
        QCOMPARE(payload.value(QStringLiteral("transition")).toString(), QStringLiteral("FIRED"));
        QCOMPARE(payload.value(QStringLiteral("text")).toString(),
                 QStringLiteral("[CRITICAL] FIRING Arena almost full in ARENA: ARENA is at 90 % of "
                                "its capacity (9 of 10 online), above 80 %"));
        QCOMPARE(payload.value(QStringLiteral("event")).toObject().value("id").toString(), eventId);

        // E-mail: one message to the channel's recipient.
        QTRY_COMPARE_WITH_TIMEOUT(m_smtp.messageCount(), 1, 10000);
        const SmtpMessageRecord &mail = m_smtp.messages().constFirst();
        QCOMPARE(mail.from, QByteArray("spidi@example.org"));
        QCOMPARE(mail.to, QList<QByteArray>{"noc@example.org"});
        QVERIFY2(mail.data.contains("Subject: [Spidi CRITICAL] FIRING: Arena almost full in ARENA"),
                 mail.data.constData());
        QVERIFY(mail.data.contains(eventId.toUtf8()));

        // The event records every delivery.
        QTRY_VERIFY_WITH_TIMEOUT(
            deliveryOf(eventById(eventId), QStringLiteral("email"), QStringLiteral("FIRED"))
                    .value(QStringLiteral("status"))
                    .toString() == QLatin1String("DELIVERED"),
            10000);
        const QJsonObject stored = eventById(eventId);
        const QJsonObject webhookRecord =
            deliveryOf(stored, QStringLiteral("webhook"), QStringLiteral("FIRED"));
        QCOMPARE(webhookRecord.value(QStringLiteral("status")).toString(),
                 QStringLiteral("DELIVERED"));
        QCOMPARE(webhookRecord.value(QStringLiteral("attempts")).toInt(), 1);
        // The secret part of the webhook url is never stored.
        QVERIFY(!webhookRecord.value(QStringLiteral("target"))
                     .toString()
                     .contains(QLatin1String("secret")));

        // More devices and heartbeats while it fires: no second event, no second notification.
        std::vector<std::unique_ptr<WsClient>> extra;
        sessions += crowd(extra, QStringLiteral("ARENA"), 1);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(typeOf(devices[0]->request(heartbeat(sessions.constFirst(), 20))),
                     QStringLiteral("HEARTBEAT_ACK"));
        const HttpReply firing =
            httpRequest(m_http, "GET",
                        api(QStringLiteral("/alerts/events?state=FIRING,ACKNOWLEDGED&ruleId=") +
                            rule.value("id").toString()),
                        m_monitor);
        QCOMPARE(firing.status, 200);
        QCOMPARE(firing.json().value(QStringLiteral("total")).toInt(), 1);
        const QJsonObject summary =
            httpRequest(m_http, "GET", api(QStringLiteral("/stats/summary")), m_monitor).json();
        QCOMPARE(summary.value(QStringLiteral("alerts"))
                     .toObject()
                     .value(QStringLiteral("firing"))
                     .toInt(),
                 1);
        QCOMPARE(summary.value(QStringLiteral("alerts"))
                     .toObject()
                     .value(QStringLiteral("openBySeverity"))
                     .toObject()
                     .value(QStringLiteral("CRITICAL"))
                     .toInt(),
                 1);

        // The crowd leaves: resolved, once, everywhere that was told of the firing.
        for (auto *group : {&devices, &more, &extra}) {
            for (auto &client : *group)
                client->request(leave(sessions.takeFirst()));
        }
        const auto resolved = console.waitFor(
            [](const QJsonObject &m) { return isAlert(m, QStringLiteral("RESOLVED")); }, 10000);
        QVERIFY(resolved);
        const QJsonObject closed = resolved->value(QStringLiteral("event")).toObject();
        QCOMPARE(closed.value(QStringLiteral("id")).toString(), eventId);
        QCOMPARE(closed.value(QStringLiteral("state")).toString(), QStringLiteral("RESOLVED"));
        QVERIFY(closed.value(QStringLiteral("resolvedBy")).isNull()); // the condition cleared
        QTRY_COMPARE_WITH_TIMEOUT(m_webhook.requestCount(), 2, 10000);
        QCOMPARE(QJsonDocument::fromJson(m_webhook.requests().at(1).body)
                     .object()
                     .value(QStringLiteral("transition"))
                     .toString(),
                 QStringLiteral("RESOLVED"));
        QTRY_COMPARE_WITH_TIMEOUT(m_smtp.messageCount(), 2, 10000);
        QVERIFY(m_smtp.messages().at(1).data.contains("RESOLVED: Arena almost full"));

        // Exactly one FIRED and one RESOLVED reached the subscriber; the other tenant saw none.
        int firedCount = 0;
        for (const QJsonObject &m : console.received())
            firedCount += isAlert(m, QStringLiteral("FIRED")) ? 1 : 0;
        QCOMPARE(firedCount, 0); // waitFor consumed the one there was
        QVERIFY(!otherTenant.waitFor(
            [](const QJsonObject &m) {
                return m.value(QStringLiteral("type")).toString() == QLatin1String("ALERT");
            },
            200));
        QCOMPARE(metricOnAllInstances(QStringLiteral(
                     "spidi_alerts_triggered_total{severity=\"CRITICAL\",type=\"CAPACITY\"}")),
                 1.0);
        QCOMPARE(metricOnAllInstances(QStringLiteral(
                     "spidi_alert_notifications_total{channel=\"webhook\",outcome=\"delivered\"}")),
                 2.0);

        // A new subscriber gets the open events as a snapshot: none now.
        WsClient late;
        QVERIFY(late.open(m_dashboard->wsUrl(), m_monitor));
        QCOMPARE(typeOf(late.request(subscribe(QStringLiteral("alerts")))),
                 QStringLiteral("SUBSCRIBED"));
        QVERIFY(!late.waitFor(
            [](const QJsonObject &m) { return isAlert(m, QStringLiteral("SNAPSHOT")); }, 300));
    }

    void rulesApiValidatesAndIsolatesTenants()
    {
        // An invalid expression: 422 pointing at the error.
        HttpReply bad = createRule(QJsonObject{
            {QStringLiteral("name"), QStringLiteral("Broken")},
            {QStringLiteral("type"), QStringLiteral("CUSTOM")},
            {QStringLiteral("expression"), QStringLiteral("online > 100 && p95LatencyMs >")},
            {QStringLiteral("scope"), QJsonObject{{QStringLiteral("all"), true}}}});
        QCOMPARE(bad.status, 422);
        QCOMPARE(bad.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(bad.json().value(QStringLiteral("field")).toString(),
                 QStringLiteral("expression"));
        QVERIFY2(
            bad.json().value(QStringLiteral("detail")).toString().contains(QLatin1String("column")),
            bad.body.constData());
        // Unknown identifiers are named.
        bad = createRule(
            QJsonObject{{QStringLiteral("name"), QStringLiteral("Typo")},
                        {QStringLiteral("type"), QStringLiteral("CUSTOM")},
                        {QStringLiteral("expression"), QStringLiteral("onlien > 5")},
                        {QStringLiteral("scope"), QJsonObject{{QStringLiteral("all"), true}}}});
        QCOMPARE(bad.status, 422);
        QVERIFY2(
            bad.json().value(QStringLiteral("detail")).toString().contains(QLatin1String("onlien")),
            bad.body.constData());
        // The same check without saving, for editors.
        const HttpReply check = httpRequest(
            m_http, "POST", api(QStringLiteral("/alerts/rules/validate")), m_monitor,
            {{QStringLiteral("expression"), QStringLiteral("capacityPct >= 90 || !(users < 3)")}});
        QCOMPARE(check.status, 200);
        QCOMPARE(check.json().value(QStringLiteral("valid")).toBool(), true);

        struct Case
        {
            QJsonObject body;
            QString field;
        };
        const QJsonObject all{{QStringLiteral("all"), true}};
        const QList<Case> cases{
            {{{"type", "CAPACITY"}, {"scope", all}}, QStringLiteral("name")},
            {{{"name", "x"}, {"scope", all}}, QStringLiteral("type")},
            {{{"name", "x"}, {"type", "CAPACITY"}}, QStringLiteral("scope")},
            {{{"name", "x"}, {"type", "NOISE"}, {"scope", all}}, QStringLiteral("type")},
            {{{"name", "x"}, {"type", "CAPACITY"}, {"threshold", -1}, {"scope", all}},
             QStringLiteral("threshold")},
            {{{"name", "x"}, {"type", "CAPACITY"}, {"scope", QJsonObject{{"roomId", "NOPE"}}}},
             QStringLiteral("scope.roomId")},
            {{{"name", "x"}, {"type", "CAPACITY"}, {"scope", QJsonObject{{"roomType", "NOPE"}}}},
             QStringLiteral("scope.roomType")},
            {{{"name", "x"},
              {"type", "CAPACITY"},
              {"scope", QJsonObject{{"all", true}, {"roomType", "CHAT"}}}},
             QStringLiteral("scope")},
            {{{"name", "x"}, {"type", "CAPACITY"}, {"severity", "LOUD"}, {"scope", all}},
             QStringLiteral("severity")},
            {{{"name", "x"}, {"type", "CAPACITY"}, {"forSec", 1.5}, {"scope", all}},
             QStringLiteral("forSec")},
            {{{"name", "x"}, {"type", "LATENCY"}, {"latencyStat", "P50"}, {"scope", all}},
             QStringLiteral("latencyStat")},
            {{{"name", "x"}, {"type", "CAPACITY"}, {"expression", "online > 1"}, {"scope", all}},
             QStringLiteral("expression")},
            {{{"name", "x"},
              {"type", "CAPACITY"},
              {"scope", all},
              {"channels", QJsonArray{QJsonObject{{"type", "webhook"}, {"url", "ftp://x"}}}}},
             QStringLiteral("channels[0].url")},
            {{{"name", "x"},
              {"type", "CAPACITY"},
              {"scope", all},
              {"channels", QJsonArray{QJsonObject{{"type", "email"}, {"to", "not an address"}}}}},
             QStringLiteral("channels[0].to")},
            {{{"name", "x"}, {"type", "CAPACITY"}, {"scope", all}, {"colour", "red"}},
             QStringLiteral("colour")},
        };
        for (const Case &c : cases) {
            const HttpReply reply = createRule(c.body);
            QVERIFY2(reply.status == 422, reply.body.constData());
            QCOMPARE(reply.json().value(QStringLiteral("field")).toString(), c.field);
        }

        // Monitors read rules but do not write them.
        const QJsonObject valid{{QStringLiteral("name"), QStringLiteral("Slow chats")},
                                {QStringLiteral("type"), QStringLiteral("LATENCY")},
                                {QStringLiteral("latencyStat"), QStringLiteral("AVG")},
                                {QStringLiteral("enabled"), false},
                                {QStringLiteral("scope"), QJsonObject{{QStringLiteral("roomType"),
                                                                       QStringLiteral("CHAT")}}}};
        QCOMPARE(createRule(valid, m_monitor).status, 403);
        const HttpReply created = createRule(valid);
        QCOMPARE(created.status, 201);
        const QJsonObject rule = created.json();
        QCOMPARE(rule.value(QStringLiteral("threshold")).toDouble(), 500.0); // the type's default
        QCOMPARE(rule.value(QStringLiteral("latencyStat")).toString(), QStringLiteral("AVG"));
        QCOMPARE(rule.value(QStringLiteral("channels")).toArray(),
                 (QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("inapp")}}}));
        const QString path = QStringLiteral("/alerts/rules/") + rule.value("id").toString();
        QCOMPARE(httpRequest(m_http, "GET", api(path), m_monitor).status, 200);

        // Another tenant sees nothing of it.
        QCOMPARE(httpRequest(m_http, "GET", api(path), m_otherAdmin).status, 404);
        QCOMPARE(httpRequest(m_http, "PUT", api(path), m_otherAdmin,
                             {{QStringLiteral("name"), QStringLiteral("mine")},
                              {QStringLiteral("version"), 1}})
                     .status,
                 404);
        QCOMPARE(httpRequest(m_http, "DELETE", api(path), m_otherAdmin).status, 404);
        const HttpReply otherList =
            httpRequest(m_http, "GET", api(QStringLiteral("/alerts/rules")), m_otherAdmin);
        QCOMPARE(otherList.json().value(QStringLiteral("total")).toInt(), 0);

        // Versions: an edit needs the version it started from; a stale one is 409 with the
        // current rule, so the editor can show what changed.
        HttpReply updated =
            httpRequest(m_http, "PUT", api(path), m_admin,
                        {{QStringLiteral("threshold"), 750}, {QStringLiteral("version"), 1}});
        QCOMPARE(updated.status, 200);
        QCOMPARE(updated.json().value(QStringLiteral("version")).toInt(), 2);
        QCOMPARE(updated.json().value(QStringLiteral("threshold")).toDouble(), 750.0);
        QCOMPARE(updated.header("ETag"), QByteArray("\"2\""));
        const HttpReply stale =
            httpRequest(m_http, "PUT", api(path), m_admin,
                        {{QStringLiteral("threshold"), 900}, {QStringLiteral("version"), 1}});
        QCOMPARE(stale.status, 409);
        QCOMPARE(stale.json().value(QStringLiteral("currentVersion")).toInt(), 2);
        QCOMPARE(stale.json()
                     .value(QStringLiteral("current"))
                     .toObject()
                     .value(QStringLiteral("threshold"))
                     .toDouble(),
                 750.0);
        QCOMPARE(
            httpRequest(m_http, "PUT", api(path), m_admin, {{QStringLiteral("threshold"), 900}})
                .status,
            422); // no version at all
        QCOMPARE(
            httpRequest(m_http, "DELETE", api(path), m_admin, {}, {{"If-Match", "\"1\""}}).status,
            409);
        QCOMPARE(
            httpRequest(m_http, "DELETE", api(path), m_admin, {}, {{"If-Match", "\"2\""}}).status,
            204);
        QCOMPARE(httpRequest(m_http, "GET", api(path), m_admin).status, 404);
        QCOMPARE(httpRequest(m_http, "GET", api(QStringLiteral("/alerts/rules")), {}).status, 401);
    }

    void acknowledgeAndResolveByHand()
    {
        QVERIFY(createRoom(QStringLiteral("DESK"), 2));
        WsClient console;
        QVERIFY(console.open(m_dashboard->wsUrl(), m_monitor));
        QCOMPARE(typeOf(console.request(subscribe(QStringLiteral("alerts")))),
                 QStringLiteral("SUBSCRIBED"));
        // A webhook that fails: 503 twice, then 404 for good.
        m_webhook.enqueue(503);
        m_webhook.enqueue(503);
        m_webhook.enqueue(404);
        const qsizetype webhookBefore = m_webhook.requestCount();
        const HttpReply created = createRule(QJsonObject{
            {QStringLiteral("name"), QStringLiteral("Desk busy")},
            {QStringLiteral("type"), QStringLiteral("CUSTOM")},
            {QStringLiteral("expression"), QStringLiteral("online >= 2")},
            {QStringLiteral("severity"), QStringLiteral("WARNING")},
            {QStringLiteral("scope"),
             QJsonObject{{QStringLiteral("roomId"), QStringLiteral("DESK")}}},
            {QStringLiteral("channels"),
             QJsonArray{QJsonObject{
                 {QStringLiteral("type"), QStringLiteral("webhook")},
                 {QStringLiteral("url"), m_webhook.url(QStringLiteral("/desk")).toString()}}}}});
        QCOMPARE(created.status, 201);

        std::vector<std::unique_ptr<WsClient>> devices;
        QStringList sessions = crowd(devices, QStringLiteral("DESK"), 2);
        QCOMPARE(sessions.size(), 2);
        const auto fired = console.waitFor(
            [](const QJsonObject &m) {
                return isAlert(m, QStringLiteral("FIRED"), QStringLiteral("Desk busy"));
            },
            10000);
        QVERIFY(fired);
        // No inapp channel on this rule: the inbox still hears of it, without a popup.
        QCOMPARE(fired->value(QStringLiteral("notify")).toBool(), false);
        const QString eventId = fired->value("event").toObject().value("id").toString();
        const QString eventPath = QStringLiteral("/alerts/events/") + eventId;

        // The failing webhook is retried and its failure recorded on the event.
        QTRY_VERIFY_WITH_TIMEOUT(
            deliveryOf(eventById(eventId), QStringLiteral("webhook"), QStringLiteral("FIRED"))
                    .value(QStringLiteral("status"))
                    .toString() == QLatin1String("FAILED"),
            20000);
        const QJsonObject failed =
            deliveryOf(eventById(eventId), QStringLiteral("webhook"), QStringLiteral("FIRED"));
        QCOMPARE(failed.value(QStringLiteral("attempts")).toInt(), 3);
        QVERIFY2(
            failed.value(QStringLiteral("lastError")).toString().contains(QLatin1String("404")),
            qPrintable(failed.value(QStringLiteral("lastError")).toString()));
        QCOMPARE(m_webhook.requestCount() - webhookBefore, 3);
        QVERIFY(metricOnAllInstances(QStringLiteral(
                    "spidi_alert_notifications_total{channel=\"webhook\",outcome=\"failed\"}")) >=
                1);

        // Another tenant can neither see nor touch it.
        QCOMPARE(httpRequest(m_http, "GET", api(eventPath), m_otherAdmin).status, 404);
        QCOMPARE(httpRequest(m_http, "POST", api(eventPath + QStringLiteral("/ack")), m_otherAdmin)
                     .status,
                 404);

        // Acknowledge with a comment: who, when, comment; everyone's inbox hears of it.
        HttpReply ack =
            httpRequest(m_http, "POST", api(eventPath + QStringLiteral("/ack")), m_monitor,
                        {{QStringLiteral("comment"), QStringLiteral("on it")}});
        QCOMPARE(ack.status, 200);
        QCOMPARE(ack.json().value(QStringLiteral("state")).toString(),
                 QStringLiteral("ACKNOWLEDGED"));
        QCOMPARE(ack.json().value(QStringLiteral("acknowledgedBy")).toString(),
                 QStringLiteral("mona"));
        QCOMPARE(ack.json().value(QStringLiteral("comment")).toString(), QStringLiteral("on it"));
        QVERIFY(!ack.json().value(QStringLiteral("acknowledgedAt")).isNull());
        QVERIFY(console.waitFor(
            [](const QJsonObject &m) { return isAlert(m, QStringLiteral("ACKNOWLEDGED")); }, 5000));
        ack = httpRequest(m_http, "POST", api(eventPath + QStringLiteral("/ack")), m_monitor);
        QCOMPARE(ack.status, 409);
        QVERIFY(
            ack.json().value(QStringLiteral("detail")).toString().contains(QLatin1String("mona")));

        // A new subscriber gets it in the snapshot.
        WsClient late;
        QVERIFY(late.open(m_dashboard->wsUrl(), m_monitor));
        QCOMPARE(typeOf(late.request(subscribe(QStringLiteral("alerts")))),
                 QStringLiteral("SUBSCRIBED"));
        const auto snapshot = late.waitFor(
            [](const QJsonObject &m) { return isAlert(m, QStringLiteral("SNAPSHOT")); }, 5000);
        QVERIFY(snapshot);
        QCOMPARE(snapshot->value("event").toObject().value("id").toString(), eventId);

        // Resolved by hand while the condition still holds: it stays resolved (no new event)
        // until the condition clears.
        const HttpReply resolve =
            httpRequest(m_http, "POST", api(eventPath + QStringLiteral("/resolve")), m_monitor,
                        {{QStringLiteral("comment"), QStringLiteral("expected: training")}});
        QCOMPARE(resolve.status, 200);
        QCOMPARE(resolve.json().value(QStringLiteral("state")).toString(),
                 QStringLiteral("RESOLVED"));
        QCOMPARE(resolve.json().value(QStringLiteral("resolvedBy")).toString(),
                 QStringLiteral("mona"));
        QCOMPARE(resolve.json().value(QStringLiteral("comment")).toString(),
                 QStringLiteral("on it\nexpected: training"));
        QVERIFY(console.waitFor(
            [](const QJsonObject &m) { return isAlert(m, QStringLiteral("RESOLVED")); }, 5000));
        QCOMPARE(httpRequest(m_http, "POST", api(eventPath + QStringLiteral("/resolve")), m_monitor)
                     .status,
                 409);
        QCOMPARE(typeOf(devices[0]->request(heartbeat(sessions.constFirst(), 10))),
                 QStringLiteral("HEARTBEAT_ACK"));
        QVERIFY(!console.waitFor(
            [](const QJsonObject &m) { return isAlert(m, QStringLiteral("FIRED")); },
            2500)); // evaluations every second: more than two passed
        const HttpReply history = httpRequest(
            m_http, "GET",
            api(QStringLiteral("/alerts/events?ruleId=") + created.json().value("id").toString()),
            m_monitor);
        QCOMPARE(history.json().value(QStringLiteral("total")).toInt(), 1);

        // Filters are checked.
        QCOMPARE(
            httpRequest(m_http, "GET", api(QStringLiteral("/alerts/events?state=LOUD")), m_monitor)
                .status,
            422);
        QCOMPARE(httpRequest(m_http, "GET", api(QStringLiteral("/alerts/events?from=yesterday")),
                             m_monitor)
                     .status,
                 422);
        leaveAll(devices, sessions);
    }
};

QTEST_GUILESS_MAIN(TestAlertsE2e)
#include "tst_alerts_e2e.moc"
