// Session lifecycle against real servers with short timeouts: expiry, disconnect, TTL, graceful
// shutdown and recovery after a crash, plus the command line's subcommands.
#include "presence_messages.h"
#include "server_process.h"
#include "ws_client.h"

#include <QJsonArray>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace spidi::test;
using namespace spidi::test::msg;

namespace {

struct Row
{
    QString endReason;
    bool ended = false;
    QString device;
    QString ip;
};

QHash<QString, Row> historyRows(const QString &databaseFile)
{
    QHash<QString, Row> rows;
    const QString name = QStringLiteral("lifecycle-check");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(databaseFile);
        if (db.open()) {
            QSqlQuery query(db);
            query.exec(
                QStringLiteral("SELECT id, end_reason, ended_at, device, ip FROM dat_spd_session"));
            while (query.next())
                rows.insert(query.value(0).toString(),
                            Row{query.value(1).toString(), !query.value(2).isNull(),
                                query.value(3).toString(), query.value(4).toString()});
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return rows;
}

} // namespace

class TestLifecycleE2e : public QObject
{
    Q_OBJECT

private:
    QNetworkAccessManager m_http;

    bool createRoom(ServerProcess &server, const QString &code, int ttlSec = 3600)
    {
        const QByteArray admin = server.token(QStringLiteral("alice"), QStringLiteral("acme"),
                                              {QStringLiteral("spidi:admin")});
        return httpRequest(m_http, "POST", server.httpUrl(QStringLiteral("/api/v1/rooms")), admin,
                           {{QStringLiteral("code"), code},
                            {QStringLiteral("name"), code},
                            {QStringLiteral("typeCode"), QStringLiteral("CHAT")},
                            {QStringLiteral("ttlSec"), ttlSec}})
                   .status == 201;
    }

    static QStringList fastTimeouts()
    {
        return {QStringLiteral("--heartbeat-interval"), QStringLiteral("1"),
                QStringLiteral("--session-timeout"),    QStringLiteral("2"),
                QStringLiteral("--flush-interval"),     QStringLiteral("1")};
    }

private Q_SLOTS:
    void silentSessionExpires()
    {
        ServerProcess server;
        QVERIFY2(server.start(fastTimeouts()), qPrintable(server.errorText()));
        QVERIFY(createRoom(server, QStringLiteral("EXP")));
        const QByteArray device = server.token(QStringLiteral("dave"), QStringLiteral("acme"),
                                               {QStringLiteral("spidi:user")});
        const QByteArray monitorToken = server.token(QStringLiteral("mona"), QStringLiteral("acme"),
                                                     {QStringLiteral("spidi:monitor")});
        WsClient monitor;
        QVERIFY(monitor.open(server.wsUrl(), monitorToken));
        monitor.send({{QStringLiteral("type"), QStringLiteral("SUBSCRIBE")},
                      {QStringLiteral("topic"), QStringLiteral("room/EXP/roster")}});
        QVERIFY(monitor.waitForType(QStringLiteral("ROOM_ROSTER")));

        WsClient client;
        QVERIFY(client.open(server.wsUrl(), device));
        const auto ack = client.request(hello(QStringLiteral("EXP"), QStringLiteral("quiet")));
        QVERIFY(ack);
        QCOMPARE(ack->value("heartbeatIntervalSec").toInt(), 1);
        QCOMPARE(ack->value("timeoutSec").toInt(), 2);
        const QString sessionId = ack->value("sessionId").toString();

        // The socket stays open but says nothing: EXPIRED, and the device is told.
        const auto ended = client.waitForType(QStringLiteral("SESSION_ENDED"), 6000);
        QVERIFY2(ended, "silent session did not expire");
        QCOMPARE(ended->value("reason").toString(), QStringLiteral("EXPIRED"));
        QVERIFY(monitor.waitFor(
            [&](const QJsonObject &m) {
                return m.value("type").toString() == QLatin1String("ROOM_ROSTER_DIFF") &&
                       m.value("leaves").toArray().contains(sessionId);
            },
            2000));
        const auto late = client.request(heartbeat(sessionId));
        QCOMPARE(late->value("code").toString(), QStringLiteral("SESSION_NOT_FOUND"));
        // A device may join again after expiry.
        QCOMPARE(client.request(hello(QStringLiteral("EXP"), QStringLiteral("quiet")))
                     ->value("type")
                     .toString(),
                 QStringLiteral("ACK"));
        QTRY_COMPARE_WITH_TIMEOUT(historyRows(server.databaseFile()).value(sessionId).endReason,
                                  QStringLiteral("EXPIRED"), 10000);
        QCOMPARE(server.terminate(), 0);
    }

