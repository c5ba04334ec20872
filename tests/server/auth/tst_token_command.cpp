// `spidi-server token …` (SPEC section 5a): runs in-process with its own environment and output
// buffers, and the tokens it prints are checked with the server's verifier.
#include "auth/jwt_keys.h"
#include "auth/jwt_verifier.h"
#include "auth/token_command.h"

#include <QBuffer>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace spidi;

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run run(const QStringList &args, const QProcessEnvironment &env)
{
    QBuffer out;
    QBuffer err;
    out.open(QIODevice::WriteOnly);
    err.open(QIODevice::WriteOnly);
    Run result;
    result.exitCode =
        runTokenCommand(QStringList{QStringLiteral("spidi-server")} + args, env, out, err);
    result.out = QString::fromUtf8(out.data());
    result.err = QString::fromUtf8(err.data());
    return result;
}

QJsonObject payloadOf(const QString &token)
{
    const QStringList parts = token.split(QLatin1Char('.'));
    if (parts.size() != 3)
        return {};
    return QJsonDocument::fromJson(
               QByteArray::fromBase64(parts[1].toLatin1(), QByteArray::Base64UrlEncoding))
        .object();
}

// Owner-only, as a secret file should be (otherwise the key loader warns).
bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size() &&
           file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

} // namespace

class TestTokenCommand : public QObject
{
    Q_OBJECT

private slots:
    void init();

    void help();
    void mintsWithGeneratedSecret();
    void tokenWordIsOptional();
    void ttl_data();
    void ttl();
    void dataDirFromEnvironment();
    void secretFileFlagWinsOverEnvironment();
    void configFile();
    void usageErrors_data();
    void usageErrors();
    void shortSecretFails();
    void rs256();

private:
    QProcessEnvironment cleanEnv() const;
    Result<Principal> verify(const QString &token, const AuthConfig &auth) const;

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestTokenCommand::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QProcessEnvironment TestTokenCommand::cleanEnv() const
{
    // No SPIDI_* from the machine running the tests; HOME inside the temporary directory.
    QProcessEnvironment env;
    env.insert(QStringLiteral("HOME"), m_dir->path());
    return env;
}

Result<Principal> TestTokenCommand::verify(const QString &token, const AuthConfig &auth) const
{
    const auto keys = loadJwtKeys(auth, false);
    if (!keys)
        return keys.error();
    return JwtVerifier(*keys).verify(token.trimmed().toLatin1(),
                                     QDateTime::currentSecsSinceEpoch());
}

void TestTokenCommand::help()
{
    const Run r = run({QStringLiteral("token"), QStringLiteral("--help")}, cleanEnv());
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.err.isEmpty());
    for (const char *option :
         {"--sub", "--tenant", "--perms", "--ttl", "--config", "--data-dir", "--jwt-secret-file",
          "--jwt-public-key", "--jwt-private-key", "SPIDI_DATA_DIR", "spidi:admin", "spidi:monitor",
          "spidi:user", "spidi:execute"})
        QVERIFY2(r.out.contains(QLatin1String(option)), option);
}

