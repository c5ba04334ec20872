#include "auth/jwt_keys.h"
#include "auth/jwt_verifier.h"
#include "auth/token_extractor.h"
#include "auth/token_minter.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <sys/stat.h>

using namespace spidi;

namespace {

constexpr qint64 Now = 1'800'000'000;
const QByteArray Secret = QByteArrayLiteral("0123456789abcdef0123456789abcdef-test-secret");

QByteArray b64(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// Builds a token by hand so tests can produce what the minter never would.
QByteArray hs256Token(const QByteArray &headerJson, const QByteArray &payloadJson,
                      const QByteArray &key)
{
    const QByteArray signingInput = b64(headerJson) + '.' + b64(payloadJson);
    const QByteArray mac =
        QMessageAuthenticationCode::hash(signingInput, key, QCryptographicHash::Sha256);
    return signingInput + '.' + b64(mac);
}

QJsonObject validClaims()
{
    return QJsonObject{{"sub", "user-1"},
                       {"tenant", "acme"},
                       {"exp", Now + 3600},
                       {"perms", QJsonArray{"spidi:user"}}};
}

JwtKeys hsKeys()
{
    return JwtKeys{JwtAlgorithm::HS256, Secret, Secret, QStringLiteral("test")};
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

} // namespace

class TestJwt : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void hs256RoundTrip();
    void rs256RoundTrip();
    void rs256WithoutPrivateKeyCannotMint();
    void minterRejectsUnknownPermission();
    void expiry_data();
    void expiry();
    void wrongSecret();
    void tamperedPayload();
    void algNone_data();
    void algNone();
    void hs256TokenAgainstRs256Config();
    void rs256TokenAgainstHs256Config();
    void claims_data();
    void claims();
    void unknownPermissionsIgnored();
    void notBeforeHonoured();
    void oversizeToken();
    void malformed_data();
    void malformed();
    void errorsDoNotEchoToken();

    void secretFileCreatedWith0600AndReused();
    void missingSecretNotCreatedWhenNotAllowed();
    void shortSecretRejected();
    void secretTrailingNewlineIgnored();
    void secretAndPublicKeyExclusive();
    void publicKeyFileMustBePem();

    void extractor_data();
    void extractor();

private:
    QTemporaryDir m_dir;
    QString m_privateKey;
    QString m_publicKey;
    QByteArray m_publicPem;
};

void TestJwt::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_privateKey = m_dir.filePath(QStringLiteral("private.pem"));
    m_publicKey = m_dir.filePath(QStringLiteral("public.pem"));
    QProcess genrsa;
    genrsa.start(QStringLiteral("openssl"), {QStringLiteral("genrsa"), QStringLiteral("-out"),
                                             m_privateKey, QStringLiteral("2048")});
    QVERIFY2(genrsa.waitForFinished(60000), "openssl genrsa did not finish");
    QCOMPARE(genrsa.exitCode(), 0);
    QProcess pubout;
    pubout.start(QStringLiteral("openssl"),
                 {QStringLiteral("rsa"), QStringLiteral("-in"), m_privateKey,
                  QStringLiteral("-pubout"), QStringLiteral("-out"), m_publicKey});
    QVERIFY(pubout.waitForFinished(60000));
    QCOMPARE(pubout.exitCode(), 0);
    QFile file(m_publicKey);
    QVERIFY(file.open(QIODevice::ReadOnly));
    m_publicPem = file.readAll();
    QVERIFY(m_publicPem.startsWith("-----BEGIN PUBLIC KEY-----"));
}

void TestJwt::hs256RoundTrip()
{
    const auto token =
        mintToken(hsKeys(), QStringLiteral("user-7"), QStringLiteral("acme"),
                  {QStringLiteral("spidi:admin"), QStringLiteral("spidi:user")}, 600, Now);
    QVERIFY2(token.ok(), qPrintable(token.ok() ? QString() : token.error().message));
    QVERIFY(token->startsWith(QLatin1String(b64(R"({"alg":"HS256")").left(10))));

    const auto principal = JwtVerifier(hsKeys()).verify(token->toLatin1(), Now);
    QVERIFY2(principal.ok(), qPrintable(principal.ok() ? QString() : principal.error().message));
    QCOMPARE(principal->userId, QStringLiteral("user-7"));
    QCOMPARE(principal->tenantId, QStringLiteral("acme"));
    QCOMPARE(principal->expiresAtSec, Now + 600);
    QCOMPARE(principal->permissions,
             QSet<QString>({QStringLiteral("spidi:admin"), QStringLiteral("spidi:user")}));
    QVERIFY(principal->isAdmin());
}

