// End to end: the spidi-sim binary (SPIDI_SIM_BIN) against a real spidi-server, checked over
// REST while it runs and after it has left.
#include "server_process.h"

#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace spidi::test;

namespace {

const QString kTenant = QStringLiteral("simco");
const QStringList kUsers = {QStringLiteral("ana"), QStringLiteral("ben"), QStringLiteral("cho")};
const QStringList kRooms = {QStringLiteral("SIMT-01"), QStringLiteral("SIMT-02"),
                            QStringLiteral("SIMT-03")};

// The number after `label` in the sim's last status line (-1 when absent).
qint64 statusFigure(const QString &output, const QString &label)
{
    const QRegularExpression pattern(QRegularExpression::escape(label) + QStringLiteral(" (\\d+)"));
    qint64 value = -1;
    auto it = pattern.globalMatch(output);
    while (it.hasNext())
        value = it.next().captured(1).toLongLong();
    return value;
}

} // namespace

class TestSim : public QObject
{
    Q_OBJECT

private:
    ServerProcess m_server;
    QNetworkAccessManager m_http;
    QTemporaryDir m_dir;
    QByteArray m_admin, m_monitor;
    QString m_tokenFile;

    QStringList simArguments(const QStringList &extra) const
    {
        return QStringList{QStringLiteral("--url"),
                           m_server.wsUrl().toString(),
                           QStringLiteral("--token-file"),
                           m_tokenFile,
                           QStringLiteral("--admin-token"),
                           QString::fromUtf8(m_admin),
                           QStringLiteral("--create-rooms"),
                           QStringLiteral("--room-prefix"),
                           QStringLiteral("SIMT"),
                           QStringLiteral("--rooms"),
                           QString::number(kRooms.size()),
                           QStringLiteral("--heartbeat-interval"),
                           QStringLiteral("0.3"),
                           QStringLiteral("--status-interval"),
                           QStringLiteral("1"),
                           QStringLiteral("--ramp-up"),
                           QStringLiteral("0.5")} +
               extra;
    }

    QJsonObject get(const QString &path)
    {
        const HttpReply reply = httpRequest(m_http, "GET", m_server.httpUrl(path), m_monitor);
        return reply.status == 200 ? reply.json() : QJsonObject();
    }

    int liveSessions()
    {
        int total = 0;
        for (const QString &room : kRooms)
            total += get(QStringLiteral("/api/v1/rooms/%1/sessions").arg(room))
                         .value(QStringLiteral("total"))
                         .toInt();
        return total;
    }

    QJsonArray userSessions(const QString &user)
    {
        return get(QStringLiteral("/api/v1/users/%1/sessions").arg(user))
            .value(QStringLiteral("items"))
            .toArray();
    }

    // Waits for the sim to end (running the event loop, so the server's log keeps being
    // read); returns its stderr, where the status lines go.
    QString runToEnd(QProcess &sim, int timeoutMs)
    {
        QSignalSpy finished(&sim, &QProcess::finished);
        if (sim.state() != QProcess::NotRunning && !finished.wait(timeoutMs)) {
            sim.kill();
            sim.waitForFinished();
        }
        return QString::fromUtf8(sim.readAllStandardError());
    }

    QStringList endReasons() const
    {
        QStringList reasons;
        for (const QJsonObject &event : m_server.logEvents(QStringLiteral("session.ended")))
            reasons.append(event.value(QStringLiteral("reason")).toString());
        return reasons;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariableIsEmpty("SPIDI_SIM_BIN"), "SPIDI_SIM_BIN not set");
        QVERIFY(m_dir.isValid());
        // A short timeout so that silent devices are expired within a short run.
        QVERIFY2(m_server.start({QStringLiteral("--heartbeat-interval"), QStringLiteral("1"),
                                 QStringLiteral("--session-timeout"), QStringLiteral("2")}),
                 qPrintable(m_server.errorText()));
        m_admin = m_server.token(QStringLiteral("root"), kTenant, {QStringLiteral("spidi:admin")});
        m_monitor =
            m_server.token(QStringLiteral("mona"), kTenant, {QStringLiteral("spidi:monitor")});
        QVERIFY(!m_admin.isEmpty() && !m_monitor.isEmpty());
        QFile file(m_dir.filePath(QStringLiteral("users.tokens")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("# one device token per simulated user\n");
        for (const QString &user : kUsers) {
            const QByteArray token = m_server.token(user, kTenant, {QStringLiteral("spidi:user")});
            QVERIFY(!token.isEmpty());
            file.write(token + "\n");
        }
        m_tokenFile = file.fileName();
    }

    void cleanupTestCase() { QCOMPARE(m_server.terminate(), 0); }

    void fleetJoinsCreatedRoomsWithSeveralDevicesPerUserAndLeaves()
    {
        QProcess sim;
        sim.start(qEnvironmentVariable("SPIDI_SIM_BIN"),
                  simArguments({QStringLiteral("--devices"), QStringLiteral("12"),
                                QStringLiteral("--duration"), QStringLiteral("8"),
                                QStringLiteral("--churn"), QStringLiteral("0"),
                                QStringLiteral("--silent-share"), QStringLiteral("0"),
                                QStringLiteral("--reconnect-share"), QStringLiteral("0.25"),
                                QStringLiteral("--fault-interval"), QStringLiteral("1"),
                                QStringLiteral("--seed"), QStringLiteral("7")}));
        QVERIFY(sim.waitForStarted());

        // Rooms created through REST, then every device live in them. Dropped devices resume
        // the same session, so the count holds through their drops.
        QTRY_VERIFY_WITH_TIMEOUT(!get(QStringLiteral("/api/v1/rooms/SIMT-03")).isEmpty(), 10000);
        for (const QString &room : kRooms) {
            const QJsonObject created = get(QStringLiteral("/api/v1/rooms/") + room);
            QCOMPARE(created.value("code").toString(), room);
            QVERIFY(created.value("tags").toArray().contains(QStringLiteral("sim")));
        }
        QTRY_COMPARE_WITH_TIMEOUT(liveSessions(), 12, 10000);
        for (const QString &room : kRooms)
            QVERIFY2(
                get(QStringLiteral("/api/v1/rooms/%1/sessions").arg(room)).value("total").toInt() >
                    0,
                qPrintable(room));

        // Every user is online; at least one carries several distinct devices.
        int total = 0;
        int mostDevices = 0;
        for (const QString &user : kUsers) {
            const QJsonArray items = userSessions(user);
            QVERIFY2(!items.isEmpty(), qPrintable(user));
            total += int(items.size());
            QSet<QString> clientIds;
            for (const QJsonValue &s : items) {
                QCOMPARE(s.toObject().value("userId").toString(), user);
                clientIds.insert(s.toObject().value("clientId").toString());
            }
            QCOMPARE(clientIds.size(), items.size());
            mostDevices = std::max(mostDevices, int(items.size()));
        }
        QCOMPARE(total, 12);
        QVERIFY2(mostDevices >= 2, qPrintable(QString::number(mostDevices)));

        // Modelled latencies arrive, and the profiles are a mix.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const QString &user : kUsers)
                    for (const QJsonValue &s : userSessions(user))
                        if (s.toObject().value("latencyMs").isNull())
                            return false;
                return true;
            }(),
            10000);
        QSet<QString> systems;
        QList<int> latencies;
        for (const QString &user : kUsers)
            for (const QJsonValue &s : userSessions(user)) {
                const QJsonObject session = s.toObject();
                systems.insert(session.value("os").toString());
                QVERIFY(!session.value("device").toString().isEmpty());
                QVERIFY(!session.value("appVersion").toString().isEmpty());
                latencies.append(session.value("latencyMs").toInt());
            }
        QVERIFY2(systems.size() >= 2, qPrintable(QStringList(systems.values()).join(',')));
        std::sort(latencies.begin(), latencies.end());
        const int median = latencies.at(latencies.size() / 2);
        QVERIFY2(median >= 5 && median <= 400, qPrintable(QString::number(median)));