    void beatingSessionStays()
    {
        ServerProcess server;
        QVERIFY2(server.start(fastTimeouts()), qPrintable(server.errorText()));
        QVERIFY(createRoom(server, QStringLiteral("BEAT")));
        WsClient client;
        QVERIFY(
            client.open(server.wsUrl(), server.token(QStringLiteral("dave"), QStringLiteral("acme"),
                                                     {QStringLiteral("spidi:user")})));
        const QString sessionId =
            client.request(hello(QStringLiteral("BEAT"), QStringLiteral("b")))
                ->value("sessionId")
                .toString();
        // Five timeouts' worth of regular heartbeats: never expires.
        QElapsedTimer elapsed;
        elapsed.start();
        while (elapsed.elapsed() < 5000) {
            const auto ack = client.request(heartbeat(sessionId));
            QCOMPARE(ack->value("type").toString(), QStringLiteral("HEARTBEAT_ACK"));
            QVERIFY(!client.waitForType(QStringLiteral("SESSION_ENDED"), 500));
        }
        QCOMPARE(server.terminate(), 0);
    }

    void closedSocketEndsAsDisconnectedAfterTimeout()
    {
        ServerProcess server;
        QVERIFY2(server.start(fastTimeouts()), qPrintable(server.errorText()));
        QVERIFY(createRoom(server, QStringLiteral("DISC")));
        QString sessionId;
        {
            WsClient client;
            QVERIFY(client.open(server.wsUrl(),
                                server.token(QStringLiteral("dave"), QStringLiteral("acme"),
                                             {QStringLiteral("spidi:user")})));
            sessionId = client.request(hello(QStringLiteral("DISC"), QStringLiteral("d")))
                            ->value("sessionId")
                            .toString();
            QVERIFY(!sessionId.isEmpty());
        } // socket closed without LEAVE
        QTRY_COMPARE_WITH_TIMEOUT(historyRows(server.databaseFile()).value(sessionId).endReason,
                                  QStringLiteral("DISCONNECTED"), 10000);
        const Row row = historyRows(server.databaseFile()).value(sessionId);
        QCOMPARE(row.device, QStringLiteral("ThinkPad"));
        QCOMPARE(row.ip, QStringLiteral("127.0.0.1"));
        QCOMPARE(server.terminate(), 0);
    }

    void roomTtlEndsLongSessions()
    {
        ServerProcess server;
        QVERIFY2(server.start(fastTimeouts()), qPrintable(server.errorText()));
        QVERIFY(createRoom(server, QStringLiteral("TTL"), 2));
        WsClient client;
        QVERIFY(
            client.open(server.wsUrl(), server.token(QStringLiteral("dave"), QStringLiteral("acme"),
                                                     {QStringLiteral("spidi:user")})));
        const QString sessionId = client.request(hello(QStringLiteral("TTL"), QStringLiteral("t")))
                                      ->value("sessionId")
                                      .toString();
        // Heartbeats keep it alive, but not past the room's TTL.
        std::optional<QJsonObject> ended;
        QElapsedTimer elapsed;
        elapsed.start();
        while (!ended && elapsed.elapsed() < 8000) {
            client.send(heartbeat(sessionId));
            ended = client.waitForType(QStringLiteral("SESSION_ENDED"), 500);
        }
        QVERIFY2(ended, "TTL did not end the session");
        QCOMPARE(ended->value("reason").toString(), QStringLiteral("TTL"));
        QVERIFY(elapsed.elapsed() >= 1500);
        // ... and the client may come back.
        const auto again = client.request(hello(QStringLiteral("TTL"), QStringLiteral("t")));
        QCOMPARE(again->value("type").toString(), QStringLiteral("ACK"));
        QVERIFY(again->value("sessionId").toString() != sessionId);
        QTRY_COMPARE_WITH_TIMEOUT(historyRows(server.databaseFile()).value(sessionId).endReason,
                                  QStringLiteral("TTL"), 10000);
        QCOMPARE(server.terminate(), 0);
    }