void TestJwt::rs256RoundTrip()
{
    const auto keys = loadJwtKeys(AuthConfig{{}, m_publicKey, m_privateKey, {}}, false);
    QVERIFY2(keys.ok(), qPrintable(keys.ok() ? QString() : keys.error().message));
    QCOMPARE(keys->algorithm, JwtAlgorithm::RS256);
    QVERIFY(keys->canSign());

    const auto token = mintToken(*keys, QStringLiteral("device-1"), QStringLiteral("t2"),
                                 {QStringLiteral("spidi:monitor")}, 60, Now);
    QVERIFY2(token.ok(), qPrintable(token.ok() ? QString() : token.error().message));

    // Verification needs only the public key.
    const auto verifyKeys = loadJwtKeys(AuthConfig{{}, m_publicKey, {}, {}}, false);
    QVERIFY(verifyKeys.ok());
    QVERIFY(!verifyKeys->canSign());
    const auto principal = JwtVerifier(*verifyKeys).verify(token->toLatin1(), Now + 59);
    QVERIFY2(principal.ok(), qPrintable(principal.ok() ? QString() : principal.error().message));
    QCOMPARE(principal->userId, QStringLiteral("device-1"));
    QCOMPARE(principal->tenantId, QStringLiteral("t2"));
    QVERIFY(principal->canRead());
    QVERIFY(!principal->canJoin());
}

void TestJwt::rs256WithoutPrivateKeyCannotMint()
{
    const auto keys = loadJwtKeys(AuthConfig{{}, m_publicKey, {}, {}}, false);
    QVERIFY(keys.ok());
    const auto token = mintToken(*keys, QStringLiteral("u"), QStringLiteral("t"),
                                 {QStringLiteral("spidi:user")}, 60, Now);
    QVERIFY(!token.ok());
    QVERIFY(token.error().message.contains(QLatin1String("private key")));
}

void TestJwt::minterRejectsUnknownPermission()
{
    const auto token = mintToken(hsKeys(), QStringLiteral("u"), QStringLiteral("t"),
                                 {QStringLiteral("spidi:root")}, 60, Now);
    QVERIFY(!token.ok());
    QCOMPARE(token.error().kind, ErrorKind::Invalid);
    QVERIFY(token.error().message.contains(QLatin1String("spidi:root")));
}

void TestJwt::expiry_data()
{
    QTest::addColumn<qint64>("now");
    QTest::addColumn<bool>("accepted");
    // Token expires at Now + 60.
    QTest::newRow("well before exp") << Now << true;
    QTest::newRow("one second before exp") << Now + 59 << true;
    QTest::newRow("at exp, within skew") << Now + 60 << true;
    QTest::newRow("29 s past exp, within skew") << Now + 89 << true;
    QTest::newRow("30 s past exp") << Now + 90 << false;
    QTest::newRow("hours past exp") << Now + 7200 << false;
}

void TestJwt::expiry()
{
    QFETCH(qint64, now);
    QFETCH(bool, accepted);
    const auto token = mintToken(hsKeys(), QStringLiteral("u"), QStringLiteral("t"),
                                 {QStringLiteral("spidi:user")}, 60, Now);
    QVERIFY(token.ok());
    const auto principal = JwtVerifier(hsKeys()).verify(token->toLatin1(), now);
    QCOMPARE(principal.ok(), accepted);
    if (!accepted)
        QVERIFY(principal.error().message.contains(QLatin1String("expired")));
}