        const QString output = runToEnd(sim, 30000);
        QCOMPARE(sim.exitStatus(), QProcess::NormalExit);
        QVERIFY2(sim.exitCode() == 0, qPrintable(output));
        QVERIFY2(output.contains(QLatin1String("3 created, 0 existed")), qPrintable(output));
        QVERIFY2(output.contains(QLatin1String("every device left")), qPrintable(output));
        QVERIFY2(statusFigure(output, QStringLiteral("drops")) > 0, qPrintable(output));
        QVERIFY2(statusFigure(output, QStringLiteral("resumed")) > 0, qPrintable(output));
        QCOMPARE(statusFigure(output, QStringLiteral("errors")), 0);
        // Left cleanly: nothing live, and every session ended as LEFT (none DISCONNECTED later).
        QCOMPARE(liveSessions(), 0);
        QTRY_COMPARE(endReasons().size(), 12);
        QCOMPARE(endReasons(), QStringList(12, QStringLiteral("LEFT")));
    }

    void churnAndSilentDevicesOnExistingRooms()
    {
        QProcess sim;
        sim.start(qEnvironmentVariable("SPIDI_SIM_BIN"),
                  simArguments({QStringLiteral("--devices"), QStringLiteral("10"),
                                QStringLiteral("--duration"), QStringLiteral("8"),
                                QStringLiteral("--churn"), QStringLiteral("20"),
                                QStringLiteral("--silent-share"), QStringLiteral("0.5"),
                                QStringLiteral("--reconnect-share"), QStringLiteral("0"),
                                QStringLiteral("--fault-interval"), QStringLiteral("0.5"),
                                QStringLiteral("--seed"), QStringLiteral("11")}));
        QVERIFY(sim.waitForStarted());
        const QString output = runToEnd(sim, 40000);
        QCOMPARE(sim.exitStatus(), QProcess::NormalExit);
        QVERIFY2(sim.exitCode() == 0, qPrintable(output));
        // The rooms of the first run are there already: 409 is fine.
        QVERIFY2(output.contains(QLatin1String("0 created, 3 existed")), qPrintable(output));
        QVERIFY2(statusFigure(output, QStringLiteral("churn")) > 0, qPrintable(output));
        QVERIFY2(statusFigure(output, QStringLiteral("silences")) > 0, qPrintable(output));
        // Silent devices were expired by the server and joined again.
        QVERIFY2(statusFigure(output, QStringLiteral("ended by server")) > 0, qPrintable(output));
        QTRY_VERIFY(endReasons().contains(QStringLiteral("EXPIRED")));
        QCOMPARE(liveSessions(), 0);
    }

    void badOptionsExitWithUsageError()
    {
        QProcess sim;
        sim.start(qEnvironmentVariable("SPIDI_SIM_BIN"),
                  {QStringLiteral("--devices"), QStringLiteral("0"), QStringLiteral("--token"),
                   QStringLiteral("x")});
        QVERIFY(sim.waitForFinished(10000));
        QCOMPARE(sim.exitCode(), 2);
        QVERIFY(sim.readAllStandardError().contains("--devices"));

        sim.start(qEnvironmentVariable("SPIDI_SIM_BIN"), {QStringLiteral("--version")});
        QVERIFY(sim.waitForFinished(10000));
        QCOMPARE(sim.exitCode(), 0);
        QVERIFY(sim.readAllStandardOutput().startsWith("spidi-sim "));
    }
};

QTEST_GUILESS_MAIN(TestSim)
#include "tst_sim.moc"
