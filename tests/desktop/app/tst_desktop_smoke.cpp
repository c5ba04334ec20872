// Smoke test of the built spidi-desktop (SPIDI_DESKTOP_BIN) under the offscreen platform: it
// loads Main.qml without a single QML warning (every import and type resolves), shows the
// connect page or the dashboard, and quits cleanly when asked; --help and --version work.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

QByteArray b64(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// Well-formed but unsigned: the console accepts it (it does not verify), a server would not.
QString unsignedAdminToken()
{
    const QJsonObject payload{{QStringLiteral("sub"), QStringLiteral("smoke")},
                              {QStringLiteral("tenant"), QStringLiteral("smoke")},
                              {QStringLiteral("perms"), QJsonArray{QStringLiteral("spidi:admin")}},
                              {QStringLiteral("exp"), 4102444800.0}};
    return QString::fromLatin1(b64(R"({"alg":"HS256"})") + '.' +
                               b64(QJsonDocument(payload).toJson(QJsonDocument::Compact)) + '.' +
                               b64("sig"));
}

struct Run
{
    int exitCode = -1;
    QProcess::ExitStatus status = QProcess::CrashExit;
    QString out;
    QString err;
};

Run run(const QStringList &args, const QString &configHome)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("QT_QUICK_BACKEND"), QStringLiteral("software"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), configHome); // never the user's settings
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("spidi.desktop.debug=false"));
    process.setProcessEnvironment(env);
    process.start(qEnvironmentVariable("SPIDI_DESKTOP_BIN"), args);
    Run result;
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.exitCode = process.exitCode();
    result.status = process.exitStatus();
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

} // namespace

class TestDesktopSmoke : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_config;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariableIsEmpty("SPIDI_DESKTOP_BIN"), "SPIDI_DESKTOP_BIN is not set");
        QVERIFY(m_config.isValid());
    }

    void loadsWithoutQmlWarningsAndQuits_data()
    {
        QTest::addColumn<QString>("token");
        QTest::addColumn<QString>("expectedLog");
        // Not a JWT: the connect page, with the reason.
        QTest::newRow("connect page")
            << QStringLiteral("x") << QStringLiteral("connection.token_unusable");
        // A usable token and no server on port 1: the dashboard, reconnecting.
        QTest::newRow("dashboard")
            << unsignedAdminToken() << QStringLiteral("ws.reconnect_scheduled");
    }
    void loadsWithoutQmlWarningsAndQuits()
    {
        QFETCH(QString, token);
        QFETCH(QString, expectedLog);
        const Run r = run({QStringLiteral("--server"), QStringLiteral("http://127.0.0.1:1"),
                           QStringLiteral("--token"), token, QStringLiteral("--quit-after"),
                           QStringLiteral("1500")},
                          m_config.path());
        QCOMPARE(r.status, QProcess::NormalExit);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(!r.err.contains(u"qml.warning"), qPrintable(r.err));
        QVERIFY2(r.err.contains(u"app.exit code=0 qml_warnings=0"), qPrintable(r.err));
        QVERIFY2(r.err.contains(expectedLog), qPrintable(r.err));
    }

    void helpAndVersion()
    {
        const Run version = run({QStringLiteral("--version")}, m_config.path());
        QCOMPARE(version.exitCode, 0);
        QVERIFY2(version.out.contains(QStringLiteral(SPIDI_TEST_VERSION)), qPrintable(version.out));
        const Run help = run({QStringLiteral("--help")}, m_config.path());
        QCOMPARE(help.exitCode, 0);
        for (const char *option : {"--server", "--token", "--token-file", "--version"})
            QVERIFY2(help.out.contains(QLatin1String(option)), option);
        QVERIFY(!help.out.contains(u"--quit-after")); // for tests only
        const Run both = run({QStringLiteral("--token"), QStringLiteral("a"),
                              QStringLiteral("--token-file"), QStringLiteral("/nonexistent")},
                             m_config.path());
        QCOMPARE(both.exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestDesktopSmoke)
#include "tst_desktop_smoke.moc"