void TestJwt::wrongSecret()
{
    const auto token = mintToken(hsKeys(), QStringLiteral("u"), QStringLiteral("t"),
                                 {QStringLiteral("spidi:user")}, 60, Now);
    QVERIFY(token.ok());
    const QByteArray other = QByteArrayLiteral("another-secret-that-is-long-enough-1234");
    const auto principal =
        JwtVerifier(JwtKeys{JwtAlgorithm::HS256, other, other, {}}).verify(token->toLatin1(), Now);
    QVERIFY(!principal.ok());
    QCOMPARE(principal.error().kind, ErrorKind::Forbidden);
    QVERIFY(principal.error().message.contains(QLatin1String("signature")));
}

void TestJwt::tamperedPayload()
{
    const auto token = mintToken(hsKeys(), QStringLiteral("u"), QStringLiteral("tenant-a"),
                                 {QStringLiteral("spidi:user")}, 60, Now);
    QVERIFY(token.ok());
    QList<QByteArray> parts = token->toLatin1().split('.');
    QCOMPARE(parts.size(), 3);
    QJsonObject claims =
        QJsonDocument::fromJson(QByteArray::fromBase64(parts[1], QByteArray::Base64UrlEncoding))
            .object();
    QCOMPARE(claims.value("tenant").toString(), QStringLiteral("tenant-a"));
    claims.insert("tenant", "tenant-b");
    claims.insert("perms", QJsonArray{"spidi:admin"});
    parts[1] = b64(json(claims));
    const auto principal = JwtVerifier(hsKeys()).verify(parts.join('.'), Now);
    QVERIFY(!principal.ok());
    QVERIFY(principal.error().message.contains(QLatin1String("signature")));
}

void TestJwt::algNone_data()
{
    QTest::addColumn<QByteArray>("alg");
    QTest::addColumn<bool>("withSignature");
    QTest::newRow("none, empty signature") << QByteArray("none") << false;
    QTest::newRow("None, empty signature") << QByteArray("None") << false;
    QTest::newRow("none, with signature") << QByteArray("none") << true;
    QTest::newRow("HS512") << QByteArray("HS512") << true;
}

void TestJwt::algNone()
{
    QFETCH(QByteArray, alg);
    QFETCH(bool, withSignature);
    const QByteArray header = R"({"alg":")" + alg + R"(","typ":"JWT"})";
    QByteArray token = b64(header) + '.' + b64(json(validClaims())) + '.';
    if (withSignature)
        token += b64(QByteArrayLiteral("not really a signature, 32 bytes"));
    const auto principal = JwtVerifier(hsKeys()).verify(token, Now);
    QVERIFY(!principal.ok());
    QVERIFY2(principal.error().message.contains(QLatin1String("alg")) ||
                 principal.error().message.contains(QLatin1String("algorithm")),
             qPrintable(principal.error().message));
}

void TestJwt::hs256TokenAgainstRs256Config()
{
    // The classic confusion attack: the attacker knows the public key and uses it as an HMAC
    // secret. A verifier that trusts the header's alg would accept this token.
    const QByteArray forged =
        hs256Token(R"({"alg":"HS256","typ":"JWT"})", json(validClaims()), m_publicPem);
    const auto keys = loadJwtKeys(AuthConfig{{}, m_publicKey, {}, {}}, false);
    QVERIFY(keys.ok());
    const auto principal = JwtVerifier(*keys).verify(forged, Now);
    QVERIFY(!principal.ok());
    QVERIFY2(principal.error().message.contains(QLatin1String("HS256")),
             qPrintable(principal.error().message));
}

void TestJwt::rs256TokenAgainstHs256Config()
{
    const auto rsKeys = loadJwtKeys(AuthConfig{{}, m_publicKey, m_privateKey, {}}, false);
    QVERIFY(rsKeys.ok());
    const auto token = mintToken(*rsKeys, QStringLiteral("u"), QStringLiteral("t"),
                                 {QStringLiteral("spidi:user")}, 60, Now);
    QVERIFY(token.ok());
    const auto principal = JwtVerifier(hsKeys()).verify(token->toLatin1(), Now);
    QVERIFY(!principal.ok());
    QVERIFY(principal.error().message.contains(QLatin1String("RS256")));
}

