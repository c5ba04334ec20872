// The shipped nginx configuration (deploy/nginx/spidi.conf) in front of two instances sharing
// Redis and PostgreSQL: REST, health and WebSockets pass through it, devices spread over both
// instances, and when one instance is stopped for an upgrade its devices come back through
// nginx on the other one and resume their sessions: nobody leaves the roster.
#include "deployment.h"
#include "presence_messages.h"
#include "ws_client.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

using namespace spidi::test;
using namespace spidi::test::msg;

namespace {

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

// nginx as a child process running the shipped site file, with every path in a temporary
// directory and the upstream addresses pointed at the test's instances.
class Nginx
{
public:
    bool start(quint16 first, quint16 second)
    {
        const QString binary = QStandardPaths::findExecutable(
            QStringLiteral("nginx"), {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")});
        if (binary.isEmpty()) {
            m_error = QStringLiteral("nginx is not installed (scripts/deps.sh installs it)");
            return false;
        }
        QFile shipped(QString::fromLocal8Bit(qgetenv("SPIDI_SOURCE_DIR")) +
                      QStringLiteral("/deploy/nginx/spidi.conf"));
        if (!shipped.open(QIODevice::ReadOnly)) {
            m_error = QStringLiteral("cannot read %1").arg(shipped.fileName());
            return false;
        }
        m_port = freePort();
        QByteArray site = shipped.readAll();
        site.replace("127.0.0.1:8081", QByteArray("127.0.0.1:" + QByteArray::number(first)));
        site.replace("127.0.0.1:8082", QByteArray("127.0.0.1:" + QByteArray::number(second)));
        site.replace("listen 80;",
                     QByteArray("listen 127.0.0.1:" + QByteArray::number(m_port) + ';'));
        const QString dir = m_dir.path();
        QFile siteFile(dir + QStringLiteral("/spidi.conf"));
        if (!siteFile.open(QIODevice::WriteOnly) || siteFile.write(site) != site.size())
            return false;
        siteFile.close();
        const QByteArray d = dir.toLocal8Bit();
        QByteArray main = QByteArray("worker_processes 1;\ndaemon off;\npid " + d +
                                     "/nginx.pid;\n" + "error_log " + d + "/error.log info;\n");
        if (::geteuid() == 0)
            main += "user root root;\n"; // workers must reach the 0700 temporary directory
        main += QByteArray("events { worker_connections 1024; }\nhttp {\n  access_log " + d +
                           "/access.log;\n  client_body_temp_path " + d +
                           "/body;\n  proxy_temp_path " + d + "/proxy;\n  fastcgi_temp_path " + d +
                           "/fastcgi;\n  uwsgi_temp_path " + d + "/uwsgi;\n  scgi_temp_path " + d +
                           "/scgi;\n  include " + d + "/spidi.conf;\n}\n");
        QFile mainFile(dir + QStringLiteral("/nginx.conf"));
        if (!mainFile.open(QIODevice::WriteOnly) || mainFile.write(main) != main.size())
            return false;
        mainFile.close();
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        m_process.start(binary, {QStringLiteral("-p"), dir, QStringLiteral("-c"),
                                 dir + QStringLiteral("/nginx.conf")});
        if (!m_process.waitForStarted(5000)) {
            m_error = m_process.errorString();
            return false;
        }
        return true;
    }

    ~Nginx()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate(); // SIGTERM: fast shutdown
            if (!m_process.waitForFinished(5000))
                m_process.kill();
        }
    }

    QUrl httpUrl(const QString &path) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path));
    }
    QUrl wsUrl() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/presence").arg(m_port)); }
    QString errorText()
    {
        QString text = m_error + QString::fromLocal8Bit(m_process.readAll());
        for (const char *name : {"/error.log", "/access.log"}) {
            QFile log(m_dir.path() + QLatin1String(name));
            if (log.open(QIODevice::ReadOnly))
                text += QString::fromLocal8Bit(log.readAll().right(3000));
        }
        return text;
    }

private:
    QTemporaryDir m_dir{QDir::tempPath() + QStringLiteral("/spidi-nginx-XXXXXX")};
    QProcess m_process;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace

class TestLoadBalancerE2e : public QObject
{
    Q_OBJECT

private:
    QNetworkAccessManager m_http;

