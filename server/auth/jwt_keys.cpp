#include "jwt_keys.h"

#include "logging/log_categories.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryFile>

#include <array>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace spidi {

namespace {

constexpr qsizetype GeneratedSecretBytes = 48;
constexpr qint64 MaxKeyFileBytes = 64 * 1024; // a PEM key or secret is a few KiB at most
const QFileDevice::Permissions OwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

Error keyError(ErrorKind kind, const QString &message)
{
    return makeError(kind, message, QStringLiteral("jwt"));
}

Result<QByteArray> readKeyFile(const QString &path, const char *what)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return keyError(ErrorKind::Invalid, QStringLiteral("cannot read %1 '%2': %3")
                                                .arg(QLatin1String(what), path, file.errorString()));
    }
    if (file.size() > MaxKeyFileBytes) {
        return keyError(ErrorKind::Invalid,
                        QStringLiteral("%1 '%2' is larger than %3 bytes")
                            .arg(QLatin1String(what), path)
                            .arg(MaxKeyFileBytes));
    }
    return file.readAll();
}

void warnIfReadableByOthers(const QString &path)
{
    const QFileDevice::Permissions permissions = QFileInfo(path).permissions();
    if (permissions & (QFileDevice::ReadGroup | QFileDevice::ReadOther)) {
        qCWarning(lcAuth, "JWT secret file '%s' is readable by group or others; chmod 600 it",
                  qUtf8Printable(path));
    }
}

Result<JwtKeys> secretKeys(const QString &path)
{
    auto content = readKeyFile(path, "JWT secret file");
    if (!content)
        return content.error();
    // Trailing newlines from `echo ... > file` must not become part of the key.
    const QByteArray secret = content->trimmed();
    if (secret.size() < MinSecretBytes) {
        return keyError(ErrorKind::Invalid,
                        QStringLiteral("JWT secret in '%1' is %2 bytes; HS256 needs at least %3")
                            .arg(path)
                            .arg(secret.size())
                            .arg(MinSecretBytes));
    }
    warnIfReadableByOthers(path);
    return JwtKeys{JwtAlgorithm::HS256, secret, secret, path};
}

bool looksLikePem(const QByteArray &content, const char *kind)
{
    const QByteArray marker = QByteArray("-----BEGIN ") + kind;
    return content.contains(marker);
}

Result<JwtKeys> rsaKeys(const AuthConfig &config)
{
    auto publicKey = readKeyFile(config.publicKeyFile, "JWT public key");
    if (!publicKey)
        return publicKey.error();
    if (!looksLikePem(*publicKey, "PUBLIC KEY") && !looksLikePem(*publicKey, "RSA PUBLIC KEY")) {
        return keyError(ErrorKind::Invalid,
                        QStringLiteral("JWT public key '%1' is not a PEM public key "
                                       "(expected -----BEGIN PUBLIC KEY-----)")
                            .arg(config.publicKeyFile));
    }
    JwtKeys keys{JwtAlgorithm::RS256, *publicKey, {}, config.publicKeyFile};
    if (!config.privateKeyFile.isEmpty()) {
        auto privateKey = readKeyFile(config.privateKeyFile, "JWT private key");
        if (!privateKey)
            return privateKey.error();
        if (!looksLikePem(*privateKey, "PRIVATE KEY") &&
            !looksLikePem(*privateKey, "RSA PRIVATE KEY")) {
            return keyError(ErrorKind::Invalid,
                            QStringLiteral("JWT private key '%1' is not a PEM private key "
                                           "(expected -----BEGIN PRIVATE KEY-----)")
                                .arg(config.privateKeyFile));
        }
        keys.signingKey = *privateKey;
    }
    return keys;
}