void TestJwt::claims_data()
{
    QTest::addColumn<QJsonObject>("claims");
    QTest::addColumn<QString>("expectedInMessage");

    const auto without = [](const char *name) {
        QJsonObject claims = validClaims();
        claims.remove(QLatin1String(name));
        return claims;
    };
    const auto with = [](const char *name, const QJsonValue &value) {
        QJsonObject claims = validClaims();
        claims.insert(QLatin1String(name), value);
        return claims;
    };
    QTest::newRow("missing sub") << without("sub") << "missing claim 'sub'";
    QTest::newRow("missing tenant") << without("tenant") << "missing claim 'tenant'";
    QTest::newRow("missing exp") << without("exp") << "missing claim 'exp'";
    QTest::newRow("missing perms") << without("perms") << "missing claim 'perms'";
    QTest::newRow("empty sub") << with("sub", "") << "'sub' must be a non-empty string";
    QTest::newRow("numeric sub") << with("sub", 42) << "'sub' must be a non-empty string";
    QTest::newRow("empty tenant") << with("tenant", "") << "'tenant' must be a non-empty string";
    QTest::newRow("exp as string")
        << with("exp", QString::number(Now + 60)) << "'exp' must be a number";
    QTest::newRow("perms as string") << with("perms", "spidi:admin") << "'perms' must be an array";
    QTest::newRow("perms as object")
        << with("perms", QJsonObject{{"spidi:admin", true}}) << "'perms' must be an array";
    QTest::newRow("perms with a number")
        << with("perms", QJsonArray{"spidi:user", 1}) << "'perms' must contain only strings";
}

void TestJwt::claims()
{
    QFETCH(QJsonObject, claims);
    QFETCH(QString, expectedInMessage);
    const QByteArray token = hs256Token(R"({"alg":"HS256","typ":"JWT"})", json(claims), Secret);
    const auto principal = JwtVerifier(hsKeys()).verify(token, Now);
    QVERIFY(!principal.ok());
    QVERIFY2(principal.error().message.contains(expectedInMessage),
             qPrintable(principal.error().message));
}

void TestJwt::unknownPermissionsIgnored()
{
    QJsonObject claims = validClaims();
    claims.insert("perms", QJsonArray{"spidi:monitor", "billing:read", "SPIDI:ADMIN"});
    const QByteArray token = hs256Token(R"({"alg":"HS256","typ":"JWT"})", json(claims), Secret);
    const auto principal = JwtVerifier(hsKeys()).verify(token, Now);
    QVERIFY2(principal.ok(), qPrintable(principal.ok() ? QString() : principal.error().message));
    QCOMPARE(principal->permissions, QSet<QString>{QStringLiteral("spidi:monitor")});
    QVERIFY(!principal->isAdmin());

    claims.insert("perms", QJsonArray{});
    const auto none =
        JwtVerifier(hsKeys()).verify(hs256Token(R"({"alg":"HS256"})", json(claims), Secret), Now);
    QVERIFY(none.ok());
    QVERIFY(none->permissions.isEmpty());
}

void TestJwt::notBeforeHonoured()
{
    QJsonObject claims = validClaims();
    claims.insert("nbf", Now + 120);
    const QByteArray token = hs256Token(R"({"alg":"HS256"})", json(claims), Secret);
    QVERIFY(!JwtVerifier(hsKeys()).verify(token, Now).ok());
    QVERIFY(JwtVerifier(hsKeys()).verify(token, Now + 100).ok()); // within skew
}

void TestJwt::oversizeToken()
{
    QJsonObject claims = validClaims();
    claims.insert("padding", QString(9000, u'x'));
    const QByteArray token = hs256Token(R"({"alg":"HS256"})", json(claims), Secret);
    QVERIFY(token.size() > JwtVerifier::MaxTokenBytes);
    const auto principal = JwtVerifier(hsKeys()).verify(token, Now);
    QVERIFY(!principal.ok());
    QVERIFY(principal.error().message.contains(QLatin1String("longer than 8192")));

    // Just under the limit is fine.
    claims.insert("padding", QString(5000, u'x'));
    const QByteArray smaller = hs256Token(R"({"alg":"HS256"})", json(claims), Secret);
    QVERIFY(smaller.size() <= JwtVerifier::MaxTokenBytes);
    QVERIFY(JwtVerifier(hsKeys()).verify(smaller, Now).ok());
}