void TestTokenCommand::mintsWithGeneratedSecret()
{
    const QString dataDir = m_dir->filePath(QStringLiteral("data"));
    const qint64 before = QDateTime::currentSecsSinceEpoch();
    const Run r =
        run({QStringLiteral("token"), QStringLiteral("--sub"), QStringLiteral("alice"),
             QStringLiteral("--tenant"), QStringLiteral("acme"), QStringLiteral("--perms"),
             QStringLiteral("spidi:admin, spidi:user"), QStringLiteral("--data-dir"), dataDir},
            cleanEnv());
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.err.isEmpty());
    QVERIFY(r.out.endsWith(QLatin1Char('\n')));
    QCOMPARE(r.out.count(QLatin1Char('\n')), 1);
    QVERIFY(QFile::exists(dataDir + QStringLiteral("/jwt.secret")));

    const auto principal = verify(r.out, AuthConfig{{}, {}, {}, dataDir});
    QVERIFY2(principal.ok(), qPrintable(principal.ok() ? QString() : principal.error().message));
    QCOMPARE(principal->userId, QStringLiteral("alice"));
    QCOMPARE(principal->tenantId, QStringLiteral("acme"));
    QCOMPARE(principal->permissions,
             QSet<QString>({QStringLiteral("spidi:admin"), QStringLiteral("spidi:user")}));

    // Default lifetime 24 h.
    const QJsonObject claims = payloadOf(r.out.trimmed());
    const qint64 iat = qint64(claims.value("iat").toDouble());
    QVERIFY(iat >= before && iat <= QDateTime::currentSecsSinceEpoch());
    QCOMPARE(qint64(claims.value("exp").toDouble()) - iat, qint64(24 * 3600));

    // A second token reuses the same secret.
    const Run again =
        run({QStringLiteral("--sub"), QStringLiteral("bob"), QStringLiteral("--tenant"),
             QStringLiteral("acme"), QStringLiteral("--perms"), QStringLiteral("spidi:monitor"),
             QStringLiteral("--data-dir"), dataDir},
            cleanEnv());
    QCOMPARE(again.exitCode, 0);
    QVERIFY(verify(again.out, AuthConfig{{}, {}, {}, dataDir}).ok());
}

void TestTokenCommand::tokenWordIsOptional()
{
    const QString dataDir = m_dir->filePath(QStringLiteral("data"));
    const QStringList options = {QStringLiteral("--sub"),      QStringLiteral("u"),
                                 QStringLiteral("--tenant"),   QStringLiteral("t"),
                                 QStringLiteral("--perms"),    QStringLiteral("spidi:user"),
                                 QStringLiteral("--data-dir"), dataDir};
    const Run with = run(QStringList{QStringLiteral("token")} + options, cleanEnv());
    const Run without = run(options, cleanEnv());
    QCOMPARE(with.exitCode, 0);
    QCOMPARE(without.exitCode, 0);
    QCOMPARE(payloadOf(with.out.trimmed()).value("sub").toString(), QStringLiteral("u"));
    QCOMPARE(payloadOf(without.out.trimmed()).value("sub").toString(), QStringLiteral("u"));
}

void TestTokenCommand::ttl_data()
{
    QTest::addColumn<QString>("ttl");
    QTest::addColumn<qint64>("seconds");
    QTest::newRow("plain seconds") << "600" << qint64(600);
    QTest::newRow("seconds") << "90s" << qint64(90);
    QTest::newRow("minutes") << "15m" << qint64(900);
    QTest::newRow("hours") << "2h" << qint64(7200);
    QTest::newRow("days") << "7d" << qint64(7 * 86400);
}

void TestTokenCommand::ttl()
{
    QFETCH(QString, ttl);
    QFETCH(qint64, seconds);
    const Run r = run({QStringLiteral("token"), QStringLiteral("--sub"), QStringLiteral("u"),
                       QStringLiteral("--tenant"), QStringLiteral("t"), QStringLiteral("--perms"),
                       QStringLiteral("spidi:user"), QStringLiteral("--ttl"), ttl,
                       QStringLiteral("--data-dir"), m_dir->path()},
                      cleanEnv());
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject claims = payloadOf(r.out.trimmed());
    QCOMPARE(qint64(claims.value("exp").toDouble()) - qint64(claims.value("iat").toDouble()),
             seconds);
}

void TestTokenCommand::dataDirFromEnvironment()
{
    const QString dataDir = m_dir->filePath(QStringLiteral("from-env"));
    QProcessEnvironment env = cleanEnv();
    env.insert(QStringLiteral("SPIDI_DATA_DIR"), dataDir);
    const Run r = run({QStringLiteral("token"), QStringLiteral("--sub"), QStringLiteral("u"),
                       QStringLiteral("--tenant"), QStringLiteral("t"), QStringLiteral("--perms"),
                       QStringLiteral("spidi:user")},
                      env);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(QFile::exists(dataDir + QStringLiteral("/jwt.secret")));
    QVERIFY(verify(r.out, AuthConfig{{}, {}, {}, dataDir}).ok());
}