QByteArray generateSecretText()
{
    std::array<quint32, GeneratedSecretBytes / sizeof(quint32)> words{};
    QRandomGenerator::system()->fillRange(words.data(), words.size());
    const QByteArray raw(reinterpret_cast<const char *>(words.data()), GeneratedSecretBytes);
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// Creates `path` holding a fresh secret without ever exposing it: the bytes go into an
// owner-only temporary file in the same directory, which is then hard-linked into place.
// link() fails if another process created the file first, so two instances starting together
// end up sharing one secret instead of overwriting each other's.
Status createSecretFile(const QString &path)
{
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        return keyError(ErrorKind::Internal,
                        QStringLiteral("cannot create directory '%1' for the JWT secret")
                            .arg(info.absolutePath()));
    }

    QTemporaryFile temp(info.absolutePath() + QStringLiteral("/.jwt.secret.XXXXXX"));
    if (!temp.open()) {
        return keyError(ErrorKind::Internal, QStringLiteral("cannot create JWT secret file '%1': %2")
                                                 .arg(path, temp.errorString()));
    }
    // QTemporaryFile already creates 0600; set and check it anyway before any byte is written.
    struct stat status = {};
    if (!temp.setPermissions(OwnerOnly) || ::fstat(temp.handle(), &status) != 0 ||
        (status.st_mode & 0777) != 0600) {
        return keyError(ErrorKind::Internal,
                        QStringLiteral("cannot restrict permissions of JWT secret file '%1' to "
                                       "0600")
                            .arg(path));
    }
    const QByteArray secret = generateSecretText() + '\n';
    if (temp.write(secret) != secret.size() || !temp.flush() || ::fsync(temp.handle()) != 0) {
        return keyError(ErrorKind::Internal, QStringLiteral("cannot write JWT secret file '%1': %2")
                                                 .arg(path, temp.errorString()));
    }

    const QByteArray from = QFile::encodeName(temp.fileName());
    const QByteArray to = QFile::encodeName(path);
    if (::link(from.constData(), to.constData()) != 0 && errno != EEXIST) {
        return keyError(ErrorKind::Internal, QStringLiteral("cannot create JWT secret file '%1': %2")
                                                 .arg(path, QString::fromLocal8Bit(
                                                                std::strerror(errno))));
    }
    return Ok{}; // the temporary name is removed when `temp` goes out of scope
}

} // namespace

const char *jwtAlgorithmName(JwtAlgorithm algorithm)
{
    switch (algorithm) {
    case JwtAlgorithm::HS256:
        return "HS256";
    case JwtAlgorithm::RS256:
        return "RS256";
    }
    return "HS256";
}

Result<JwtKeys> loadJwtKeys(const AuthConfig &config, bool createSecretIfMissing)
{
    if (!config.publicKeyFile.isEmpty() && !config.secretFile.isEmpty()) {
        return keyError(ErrorKind::Invalid,
                        QStringLiteral("both a JWT secret file ('%1') and a public key ('%2') are "
                                       "configured; choose HS256 or RS256")
                            .arg(config.secretFile, config.publicKeyFile));
    }
    if (!config.publicKeyFile.isEmpty())
        return rsaKeys(config);
    if (!config.privateKeyFile.isEmpty()) {
        return keyError(ErrorKind::Invalid,
                        QStringLiteral("JWT private key '%1' is configured without its public key")
                            .arg(config.privateKeyFile));
    }
    if (!config.secretFile.isEmpty())
        return secretKeys(config.secretFile);

    if (config.dataDir.isEmpty())
        return keyError(ErrorKind::Invalid, QStringLiteral("no JWT key configured and no data dir"));
    const QString path = QDir(config.dataDir).absoluteFilePath(QStringLiteral("jwt.secret"));
    if (!QFileInfo::exists(path)) {
        if (!createSecretIfMissing) {
            return keyError(ErrorKind::Invalid,
                            QStringLiteral("JWT secret file '%1' does not exist").arg(path));
        }
        const Status created = createSecretFile(path);
        if (!created)
            return created.error();
        qCInfo(lcAuth, "created JWT secret '%s' (mode 0600)", qUtf8Printable(path));
    }
    return secretKeys(path);
}

} // namespace spidi
