// spidi-server with --database against a real PostgreSQL that is stopped mid-run: presence keeps
// working, /health says degraded and the history queue grows; once PostgreSQL is back on the same
// port every queued session reaches history exactly once, and a SIGTERM flushes the rest.
#include "postgres_process.h"
#include "presence_messages.h"
#include "server_process.h"
#include "ws_client.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTest>

using namespace spidi::test;
using namespace spidi::test::msg;

namespace {

const QString kDatabase = QStringLiteral("spidi_outage");

} // namespace

class TestPostgresOutageE2e : public QObject
{
    Q_OBJECT

private:
    QNetworkAccessManager m_http;

    QString healthStatus(const ServerProcess &server)
    {
        return httpRequest(m_http, "GET", server.httpUrl(QStringLiteral("/health")))
            .json()
            .value("status")
            .toString();
    }

    QString historyStatus(const ServerProcess &server)
    {
        return httpRequest(m_http, "GET", server.httpUrl(QStringLiteral("/health")))
            .json()
            .value("components")
            .toObject()
            .value("history")
            .toObject()
            .value("status")
            .toString();
    }

    double queueDepth(const ServerProcess &server)
    {
        return metricValue(
            httpRequest(m_http, "GET", server.httpUrl(QStringLiteral("/metrics"))).body,
            QStringLiteral("spidi_history_queue_depth"));
    }

    // "<ended?>|<end_reason>" for a session row, "missing" when there is none, "error: …" when
    // PostgreSQL cannot be queried.
    static QString row(PostgresProcess &pg, const QString &sessionId)
    {
        const QVariant value = pg.adminScalar(
            kDatabase, QStringLiteral("SELECT (ended_at IS NOT NULL)::text || '|' || "
                                      "coalesce(end_reason, '') FROM dat_spd_session "
                                      "WHERE id = '%1'")
                           .arg(sessionId));
        if (!value.isValid())
            return QStringLiteral("error: ") + pg.errorText();
        const QString text = value.toString();
        return text.isEmpty() ? QStringLiteral("missing") : text;
    }

