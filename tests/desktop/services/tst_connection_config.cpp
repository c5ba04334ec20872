// The connection's configuration: JWT claims decoded from the payload, server URL checks and
// the WebSocket URL derived from it, close codes in words, and what configure() remembers in
// QSettings (the token only when asked to). No server: nothing here needs to connect.
#include "services/connection_service.h"
#include "services/jwt_claims.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace spidi::desktop;

namespace {

QByteArray b64(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray makeToken(const QJsonObject &payload)
{
    return b64(R"({"alg":"HS256","typ":"JWT"})") + '.' +
           b64(QJsonDocument(payload).toJson(QJsonDocument::Compact)) + '.' + b64("signature");
}

QJsonObject claims(const QStringList &perms, qint64 exp = 4102444800) // 2100-01-01
{
    return {{QStringLiteral("sub"), QStringLiteral("alice")},
            {QStringLiteral("tenant"), QStringLiteral("acme")},
            {QStringLiteral("perms"), QJsonArray::fromStringList(perms)},
            {QStringLiteral("exp"), double(exp)}};
}

QSettings appSettings()
{
    return QSettings(QStringLiteral("Spidi"), QStringLiteral("spidi-desktop"));
}

} // namespace

class TestConnectionConfig : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_settingsDir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    }
    void init() { appSettings().clear(); }

    void decodesClaims_data()
    {
        QTest::addColumn<QStringList>("perms");
        QTest::addColumn<bool>("canAdmin");
        QTest::addColumn<bool>("canRead");
        QTest::newRow("admin") << QStringList{"spidi:admin"} << true << true;
        QTest::newRow("monitor") << QStringList{"spidi:monitor"} << false << true;
        QTest::newRow("user") << QStringList{"spidi:user"} << false << false;
        QTest::newRow("none") << QStringList{} << false << false;
        QTest::newRow("exact match only")
            << QStringList{"SPIDI:ADMIN", "spidi:monitorx"} << false << false;
    }
    void decodesClaims()
    {
        QFETCH(QStringList, perms);
        QFETCH(bool, canAdmin);
        QFETCH(bool, canRead);
        QString error;
        const auto decoded = JwtClaims::decode(makeToken(claims(perms, 1795000000)), &error);
        QVERIFY2(decoded, qPrintable(error));
        QCOMPARE(decoded->subject, QStringLiteral("alice"));
        QCOMPARE(decoded->tenant, QStringLiteral("acme"));
        QCOMPARE(decoded->perms, perms);
        QCOMPARE(decoded->canAdmin(), canAdmin);
        QCOMPARE(decoded->canRead(), canRead);
        QCOMPARE(decoded->expiresAt, QDateTime::fromSecsSinceEpoch(1795000000, Qt::UTC));
        QVERIFY(decoded->isExpired(QDateTime::fromSecsSinceEpoch(1795000001, Qt::UTC)));
        QVERIFY(!decoded->isExpired(QDateTime::fromSecsSinceEpoch(1794999999, Qt::UTC)));
    }

    void refusesWhatIsNotAJwt_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("one part") << QByteArray("x");
        QTest::newRow("two parts") << QByteArray("a.b");
        QTest::newRow("bad character") << QByteArray("a.b*c.d");
        QTest::newRow("payload not JSON") << (b64("{}") + '.' + b64("not json") + '.' + b64("s"));
        QTest::newRow("payload an array") << (b64("{}") + '.' + b64("[1]") + '.' + b64("s"));
    }
    void refusesWhatIsNotAJwt()
    {
        QFETCH(QByteArray, token);
        QString error;
        QVERIFY(!JwtClaims::decode(token, &error));
        QVERIFY(!error.isEmpty());
    }

    void derivesTheWebSocketUrl_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("server");
        QTest::addColumn<QString>("ws");
        QTest::newRow("http") << "http://127.0.0.1:8080"
                              << "http://127.0.0.1:8080"
                              << "ws://127.0.0.1:8080/ws/presence";
        QTest::newRow("https with prefix") << "https://spidi.example.org/spidi/"
                                           << "https://spidi.example.org/spidi/"
                                           << "wss://spidi.example.org/spidi/ws/presence";
        QTest::newRow("no scheme") << " host:9000 "
                                   << "http://host:9000"
                                   << "ws://host:9000/ws/presence";
        QTest::newRow("query dropped") << "http://h:1/?x=1#f"
                                       << "http://h:1/"
                                       << "ws://h:1/ws/presence";
    }
    void derivesTheWebSocketUrl()
    {
        QFETCH(QString, input);
        QFETCH(QString, server);
        QFETCH(QString, ws);
        QString error;
        const QUrl url = ConnectionService::parseServerUrl(input, &error);
        QVERIFY2(url.isValid(), qPrintable(error));
        QCOMPARE(url.toString(), server);
        QCOMPARE(ConnectionService::webSocketUrlFor(url).toString(), ws);
    }

    void refusesBadServerUrls_data()
    {
        QTest::addColumn<QString>("input");
        QTest::newRow("empty") << "";
        QTest::newRow("ftp") << "ftp://host:21";
        QTest::newRow("ws") << "ws://host:8080";
        QTest::newRow("no host") << "http://";
    }
    void refusesBadServerUrls()
    {
        QFETCH(QString, input);
        QString error;
        QVERIFY(!ConnectionService::parseServerUrl(input, &error).isValid());
        QVERIFY(!error.isEmpty());
    }

    void describesCloseCodes()
    {
        QCOMPARE(ConnectionService::describeClose(1001, QString()),
                 QStringLiteral("the server is shutting down"));
        QVERIFY(ConnectionService::describeClose(1008, QString()).contains(u"too many messages"));
        QVERIFY(ConnectionService::describeClose(4401, QString()).contains(u"token refused"));
        QCOMPARE(ConnectionService::describeClose(1006, QStringLiteral("x")),
                 QStringLiteral("connection lost (x)"));
    }

    void configureRemembersTheTokenOnlyWhenAsked()
    {
        const QByteArray token = makeToken(claims({QStringLiteral("spidi:monitor")}));
        {
            ConnectionService service;
            QVERIFY(service.configure(QStringLiteral("http://127.0.0.1:1"),
                                      QString::fromUtf8(token), false));
            QVERIFY(service.configured());
            QVERIFY(service.canRead());
            QVERIFY(!service.canAdmin());
            QCOMPARE(service.userId(), QStringLiteral("alice"));
            QCOMPARE(service.tenantId(), QStringLiteral("acme"));
            QCOMPARE(service.webSocketUrl(), QUrl(QStringLiteral("ws://127.0.0.1:1/ws/presence")));
            QVERIFY(service.stale());
            service.disconnectFromServer();
        }
        QCOMPARE(appSettings().value(QStringLiteral("connection/serverUrl")).toString(),
                 QStringLiteral("http://127.0.0.1:1"));
        QVERIFY(!appSettings().contains(QStringLiteral("connection/token")));
        {
            ConnectionService service; // a new start: URL remembered, token not
            QCOMPARE(service.serverUrl(), QStringLiteral("http://127.0.0.1:1"));
            QVERIFY(service.rememberedToken().isEmpty());
            service.start(QString(), QString());
            QVERIFY(!service.configured()); // the connect page asks for the token
            QVERIFY(service.configure(service.serverUrl(), QString::fromUtf8(token), true));
            service.disconnectFromServer();
        }
        {
            ConnectionService service;
            QCOMPARE(service.rememberedToken(), QString::fromUtf8(token));
            QVERIFY(service.rememberToken());
            service.start(QString(), QString());
            QVERIFY(service.configured());
            QCOMPARE(service.state(), ConnectionService::Connecting);
            service.disconnectFromServer();
            QVERIFY(service.configure(service.serverUrl(), QString::fromUtf8(token), false));
            service.disconnectFromServer();
        }
        QVERIFY(!appSettings().contains(QStringLiteral("connection/token"))); // forgotten again
    }

    void commandLineOverridesAreNotRemembered()
    {
        const QByteArray token = makeToken(claims({QStringLiteral("spidi:admin")}));
        ConnectionService service;
        service.start(QStringLiteral("http://10.0.0.1:9"), QString::fromUtf8(token));
        QVERIFY(service.configured());
        QVERIFY(service.canAdmin());
        QCOMPARE(service.serverUrl(), QStringLiteral("http://10.0.0.1:9"));
        service.disconnectFromServer();
        QVERIFY(!appSettings().contains(QStringLiteral("connection/serverUrl")));
        QVERIFY(!appSettings().contains(QStringLiteral("connection/token")));
    }

    void configureRefusesUnusableInput()
    {
        ConnectionService service;
        QVERIFY(!service.configure(QStringLiteral("ftp://x"),
                                   QString::fromUtf8(makeToken(claims({}))), false));
        QVERIFY(service.lastError().contains(u"server URL"));
        QVERIFY(!service.configure(QStringLiteral("http://h:1"), QStringLiteral("x"), false));
        QVERIFY(service.lastError().contains(u"not a JWT"));
        QVERIFY(!service.configure(QStringLiteral("http://h:1"),
                                   QString::fromUtf8(makeToken(claims({}, 1000))), false));
        QVERIFY(service.lastError().contains(u"expired"));
        QVERIFY(!service.configured());
        QCOMPARE(service.state(), ConnectionService::Disconnected);
    }

    void readsTheTokenFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("token"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("\n  eyJhbGciOi.eyJzdWIi.sig  \nsecond\n");
        file.close();
        ConnectionService service;
        QCOMPARE(service.readTokenFile(QUrl::fromLocalFile(path)),
                 QStringLiteral("eyJhbGciOi.eyJzdWIi.sig"));
        QCOMPARE(service.readTokenFile(QUrl::fromLocalFile(dir.filePath(QStringLiteral("none")))),
                 QString());
        QVERIFY(service.lastError().startsWith(u"Cannot read"));
    }
};

QTEST_GUILESS_MAIN(TestConnectionConfig)
#include "tst_connection_config.moc"