    // History is written behind: a session that ended a moment ago is not ended in SQL yet.
    // REST reads must already show it ended (the write-behind's queue is merged in), not as a
    // session that is neither live nor ended.
    void justEndedSessionReadsAsEnded()
    {
        ServerProcess server;
        QVERIFY2(server.start({QStringLiteral("--flush-interval"), QStringLiteral("3")}),
                 qPrintable(server.errorText()));
        QVERIFY(createRoom(server, QStringLiteral("JUST")));
        const QByteArray monitor = server.token(QStringLiteral("mona"), QStringLiteral("acme"),
                                                {QStringLiteral("spidi:monitor")});
        WsClient client;
        QVERIFY(
            client.open(server.wsUrl(), server.token(QStringLiteral("dave"), QStringLiteral("acme"),
                                                     {QStringLiteral("spidi:user")})));
        const auto ack = client.request(hello(QStringLiteral("JUST"), QStringLiteral("phone")));
        QVERIFY(ack);
        const QString sessionId = ack->value("sessionId").toString();
        // The start is written by a flush; the next flush is 3 s after it.
        QTRY_VERIFY_WITH_TIMEOUT(historyRows(server.databaseFile()).contains(sessionId), 8000);
        QCOMPARE(ack->value("type").toString(), QStringLiteral("ACK"));
        QCOMPARE(client.request(leave(sessionId))->value("type").toString(), QStringLiteral("ACK"));
        QVERIFY2(!historyRows(server.databaseFile()).value(sessionId).ended,
                 "the end was already flushed: the window this test is about was missed");

        const auto sessionIn = [&](const QString &path) {
            const HttpReply reply = httpRequest(m_http, "GET", server.httpUrl(path), monitor);
            for (const QJsonValue &v : reply.json().value("items").toArray())
                if (v.toObject().value("sessionId").toString() == sessionId)
                    return v.toObject();
            return QJsonObject();
        };
        const QJsonObject mine = sessionIn(QStringLiteral("/api/v1/users/dave/sessions"));
        QCOMPARE(mine.value("live").toBool(true), false);
        QCOMPARE(mine.value("endReason").toString(), QStringLiteral("LEFT"));
        QVERIFY(!mine.value("endedAt").toString().isEmpty());
        const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
        QVERIFY(sessionIn(QStringLiteral("/api/v1/rooms/JUST/roster?at=") +
                          QString::fromLatin1(QUrl::toPercentEncoding(now)))
                    .isEmpty());

        // Once written, the same answers from SQL alone.
        QTRY_VERIFY_WITH_TIMEOUT(historyRows(server.databaseFile()).value(sessionId).ended, 8000);
        QCOMPARE(sessionIn(QStringLiteral("/api/v1/users/dave/sessions")).value("endedAt"),
                 mine.value("endedAt"));
        QVERIFY(sessionIn(QStringLiteral("/api/v1/rooms/JUST/roster?at=") +
                          QString::fromLatin1(QUrl::toPercentEncoding(now)))
                    .isEmpty());
    }

    void sigtermFlushesHistory()
    {
        ServerProcess server;
        // An hour between flushes: only the shutdown flush can write these rows.
        QVERIFY2(server.start({QStringLiteral("--flush-interval"), QStringLiteral("3600")}),
                 qPrintable(server.errorText()));
        QVERIFY(createRoom(server, QStringLiteral("FLUSH")));
        const QByteArray token = server.token(QStringLiteral("dave"), QStringLiteral("acme"),
                                              {QStringLiteral("spidi:user")});
        WsClient a, b;
        QVERIFY(a.open(server.wsUrl(), token));
        QVERIFY(b.open(server.wsUrl(), token));
        const QString left = a.request(hello(QStringLiteral("FLUSH"), QStringLiteral("a")))
                                 ->value("sessionId")
                                 .toString();
        const QString stayed = b.request(hello(QStringLiteral("FLUSH"), QStringLiteral("b")))
                                   ->value("sessionId")
                                   .toString();
        QCOMPARE(a.request({{QStringLiteral("type"), QStringLiteral("LEAVE")},
                            {QStringLiteral("sessionId"), left}})
                     ->value("type")
                     .toString(),
                 QStringLiteral("ACK"));
        QVERIFY(historyRows(server.databaseFile()).isEmpty());

        QCOMPARE(server.terminate(), 0);
        const QHash<QString, Row> rows = historyRows(server.databaseFile());
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows.value(left).endReason, QStringLiteral("LEFT"));
        QCOMPARE(rows.value(stayed).endReason, QStringLiteral("DISCONNECTED"));
        QVERIFY(rows.value(stayed).ended);
        const auto stopped = server.logEvents(QStringLiteral("server.stopped"));
        QCOMPARE(stopped.size(), 1);
        QCOMPARE(stopped.first().value("history_flushed").toBool(), true);
        QVERIFY(b.waitClosed());
        QCOMPARE(b.closeCode(), 1001); // going away
    }