    static int rowCount(PostgresProcess &pg, const QString &sessionId)
    {
        return pg
            .adminScalar(kDatabase,
                         QStringLiteral("SELECT count(*) FROM dat_spd_session WHERE id = '%1'")
                             .arg(sessionId))
            .toInt();
    }

private Q_SLOTS:
    void historySurvivesADatabaseOutage()
    {
        QElapsedTimer elapsed;
        elapsed.start();
        PostgresProcess pg;
        QVERIFY2(pg.start(), qPrintable(pg.errorText()));
        QVERIFY2(pg.createDatabase(kDatabase), qPrintable(pg.errorText()));

        ServerProcess server;
        QVERIFY2(server.start({QStringLiteral("--database"), pg.appUrl(kDatabase),
                               QStringLiteral("--flush-interval"), QStringLiteral("1"),
                               // the churn below sends as fast as the server answers
                               QStringLiteral("--rate-limit"), QStringLiteral("0")}),
                 qPrintable(server.errorText()));
        QCOMPARE(healthStatus(server), QStringLiteral("ok"));
        const QByteArray admin = server.token(QStringLiteral("alice"), QStringLiteral("acme"),
                                              {QStringLiteral("spidi:admin")});
        QCOMPARE(httpRequest(m_http, "POST", server.httpUrl(QStringLiteral("/api/v1/rooms")), admin,
                             {{QStringLiteral("code"), QStringLiteral("OUTAGE")},
                              {QStringLiteral("name"), QStringLiteral("Outage room")},
                              {QStringLiteral("typeCode"), QStringLiteral("CHAT")}})
                     .status,
                 201);
        const QByteArray deviceToken = server.token(QStringLiteral("dave"), QStringLiteral("acme"),
                                                    {QStringLiteral("spidi:user")});

        // Session A joins and leaves while the database is up.
        WsClient device;
        QVERIFY(device.open(server.wsUrl(), deviceToken));
        auto ack = device.request(hello(QStringLiteral("OUTAGE"), QStringLiteral("dev-a")));
        QCOMPARE(typeOf(ack), QStringLiteral("ACK"));
        const QString sessionA = ack->value("sessionId").toString();
        QVERIFY(!sessionA.isEmpty());
        QCOMPARE(typeOf(device.request(leave(sessionA))), QStringLiteral("ACK"));
        QTRY_COMPARE_WITH_TIMEOUT(row(pg, sessionA), QStringLiteral("true|LEFT"), 10000);

        // PostgreSQL goes away.
        pg.stopKeepingData();
        QVERIFY(!pg.isRunning());

        ack = device.request(hello(QStringLiteral("OUTAGE"), QStringLiteral("dev-b")));
        QCOMPARE(typeOf(ack), QStringLiteral("ACK"));
        const QString sessionB = ack->value("sessionId").toString();
        QVERIFY(!sessionB.isEmpty());
        QCOMPARE(typeOf(device.request(leave(sessionB))), QStringLiteral("ACK"));

        WsClient stayer;
        QVERIFY(stayer.open(server.wsUrl(), deviceToken));
        ack = stayer.request(hello(QStringLiteral("OUTAGE"), QStringLiteral("dev-c")));
        QCOMPARE(typeOf(ack), QStringLiteral("ACK"));
        const QString sessionC = ack->value("sessionId").toString();
        QVERIFY(!sessionC.isEmpty());
        QVERIFY(sessionC != sessionB && sessionB != sessionA);
        QCOMPARE(typeOf(stayer.request(heartbeat(sessionC, 12))), QStringLiteral("HEARTBEAT_ACK"));

        // Churn for 10 s while the database is away: devices join, beat and leave.
        QStringList churned;
        QElapsedTimer churn;
        churn.start();
        while (churn.elapsed() < 10'000) {
            const auto joined = device.request(
                hello(QStringLiteral("OUTAGE"), QStringLiteral("churn-%1").arg(churned.size())));
            QCOMPARE(typeOf(joined), QStringLiteral("ACK"));
            const QString id = joined->value("sessionId").toString();
            churned.append(id);
            QCOMPARE(typeOf(device.request(heartbeat(id, 20))), QStringLiteral("HEARTBEAT_ACK"));
            QCOMPARE(typeOf(device.request(leave(id))), QStringLiteral("ACK"));
        }
        qInfo("%lld sessions churned during the outage", qint64(churned.size()));
        QVERIFY(churned.size() >= 50);

        // Degraded once a flush has failed with rows still queued (not merely rows waiting).
        QTRY_COMPARE_WITH_TIMEOUT(historyStatus(server), QStringLiteral("degraded"), 10000);
        QVERIFY(queueDepth(server) >= 2);
        QCOMPARE(healthStatus(server), QStringLiteral("degraded"));
        const QJsonObject degraded =
            httpRequest(m_http, "GET", server.httpUrl(QStringLiteral("/health"))).json();
        const QJsonObject history =
            degraded.value("components").toObject().value("history").toObject();
        QCOMPARE(history.value("status").toString(), QStringLiteral("degraded"));
        QVERIFY(history.value("queueDepth").toInt() >= 2);
        QVERIFY(history.value("failedFlushes").toInt() >= 1);
        QCOMPARE(degraded.value("components")
                     .toObject()
                     .value("database")
                     .toObject()
                     .value("status")
                     .toString(),
                 QStringLiteral("down"));
        QCOMPARE(typeOf(stayer.request(heartbeat(sessionC, 15))), QStringLiteral("HEARTBEAT_ACK"));
        // REST needs SQL: a clear 503 problem, not a hang or a 500.
        const HttpReply refused =
            httpRequest(m_http, "GET", server.httpUrl(QStringLiteral("/api/v1/rooms")), admin);
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(refused.json().value("status").toInt(), 503);

        // PostgreSQL is back: the queue drains within the 30 s backoff cap.
        QVERIFY2(pg.restart(), qPrintable(pg.errorText()));
        // The first REST request after the restart reopens the broken connection itself (no
        // /health probe has run since PostgreSQL came back).
        const HttpReply listed =
            httpRequest(m_http, "GET", server.httpUrl(QStringLiteral("/api/v1/rooms")), admin);
        QVERIFY2(listed.status == 200, listed.body.constData());
        QCOMPARE(listed.json().value("items").toArray().size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(row(pg, sessionB), QStringLiteral("true|LEFT"), 45000);
        QTRY_COMPARE_WITH_TIMEOUT(row(pg, sessionC), QStringLiteral("false|"), 45000);
        QTRY_COMPARE_WITH_TIMEOUT(queueDepth(server), 0.0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(healthStatus(server), QStringLiteral("ok"), 10000);
        QCOMPARE(row(pg, sessionA), QStringLiteral("true|LEFT"));

        // SIGTERM flushes first: C is ended as DISCONNECTED.
        QCOMPARE(server.terminate(), 0);
        QCOMPARE(row(pg, sessionC), QStringLiteral("true|DISCONNECTED"));
        for (const QString &id : {sessionA, sessionB, sessionC})
            QCOMPARE(rowCount(pg, id), 1);
        // Every churned session reached history once, ended once, with its heartbeat.
        QCOMPARE(pg.adminScalar(kDatabase, QStringLiteral("SELECT count(*) FROM dat_spd_session"))
                     .toInt(),
                 3 + int(churned.size()));
        QCOMPARE(pg.adminScalar(kDatabase,
                                QStringLiteral("SELECT count(*) FROM dat_spd_session WHERE "
                                               "client_id LIKE 'churn-%' AND end_reason = 'LEFT' "
                                               "AND heartbeat_count = 1 AND ended_at IS NOT NULL"))
                     .toInt(),
                 int(churned.size()));
        qInfo("outage scenario took %lld ms", elapsed.elapsed());
    }
};

QTEST_GUILESS_MAIN(TestPostgresOutageE2e)
#include "tst_postgres_outage_e2e.moc"