    int connectionsOf(ServerProcess &server)
    {
        return httpRequest(m_http, "GET", server.httpUrl(QStringLiteral("/health")))
            .json()
            .value("components")
            .toObject()
            .value("presence")
            .toObject()
            .value("connections")
            .toInt(-1);
    }

private Q_SLOTS:
    void devicesSurviveAnInstanceRestartBehindNginx()
    {
        Deployment cluster;
        QVERIFY2(cluster.start(Setup::Cluster,
                               {QStringLiteral("--flush-interval"), QStringLiteral("1")}),
                 qPrintable(cluster.errorText()));
        ServerProcess &a = cluster.instance(0);
        ServerProcess &b = cluster.instance(1);
        Nginx nginx;
        QVERIFY2(nginx.start(a.port(), b.port()), qPrintable(nginx.errorText()));
        QTRY_COMPARE_WITH_TIMEOUT(
            httpRequest(m_http, "GET", nginx.httpUrl(QStringLiteral("/health"))).status, 200, 5000);

        const QByteArray admin =
            a.token(QStringLiteral("alice"), QStringLiteral("acme"), {"spidi:admin"});
        const QByteArray device =
            a.token(QStringLiteral("dave"), QStringLiteral("acme"), {"spidi:user"});
        QCOMPARE(httpRequest(m_http, "POST", nginx.httpUrl(QStringLiteral("/api/v1/rooms")), admin,
                             {{QStringLiteral("code"), QStringLiteral("LB")},
                              {QStringLiteral("name"), QStringLiteral("Behind nginx")},
                              {QStringLiteral("typeCode"), QStringLiteral("CHAT")}})
                     .status,
                 201);
        // Problem details pass through untouched.
        const HttpReply denied =
            httpRequest(m_http, "GET", nginx.httpUrl(QStringLiteral("/api/v1/rooms")), "bad");
        QCOMPARE(denied.status, 401);
        QCOMPARE(denied.header("Content-Type"), QByteArray("application/problem+json"));
        // Both instances know the room before devices arrive on either.
        QTRY_COMPARE_WITH_TIMEOUT(
            httpRequest(m_http, "GET", b.httpUrl(QStringLiteral("/api/v1/rooms/LB")), admin).status,
            200, 2000);
        QTRY_COMPARE_WITH_TIMEOUT(
            httpRequest(m_http, "GET", a.httpUrl(QStringLiteral("/api/v1/rooms/LB")), admin).status,
            200, 2000);

        constexpr int kDevices = 4;
        std::vector<std::unique_ptr<WsClient>> devices;
        QStringList sessions;
        for (int i = 0; i < kDevices; ++i) {
            devices.push_back(std::make_unique<WsClient>());
            QVERIFY2(devices.back()->open(nginx.wsUrl(), device), qPrintable(nginx.errorText()));
            const auto ack =
                devices.back()->request(hello(QStringLiteral("LB"), QStringLiteral("d%1").arg(i)));
            QCOMPARE(typeOf(ack), QStringLiteral("ACK"));
            sessions.append(ack->value("sessionId").toString());
        }
        // least_conn spread them over both instances.
        QVERIFY2(
            connectionsOf(a) >= 1 && connectionsOf(b) >= 1,
            qPrintable(QStringLiteral("A %1, B %2").arg(connectionsOf(a)).arg(connectionsOf(b))));

        // Instance A is stopped (an upgrade): its devices lose their socket...
        QCOMPARE(a.terminate(), 0);
        int moved = 0;
        for (int i = 0; i < kDevices; ++i) {
            WsClient &client = *devices[size_t(i)];
            if (client.isConnected() && typeOf(client.request(heartbeat(sessions.at(i), 5))) ==
                                            QLatin1String("HEARTBEAT_ACK"))
                continue; // it was on B all along
            ++moved;
            // ...and come back through nginx, which now only has B, resuming the same session.
            client.close();
            WsClient &again = *(devices[size_t(i)] = std::make_unique<WsClient>());
            QVERIFY(again.open(nginx.wsUrl(), device));
            const auto ack = again.request(
                hello(QStringLiteral("LB"), QStringLiteral("d%1").arg(i), sessions.at(i), {}));
            QCOMPARE(typeOf(ack), QStringLiteral("ACK"));
            QCOMPARE(ack->value("sessionId").toString(), sessions.at(i));
            QCOMPARE(ack->value("resumed").toBool(), true);
            QCOMPARE(typeOf(again.request(heartbeat(sessions.at(i), 7))),
                     QStringLiteral("HEARTBEAT_ACK"));
        }
        QVERIFY(moved >= 1);
        qInfo("%d of %d devices moved from the stopped instance and resumed", moved, kDevices);

        // A dashboard through nginx sees all four, none of them ended.
        WsClient dashboard;
        QVERIFY(dashboard.open(nginx.wsUrl(), admin));
        QCOMPARE(typeOf(dashboard.request(subscribe(QStringLiteral("room/LB/metrics")))),
                 QStringLiteral("SUBSCRIBED"));
        const auto metrics = dashboard.waitForType(QStringLiteral("ROOM_METRICS"));
        QVERIFY(metrics);
        QCOMPARE(metrics->value("online").toInt(), kDevices);
        const auto rows = cluster.historyRows();
        for (const QString &id : sessions)
            QVERIFY2(!rows.value(id).ended, qPrintable(id));
        QVERIFY(cluster.terminateAll());
    }
};

QTEST_GUILESS_MAIN(TestLoadBalancerE2e)
#include "tst_load_balancer_e2e.moc"