void TestTokenCommand::secretFileFlagWinsOverEnvironment()
{
    const QString flagSecret = m_dir->filePath(QStringLiteral("flag.secret"));
    const QString envSecret = m_dir->filePath(QStringLiteral("env.secret"));
    QVERIFY(writeFile(flagSecret, QByteArray(40, 'f')));
    QVERIFY(writeFile(envSecret, QByteArray(40, 'e')));
    QProcessEnvironment env = cleanEnv();
    env.insert(QStringLiteral("SPIDI_JWT_SECRET_FILE"), envSecret);
    env.insert(QStringLiteral("SPIDI_DATA_DIR"), m_dir->path());
    const QStringList base = {QStringLiteral("token"),     QStringLiteral("--sub"),
                              QStringLiteral("u"),         QStringLiteral("--tenant"),
                              QStringLiteral("t"),         QStringLiteral("--perms"),
                              QStringLiteral("spidi:user")};

    const Run fromEnv = run(base, env);
    QCOMPARE(fromEnv.exitCode, 0);
    QVERIFY(verify(fromEnv.out, AuthConfig{envSecret, {}, {}, {}}).ok());
    QVERIFY(!verify(fromEnv.out, AuthConfig{flagSecret, {}, {}, {}}).ok());

    const Run fromFlag =
        run(base + QStringList{QStringLiteral("--jwt-secret-file"), flagSecret}, env);
    QCOMPARE(fromFlag.exitCode, 0);
    QVERIFY(verify(fromFlag.out, AuthConfig{flagSecret, {}, {}, {}}).ok());
    QVERIFY(!verify(fromFlag.out, AuthConfig{envSecret, {}, {}, {}}).ok());
    // No secret was generated in the data dir: an explicit file was configured.
    QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("jwt.secret"))));
}

void TestTokenCommand::configFile()
{
    const QString secret = m_dir->filePath(QStringLiteral("conf.secret"));
    QVERIFY(writeFile(secret, QByteArray(48, 'k') + '\n'));
    const QString config = m_dir->filePath(QStringLiteral("spidi.conf"));
    // Relative paths in the file are relative to the file.
    QVERIFY(writeFile(config, "jwt-secret-file = conf.secret\nport = 9000\n"));
    const Run r =
        run({QStringLiteral("token"), QStringLiteral("--config"), config, QStringLiteral("--sub"),
             QStringLiteral("u"), QStringLiteral("--tenant"), QStringLiteral("t"),
             QStringLiteral("--perms"), QStringLiteral("spidi:user")},
            cleanEnv());
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(verify(r.out, AuthConfig{secret, {}, {}, {}}).ok());
}

void TestTokenCommand::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("errorPart");
    const QStringList sub = {QStringLiteral("--sub"), QStringLiteral("u")};
    const QStringList tenant = {QStringLiteral("--tenant"), QStringLiteral("t")};
    const QStringList perms = {QStringLiteral("--perms"), QStringLiteral("spidi:user")};
    QTest::newRow("missing sub") << tenant + perms << "--sub is required";
    QTest::newRow("blank sub") << QStringList{QStringLiteral("--sub"), QStringLiteral(" ")} +
                                      tenant + perms
                               << "--sub is required";
    QTest::newRow("missing tenant") << sub + perms << "--tenant is required";
    QTest::newRow("missing perms") << sub + tenant << "--perms is required";
    QTest::newRow("only commas") << sub + tenant +
                                        QStringList{QStringLiteral("--perms"),
                                                    QStringLiteral(" , ,")}
                                 << "--perms lists no permission";
    QTest::newRow("unknown permission")
        << sub + tenant + QStringList{QStringLiteral("--perms"), QStringLiteral("spidi:user,root")}
        << "unknown permission 'root'";
    QTest::newRow("bad ttl") << sub + tenant + perms +
                                    QStringList{QStringLiteral("--ttl"), QStringLiteral("soon")}
                             << "--ttl";
    QTest::newRow("negative ttl") << sub + tenant + perms +
                                         QStringList{QStringLiteral("--ttl"), QStringLiteral("-5")}
                                  << "--ttl";
    QTest::newRow("zero ttl") << sub + tenant + perms +
                                     QStringList{QStringLiteral("--ttl"), QStringLiteral("0")}
                              << "--ttl must be positive";
    QTest::newRow("unknown option")
        << sub + tenant + perms + QStringList{QStringLiteral("--port"), QStringLiteral("1")}
        << "port";
    QTest::newRow("stray argument") << sub + tenant + perms + QStringList{QStringLiteral("extra")}
                                    << "unexpected argument 'extra'";
    QTest::newRow("missing config file")
        << sub + tenant + perms +
               QStringList{QStringLiteral("--config"), QStringLiteral("/nonexistent/spidi.conf")}
        << "/nonexistent/spidi.conf";
}