void TestJwt::malformed_data()
{
    QTest::addColumn<QByteArray>("token");
    const QByteArray good = hs256Token(R"({"alg":"HS256"})", json(validClaims()), Secret);
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("one segment") << QByteArray("abc");
    QTest::newRow("two segments") << good.left(good.lastIndexOf('.'));
    QTest::newRow("four segments") << good + ".abc";
    QTest::newRow("space inside") << good.left(10) + ' ' + good.mid(10);
    QTest::newRow("NUL inside") << good.left(good.size() - 3) + '\0' + "AA";
    QTest::newRow("header not JSON") << b64("hello") + good.mid(good.indexOf('.'));
    QTest::newRow("no signature") << good.left(good.lastIndexOf('.') + 1);
}

void TestJwt::malformed()
{
    QFETCH(QByteArray, token);
    const auto principal = JwtVerifier(hsKeys()).verify(token, Now);
    QVERIFY(!principal.ok());
    QCOMPARE(principal.error().kind, ErrorKind::Forbidden);
}

void TestJwt::errorsDoNotEchoToken()
{
    const auto token = mintToken(hsKeys(), QStringLiteral("u"), QStringLiteral("t"),
                                 {QStringLiteral("spidi:user")}, 60, Now);
    QVERIFY(token.ok());
    const QList<QByteArray> parts = token->toLatin1().split('.');
    const QByteArray broken = parts[0] + '.' + parts[1] + '.' + b64("x");
    const auto principal = JwtVerifier(hsKeys()).verify(broken, Now);
    QVERIFY(!principal.ok());
    for (const QByteArray &part : parts)
        QVERIFY(!principal.error().message.contains(QLatin1String(part.left(12))));
}

void TestJwt::secretFileCreatedWith0600AndReused()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    const QString dir = dataDir.filePath(QStringLiteral("nested/data"));
    const AuthConfig config{{}, {}, {}, dir};

    const auto first = loadJwtKeys(config, true);
    QVERIFY2(first.ok(), qPrintable(first.ok() ? QString() : first.error().message));
    const QString path = dir + QStringLiteral("/jwt.secret");
    QCOMPARE(first->source, path);
    QCOMPARE(first->algorithm, JwtAlgorithm::HS256);
    QVERIFY(first->verificationKey.size() >= 64); // 48 bytes as base64url
    QVERIFY(!first->verificationKey.contains('='));
    QVERIFY(!first->verificationKey.contains('\n'));

    struct stat status = {};
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &status), 0);
    QCOMPARE(status.st_mode & 0777, mode_t(0600));
    // No temporary file is left behind next to the secret.
    QCOMPARE(QDir(dir).entryList(QDir::Files | QDir::Hidden).size(), 1);

    const auto second = loadJwtKeys(config, true);
    QVERIFY(second.ok());
    QCOMPARE(second->verificationKey, first->verificationKey);

    // A token minted with the first load verifies with the second.
    const auto token = mintToken(*first, QStringLiteral("u"), QStringLiteral("t"),
                                 {QStringLiteral("spidi:user")}, 60, Now);
    QVERIFY(token.ok());
    QVERIFY(JwtVerifier(*second).verify(token->toLatin1(), Now).ok());

    // Another data dir gets another secret.
    QTemporaryDir otherDir;
    const auto other = loadJwtKeys(AuthConfig{{}, {}, {}, otherDir.path()}, true);
    QVERIFY(other.ok());
    QVERIFY(other->verificationKey != first->verificationKey);
}

void TestJwt::missingSecretNotCreatedWhenNotAllowed()
{
    QTemporaryDir dataDir;
    const auto keys = loadJwtKeys(AuthConfig{{}, {}, {}, dataDir.path()}, false);
    QVERIFY(!keys.ok());
    QVERIFY(keys.error().message.contains(dataDir.filePath(QStringLiteral("jwt.secret"))));
    QVERIFY(!QFileInfo::exists(dataDir.filePath(QStringLiteral("jwt.secret"))));

    const QString missing = dataDir.filePath(QStringLiteral("nope.secret"));
    const auto explicitMissing = loadJwtKeys(AuthConfig{missing, {}, {}, {}}, true);
    QVERIFY(!explicitMissing.ok());
    QVERIFY(explicitMissing.error().message.contains(missing));
}

