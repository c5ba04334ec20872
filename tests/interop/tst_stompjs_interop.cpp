// Interoperability with a real third-party STOMP client (issue 8, SPEC 4.2): the unmodified
// @stomp/stompjs, installed from npm (pinned in stompjs/package-lock.json), drives join,
// heartbeat, an error, idling on STOMP heart-beats and leave against a real spidi-server, while
// a second stomp.js client follows the room's roster and metrics (stompjs/presence.mjs asserts
// each step). This test then checks the script's findings against the server's REST API.
#include "node_package.h"
#include "server_process.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace spidi::test;

class TestStompjsInterop : public QObject
{
    Q_OBJECT

    QString m_dir = QStringLiteral(SPIDI_NODE_PACKAGE_DIR);

private Q_SLOTS:
    void initTestCase()
    {
        const QString problem =
            installNodePackage(m_dir, QStringLiteral("@stomp/stompjs/package.json"));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void stompjsJoinsHeartbeatsAndLeaves()
    {
        ServerProcess server;
        QVERIFY2(server.start({QStringLiteral("--stomp-heartbeat"), QStringLiteral("300"),
                               QStringLiteral("--flush-interval"), QStringLiteral("1")}),
                 qPrintable(server.errorText()));
        const QString tenant = QStringLiteral("interop");
        const QByteArray admin =
            server.token(QStringLiteral("root"), tenant, {QStringLiteral("spidi:admin")});
        const QByteArray device =
            server.token(QStringLiteral("node-device"), tenant, {QStringLiteral("spidi:user")});
        const QByteArray monitor =
            server.token(QStringLiteral("node-console"), tenant, {QStringLiteral("spidi:monitor")});
        QNetworkAccessManager http;
        const HttpReply room =
            httpRequest(http, "POST", server.httpUrl(QStringLiteral("/api/v1/rooms")), admin,
                        {{QStringLiteral("code"), QStringLiteral("STOMPJS")},
                         {QStringLiteral("name"), QStringLiteral("stomp.js room")},
                         {QStringLiteral("typeCode"), QStringLiteral("CHAT")}});
        QCOMPARE(room.status, 201);
        const QString roomId = room.json().value(QStringLiteral("id")).toString();

        const ProcessRun node = runProcess(
            QStringLiteral("node"),
            {QStringLiteral("presence.mjs"), server.wsUrl().toString(), QString::fromUtf8(device),
             QString::fromUtf8(monitor), QStringLiteral("STOMPJS"), QStringLiteral("300")},
            m_dir, 90000);
        QVERIFY2(node.exitCode == 0, node.err.constData());
        const QJsonObject summary =
            QJsonDocument::fromJson(node.out.trimmed().split('\n').last()).object();
        QVERIFY2(!summary.isEmpty(), node.out.constData());

        // What stomp.js saw.
        QCOMPARE(summary.value(QStringLiteral("version")).toString(), QStringLiteral("1.2"));
        QVERIFY(summary.value(QStringLiteral("server"))
                    .toString()
                    .startsWith(QStringLiteral("spidi/")));
        QCOMPARE(summary.value(QStringLiteral("onlineBefore")).toInt(), 0);
        QCOMPARE(summary.value(QStringLiteral("onlineAfterJoin")).toInt(), 1);
        QCOMPARE(summary.value(QStringLiteral("avgLatencyMs")).toDouble(), 37.0);
        QCOMPARE(summary.value(QStringLiteral("errorCode")).toString(),
                 QStringLiteral("ROOM_NOT_FOUND"));
        QCOMPARE(summary.value(QStringLiteral("idleSurvivedMs")).toInt(), 1500);
        QCOMPARE(summary.value(QStringLiteral("onlineAfterLeave")).toInt(), 0);

        // What the server recorded: the session stomp.js opened, ended by its LEAVE (in the
        // history once the write-behind flushes, every second here).
        const QString sessionId = summary.value(QStringLiteral("sessionId")).toString();
        QJsonObject session;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const HttpReply sessions = httpRequest(
                    http, "GET",
                    server.httpUrl(QStringLiteral("/api/v1/users/node-device/sessions")), admin);
                for (const QJsonValue &v : sessions.json().value(QStringLiteral("items")).toArray())
                    if (v.toObject().value(QStringLiteral("sessionId")).toString() == sessionId)
                        session = v.toObject();
                return !session.isEmpty() && !session.value(QStringLiteral("live")).toBool();
            }(),
            10000);
        QCOMPARE(session.value(QStringLiteral("roomId")).toString(), roomId);
        QCOMPARE(session.value(QStringLiteral("device")).toString(), QStringLiteral("Node"));
        QCOMPARE(session.value(QStringLiteral("endReason")).toString(), QStringLiteral("LEFT"));
        QCOMPARE(session.value(QStringLiteral("heartbeatCount")).toInt(), 2);
        QCOMPARE(session.value(QStringLiteral("avgLatencyMs")).toDouble(), 37.0);
        // Both stomp.js clients negotiated STOMP over the WebSocket (the server logs it).
        QVERIFY(server.logEvents(QStringLiteral("websocket.opened")).size() >= 2);
        for (const QJsonObject &opened : server.logEvents(QStringLiteral("websocket.opened")))
            QVERIFY2(opened.value(QStringLiteral("subprotocol"))
                         .toString()
                         .endsWith(QLatin1String(".stomp")),
                     QJsonDocument(opened).toJson().constData());
    }
};

QTEST_GUILESS_MAIN(TestStompjsInterop)
#include "tst_stompjs_interop.moc"