void TestTokenCommand::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, errorPart);
    const Run r = run(QStringList{QStringLiteral("token")} + args +
                          QStringList{QStringLiteral("--data-dir"), m_dir->path()},
                      cleanEnv());
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.contains(errorPart), qPrintable(r.err));
    QVERIFY(r.err.contains(QLatin1String("spidi-server token --help")));
    // A usage error creates nothing.
    QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("jwt.secret"))));
}

void TestTokenCommand::shortSecretFails()
{
    const QString secret = m_dir->filePath(QStringLiteral("short.secret"));
    QVERIFY(writeFile(secret, "too short"));
    const Run r = run({QStringLiteral("token"), QStringLiteral("--sub"), QStringLiteral("u"),
                       QStringLiteral("--tenant"), QStringLiteral("t"), QStringLiteral("--perms"),
                       QStringLiteral("spidi:user"), QStringLiteral("--jwt-secret-file"), secret,
                       QStringLiteral("--data-dir"), m_dir->path()},
                      cleanEnv());
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.contains(secret), qPrintable(r.err));
}

void TestTokenCommand::rs256()
{
    const QString privateKey = m_dir->filePath(QStringLiteral("private.pem"));
    const QString publicKey = m_dir->filePath(QStringLiteral("public.pem"));
    QProcess genrsa;
    genrsa.start(QStringLiteral("openssl"), {QStringLiteral("genrsa"), QStringLiteral("-out"),
                                             privateKey, QStringLiteral("2048")});
    QVERIFY(genrsa.waitForFinished(60000));
    QCOMPARE(genrsa.exitCode(), 0);
    QProcess pubout;
    pubout.start(QStringLiteral("openssl"),
                 {QStringLiteral("rsa"), QStringLiteral("-in"), privateKey,
                  QStringLiteral("-pubout"), QStringLiteral("-out"), publicKey});
    QVERIFY(pubout.waitForFinished(60000));
    QCOMPARE(pubout.exitCode(), 0);

    const QStringList base = {QStringLiteral("token"),
                              QStringLiteral("--sub"),
                              QStringLiteral("dev-1"),
                              QStringLiteral("--tenant"),
                              QStringLiteral("t"),
                              QStringLiteral("--perms"),
                              QStringLiteral("spidi:monitor"),
                              QStringLiteral("--data-dir"),
                              m_dir->path(),
                              QStringLiteral("--jwt-public-key"),
                              publicKey};
    // Only the public key: cannot sign.
    const Run publicOnly = run(base, cleanEnv());
    QCOMPARE(publicOnly.exitCode, 1);
    QVERIFY2(publicOnly.err.contains(QLatin1String("private key")), qPrintable(publicOnly.err));

    QProcessEnvironment env = cleanEnv();
    env.insert(QStringLiteral("SPIDI_JWT_PRIVATE_KEY"), privateKey);
    const Run signed_ = run(base, env);
    QVERIFY2(signed_.exitCode == 0, qPrintable(signed_.err));
    const auto principal = verify(signed_.out, AuthConfig{{}, publicKey, {}, {}});
    QVERIFY2(principal.ok(), qPrintable(principal.ok() ? QString() : principal.error().message));
    QCOMPARE(principal->userId, QStringLiteral("dev-1"));
    QVERIFY(principal->canRead());
    QVERIFY(!principal->canJoin());
}

QTEST_GUILESS_MAIN(TestTokenCommand)
#include "tst_token_command.moc"