void TestJwt::shortSecretRejected()
{
    const QString path = m_dir.filePath(QStringLiteral("short.secret"));
    QVERIFY(writeFile(path, QByteArray(31, 'a') + "\n"));
    const auto keys = loadJwtKeys(AuthConfig{path, {}, {}, {}}, true);
    QVERIFY(!keys.ok());
    QVERIFY(keys.error().message.contains(path));
    QVERIFY(keys.error().message.contains(QLatin1String("31 bytes")));
}

void TestJwt::secretTrailingNewlineIgnored()
{
    const QString path = m_dir.filePath(QStringLiteral("ok.secret"));
    QVERIFY(writeFile(path, QByteArray(32, 'b') + "\n"));
    const auto keys = loadJwtKeys(AuthConfig{path, {}, {}, {}}, false);
    QVERIFY2(keys.ok(), qPrintable(keys.ok() ? QString() : keys.error().message));
    QCOMPARE(keys->verificationKey, QByteArray(32, 'b'));
}

void TestJwt::secretAndPublicKeyExclusive()
{
    const QString secret = m_dir.filePath(QStringLiteral("ok.secret"));
    QVERIFY(writeFile(secret, QByteArray(40, 'c')));
    const auto keys = loadJwtKeys(AuthConfig{secret, m_publicKey, {}, {}}, false);
    QVERIFY(!keys.ok());
    QVERIFY(keys.error().message.contains(secret));

    const auto privateOnly = loadJwtKeys(AuthConfig{{}, {}, m_privateKey, {}}, false);
    QVERIFY(!privateOnly.ok());
    QVERIFY(privateOnly.error().message.contains(m_privateKey));
}

void TestJwt::publicKeyFileMustBePem()
{
    const QString path = m_dir.filePath(QStringLiteral("not-a-key.pem"));
    QVERIFY(writeFile(path, "hello"));
    const auto keys = loadJwtKeys(AuthConfig{{}, path, {}, {}}, false);
    QVERIFY(!keys.ok());
    QVERIFY(keys.error().message.contains(path));
}

void TestJwt::extractor_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("bearer header")
        << QByteArray("Bearer abc.def.ghi") << QString() << QByteArray("abc.def.ghi");
    QTest::newRow("lower-case scheme")
        << QByteArray("bearer abc") << QString() << QByteArray("abc");
    QTest::newRow("upper-case scheme, extra spaces")
        << QByteArray("  BEARER   abc  ") << QString() << QByteArray("abc");
    QTest::newRow("header wins over query")
        << QByteArray("Bearer fromheader") << QStringLiteral("access_token=fromquery")
        << QByteArray("fromheader");
    QTest::newRow("query only") << QByteArray() << QStringLiteral("x=1&access_token=q.r.s")
                                << QByteArray("q.r.s");
    QTest::newRow("basic scheme falls back to query")
        << QByteArray("Basic dXNlcjpwYXNz") << QStringLiteral("access_token=tok")
        << QByteArray("tok");
    QTest::newRow("basic scheme, no query")
        << QByteArray("Basic dXNlcjpwYXNz") << QString() << QByteArray();
    QTest::newRow("scheme without token") << QByteArray("Bearer ") << QString() << QByteArray();
    QTest::newRow("scheme glued to token") << QByteArray("Bearerabc") << QString() << QByteArray();
    QTest::newRow("percent-encoded query")
        << QByteArray() << QStringLiteral("access_token=a%2Eb") << QByteArray("a.b");
    QTest::newRow("nothing") << QByteArray() << QString() << QByteArray();
}

void TestJwt::extractor()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, query);
    QFETCH(QByteArray, expected);
    QCOMPARE(extractBearerToken(header, QUrlQuery(query)), expected);
}

QTEST_GUILESS_MAIN(TestJwt)
#include "tst_jwt.moc"