    void crashedServerSessionsAreClosedOnRestart()
    {
        ServerProcess server;
        QVERIFY2(server.start({QStringLiteral("--flush-interval"), QStringLiteral("1")}),
                 qPrintable(server.errorText()));
        QVERIFY(createRoom(server, QStringLiteral("CRASH")));
        WsClient client;
        QVERIFY(
            client.open(server.wsUrl(), server.token(QStringLiteral("dave"), QStringLiteral("acme"),
                                                     {QStringLiteral("spidi:user")})));
        const QString sessionId =
            client.request(hello(QStringLiteral("CRASH"), QStringLiteral("c")))
                ->value("sessionId")
                .toString();
        QTRY_VERIFY_WITH_TIMEOUT(historyRows(server.databaseFile()).contains(sessionId), 10000);
        QVERIFY(!historyRows(server.databaseFile()).value(sessionId).ended);
        server.kill(); // SIGKILL: no flush, no end

        // Same data directory, new process: the orphan is closed, the room is still there.
        QStringList restart = {QStringLiteral("--flush-interval"), QStringLiteral("1")};
        QVERIFY2(server.start(restart), qPrintable(server.errorText()));
        const Row row = historyRows(server.databaseFile()).value(sessionId);
        QVERIFY(row.ended);
        QCOMPARE(row.endReason, QStringLiteral("DISCONNECTED"));
        WsClient again;
        QVERIFY(
            again.open(server.wsUrl(), server.token(QStringLiteral("dave"), QStringLiteral("acme"),
                                                    {QStringLiteral("spidi:user")})));
        QCOMPARE(again.request(hello(QStringLiteral("CRASH"), QStringLiteral("c")))
                     ->value("type")
                     .toString(),
                 QStringLiteral("ACK"));
        QCOMPARE(server.terminate(), 0);
    }

    void commandLine()
    {
        const QString binary = qEnvironmentVariable("SPIDI_SERVER_BIN");
        QProcess help;
        help.start(binary, {QStringLiteral("--help")});
        QVERIFY(help.waitForFinished(10000));
        QCOMPARE(help.exitCode(), 0);
        const QByteArray text = help.readAllStandardOutput();
        for (const char *option :
             {"--config", "--port", "--bind", "--data-dir", "--database", "--redis",
              "--heartbeat-interval", "--session-timeout", "--flush-interval", "--jwt-secret-file",
              "--jwt-public-key", "--log-format", "token", "migrate"})
            QVERIFY2(text.contains(option), option);

        QProcess version;
        version.start(binary, {QStringLiteral("--version")});
        QVERIFY(version.waitForFinished(10000));
        QCOMPARE(version.exitCode(), 0);
        QVERIFY(version.readAllStandardOutput().startsWith("spidi-server " SPIDI_VERSION));

        QProcess bad;
        bad.start(binary, {QStringLiteral("--port"), QStringLiteral("http")});
        QVERIFY(bad.waitForFinished(10000));
        QCOMPARE(bad.exitCode(), 2);
        QVERIFY(bad.readAllStandardError().contains("port"));

        QTemporaryDir dir;
        QList<int> applied;
        for (int run = 0; run < 2; ++run) {
            QProcess migrate;
            migrate.start(binary,
                          {QStringLiteral("migrate"), QStringLiteral("--data-dir"), dir.path()});
            QVERIFY(migrate.waitForFinished(20000));
            QCOMPARE(migrate.exitCode(), 0);
            const QRegularExpression count(QStringLiteral("applied (\\d+) migration"));
            const auto match = count.match(QString::fromUtf8(migrate.readAllStandardOutput()));
            QVERIFY(match.hasMatch());
            applied.append(match.captured(1).toInt());
        }
        QVERIFY(applied.at(0) >= 1); // a fresh database gets every migration
        QCOMPARE(applied.at(1), 0);  // and a second run changes nothing

        // The environment configures the server too (SPIDI_*).
        QProcess envHelp;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SPIDI_PORT"), QStringLiteral("notaport"));
        envHelp.setProcessEnvironment(env);
        envHelp.start(binary, {});
        QVERIFY(envHelp.waitForFinished(10000));
        QCOMPARE(envHelp.exitCode(), 2);
    }
};

QTEST_GUILESS_MAIN(TestLifecycleE2e)
#include "tst_lifecycle_e2e.moc"
