#include "notify/smtp_mailer.h"

#include "logging/log_categories.h"

#include <QMetaObject>
#include <QPointer>
#include <QSysInfo>
#include <QTimer>
#include <QUrl>
#include <QUuid>

#include <curl/curl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>

namespace spidi {

namespace {

constexpr qsizetype kMaxLineOctets = 998;       // RFC 5322 section 2.1.1
constexpr qsizetype kFoldAt = 78;               // RFC 5322 "SHOULD"
constexpr qsizetype kEncodedWordBytes = 39;     // UTF-8 bytes per encoded-word: 64 chars each
constexpr qsizetype kQuotedPrintableWidth = 76; // RFC 2045 section 6.7
constexpr qsizetype kMaxReplyInError = 200;

void initCurlOnce()
{
    static std::once_flag once;
    std::call_once(once, [] {
        const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
        if (code != CURLE_OK)
            qCCritical(lcNotify).noquote()
                << QStringLiteral("notify.curl_init_failed: error=\"%1\"")
                       .arg(QString::fromUtf8(curl_easy_strerror(code)));
    });
}

bool hasLineBreak(const QString &text)
{
    return text.contains(QLatin1Char('\r')) || text.contains(QLatin1Char('\n'));
}

bool isAscii(const QString &text)
{
    return std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c.unicode() < 0x80; });
}

// addr-spec in the restricted form the mailer accepts: printable ASCII, no spaces or specials
// that would need quoting, exactly one '@' with text on both sides.
bool isValidAddress(const QString &address)
{
    if (address.isEmpty() || address.size() > 254)
        return false;
    static const QString specials = QStringLiteral("<>,;:\"()[]\\");
    for (const QChar c : address) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f || specials.contains(c))
            return false;
    }
    const qsizetype at = address.indexOf(QLatin1Char('@'));
    return at > 0 && at == address.lastIndexOf(QLatin1Char('@')) && at < address.size() - 1;
}

struct Mailbox
{
    QString name;
    QString address;
};

// "addr" or "Display Name <addr>" (the name may be quoted).
Result<Mailbox> parseMailbox(const QString &text)
{
    if (hasLineBreak(text))
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("refused: CR or LF in the sender (header injection)"),
                         QStringLiteral("from"));
    const QString trimmed = text.trimmed();
    Mailbox mailbox;
    if (trimmed.endsWith(QLatin1Char('>')) && trimmed.contains(QLatin1Char('<'))) {
        const qsizetype open = trimmed.lastIndexOf(QLatin1Char('<'));
        mailbox.address = trimmed.mid(open + 1, trimmed.size() - open - 2).trimmed();
        mailbox.name = trimmed.left(open).trimmed();
        if (mailbox.name.size() >= 2 && mailbox.name.startsWith(QLatin1Char('"')) &&
            mailbox.name.endsWith(QLatin1Char('"')))
            mailbox.name = mailbox.name.mid(1, mailbox.name.size() - 2);
    } else {
        mailbox.address = trimmed;
    }
    if (!isValidAddress(mailbox.address))
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("invalid sender address '%1'").arg(mailbox.address),
                         QStringLiteral("from"));
    return mailbox;
}

// RFC 2047 B encoded-words, split on character boundaries, joined by folding white space.
QByteArray encodedWords(const QString &text)
{
    QList<QByteArray> words;
    QByteArray chunk;
    for (qsizetype i = 0; i < text.size();) {
        const qsizetype width = (text.at(i).isHighSurrogate() && i + 1 < text.size()) ? 2 : 1;
        const QByteArray bytes = text.mid(i, width).toUtf8();
        if (!chunk.isEmpty() && chunk.size() + bytes.size() > kEncodedWordBytes) {
            words.append(chunk);
            chunk.clear();
        }
        chunk += bytes;
        i += width;
    }
    if (!chunk.isEmpty() || words.isEmpty())
        words.append(chunk);
    QByteArray out;
    for (const QByteArray &word : std::as_const(words)) {
        if (!out.isEmpty())
            out += "\r\n ";
        out += "=?UTF-8?B?" + word.toBase64() + "?=";
    }
    return out;
}

// Control characters other than tab would corrupt a header; CR/LF are refused before this.
QString withoutControls(QString text)
{
    for (QChar &c : text) {
        if ((c.unicode() < 0x20 && c != QLatin1Char('\t')) || c.unicode() == 0x7f)
            c = QLatin1Char(' ');
    }
    return text;
}

// An unstructured header value (Subject): ASCII folded at spaces, else encoded-words.
QByteArray unstructuredHeader(const QByteArray &name, const QString &value)
{
    const QByteArray prefix = name + ": ";
    if (!isAscii(value) || value.contains(QLatin1String("=?")))
        return prefix + encodedWords(value);
    QByteArray out = prefix;
    qsizetype lineLength = out.size();
    const QList<QByteArray> words = value.toLatin1().split(' ');
    bool first = true;
    for (const QByteArray &word : words) {
        if (first) {
            out += word;
            lineLength += word.size();
            first = false;
            continue;
        }
        if (lineLength + 1 + word.size() > kFoldAt && lineLength > prefix.size()) {
            out += "\r\n " + word;
            lineLength = 1 + word.size();
        } else {
            out += ' ' + word;
            lineLength += 1 + word.size();
        }
        if (lineLength > kMaxLineOctets)
            return prefix + encodedWords(value);
    }
    if (lineLength > kMaxLineOctets)
        return prefix + encodedWords(value);
    return out;
}

QByteArray phrase(const QString &name)
{
    if (!isAscii(name))
        return encodedWords(name);
    static const QString atext =
        QStringLiteral("!#$%&'*+-/=?^_`{|}~ abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                       "0123456789");
    if (std::all_of(name.cbegin(), name.cend(), [](QChar c) { return atext.contains(c); }) &&
        !name.contains(QLatin1String("=?")))
        return name.toLatin1();
    QByteArray quoted = "\"";
    for (const QChar c : name) {
        if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
            quoted += '\\';
        quoted += char(c.unicode());
    }
    return quoted + '"';
}

QByteArray mailboxHeader(const Mailbox &mailbox)
{
    if (mailbox.name.isEmpty())
        return mailbox.address.toLatin1();
    return phrase(withoutControls(mailbox.name)) + " <" + mailbox.address.toLatin1() + '>';
}

QByteArray addressListHeader(const QByteArray &name, const QStringList &addresses)
{
    QByteArray out = name + ": ";
    qsizetype lineLength = out.size();
    for (qsizetype i = 0; i < addresses.size(); ++i) {
        const QByteArray address = addresses.at(i).toLatin1();
        if (i > 0) {
            out += ',';
            ++lineLength;
            if (lineLength + 1 + address.size() > kFoldAt) {
                out += "\r\n";
                lineLength = 0;
            }
            out += ' ';
            ++lineLength;
        }
        out += address;
        lineLength += address.size();
    }
    return out;
}

QByteArray quotedPrintableLine(const QByteArray &line)
{
    static const char hex[] = "0123456789ABCDEF";
    QByteArray out;
    qsizetype column = 0;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const auto c = static_cast<unsigned char>(line.at(i));
        const bool last = i == line.size() - 1;
        QByteArray token;
        if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last))
            token = QByteArray(1, char(c));
        else
            token = QByteArray("=") + hex[c >> 4] + hex[c & 0x0f];
        if (column + token.size() > kQuotedPrintableWidth - 1) {
            out += "=\r\n";
            column = 0;
        }
        out += token;
        column += token.size();
    }
    return out;
}

struct Body
{
    QByteArray transferEncoding;
    QByteArray content; // CRLF line ends, ends with CRLF
};

Body encodeBody(const QString &text)
{
    QByteArray utf8 = text.toUtf8();
    utf8.replace("\r\n", "\n");
    utf8.replace('\r', '\n');
    utf8.replace('\0', ' ');
    if (utf8.endsWith('\n'))
        utf8.chop(1);
    const QList<QByteArray> lines = utf8.split('\n');
    const bool ascii = std::all_of(utf8.cbegin(), utf8.cend(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    const bool longLine = std::any_of(lines.cbegin(), lines.cend(), [](const QByteArray &line) {
        return line.size() > kMaxLineOctets;
    });
    Body body;
    // 7bit needs nothing from the relay; 8bit would need 8BITMIME and BODY=8BITMIME, which
    // libcurl does not send, so anything else goes quoted-printable.
    body.transferEncoding = (ascii && !longLine) ? "7bit" : "quoted-printable";
    for (const QByteArray &line : lines) {
        body.content += (ascii && !longLine) ? line : quotedPrintableLine(line);
        body.content += "\r\n";
    }
    return body;
}

QString defaultFrom()
{
    QString host = QSysInfo::machineHostName().trimmed();
    if (host.isEmpty() || !isValidAddress(QStringLiteral("spidi@") + host))
        host = QStringLiteral("localhost");
    return QStringLiteral("spidi@") + host;
}

// ---- the libcurl side, run in a worker thread ----

struct AttemptJob
{
    QByteArray url;
    QByteArray mailFrom; // "<addr>"
    QList<QByteArray> recipients;
    QByteArray payload;
    QByteArray user;
    QByteArray password;
    bool requireTls = false;
    long timeoutMs = 10000;
    std::shared_ptr<std::atomic_bool> stop;
};

struct TransferState
{
    const QByteArray *payload = nullptr;
    qsizetype offset = 0;
    QByteArray lastReply; // the last line the server sent
};

size_t readPayload(char *buffer, size_t size, size_t count, void *userData)
{
    auto *state = static_cast<TransferState *>(userData);
    const qsizetype left = state->payload->size() - state->offset;
    const auto n = static_cast<qsizetype>(std::min<size_t>(size * count, size_t(left)));
    if (n > 0) {
        std::memcpy(buffer, state->payload->constData() + state->offset, size_t(n));
        state->offset += n;
    }
    return size_t(n);
}

int checkStop(void *userData, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    const auto *stop = static_cast<const std::atomic_bool *>(userData);
    return stop->load() ? 1 : 0;
}

// Server replies arrive as CURLINFO_HEADER_IN; what the client sends (AUTH included) is
// never looked at.
int recordReply(CURL *, curl_infotype type, char *data, size_t size, void *userData)
{
    if (type != CURLINFO_HEADER_IN)
        return 0;
    auto *state = static_cast<TransferState *>(userData);
    const QByteArray text = QByteArray(data, qsizetype(size)).trimmed();
    if (!text.isEmpty())
        state->lastReply = text.split('\n').last().trimmed();
    return 0;
}

} // namespace

namespace detail {

struct SmtpAttemptResult
{
    int curlCode = CURLE_OK;
    long responseCode = 0;
    long osErrno = 0;
    QByteArray lastReply;
    QByteArray errorText;
};

} // namespace detail

struct SmtpMailer::Delivery
{
    quint64 id = 0;
    QList<QByteArray> recipients;
    qsizetype recipientCount = 0; // for logs, also when refused
    QByteArray payload;
    Callback done;
    Callback progress;
    int attempts = 0;
    int lastStatus = 0;
    QTimer timer; // the wait before the next attempt, or 0 ms to report a refusal
    QString refusal;
};

namespace {

using detail::SmtpAttemptResult;

SmtpAttemptResult runAttempt(const AttemptJob &job)
{
    SmtpAttemptResult result;
    CURL *curl = curl_easy_init();
    if (!curl) {
        result.curlCode = CURLE_FAILED_INIT;
        result.errorText = "curl_easy_init failed";
        return result;
    }
    TransferState state;
    state.payload = &job.payload;
    char errorBuffer[CURL_ERROR_SIZE] = {};
    curl_slist *recipients = nullptr;
    for (const QByteArray &recipient : job.recipients)
        recipients = curl_slist_append(recipients, recipient.constData());

    curl_easy_setopt(curl, CURLOPT_URL, job.url.constData());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, job.timeoutMs);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, job.timeoutMs);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(curl, CURLOPT_USE_SSL,
                     long(job.requireTls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
    if (!job.user.isEmpty()) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, job.user.constData());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, job.password.constData());
    }
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, job.mailFrom.constData());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, readPayload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &state);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, curl_off_t(job.payload.size()));
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, checkStop);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, job.stop.get());
    curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, recordReply);
    curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &state);

    const CURLcode code = job.stop->load() ? CURLE_ABORTED_BY_CALLBACK : curl_easy_perform(curl);
    long responseCode = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &responseCode);
    long osErrno = 0;
    curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &osErrno);
    curl_easy_cleanup(curl);
    curl_slist_free_all(recipients);

    result.curlCode = code;
    result.responseCode = responseCode;
    result.osErrno = osErrno;
    result.lastReply = state.lastReply;
    result.errorText = QByteArray(errorBuffer).trimmed();
    if (result.errorText.isEmpty())
        result.errorText = curl_easy_strerror(code);
    return result;
}

QString printable(const QByteArray &text)
{
    QByteArray out = text.left(kMaxReplyInError);
    for (char &c : out) {
        if (c < 0x20 || c > 0x7e)
            c = ' ';
    }
    return QString::fromLatin1(out.simplified());
}

struct Classified
{
    QString error;
    int statusCode = 0;
    bool retry = false;
};

Classified classify(const SmtpAttemptResult &result, int timeoutMs)
{
    int code = int(result.responseCode);
    QByteArray replyText;
    if (result.lastReply.size() >= 3) {
        bool ok = false;
        const int replyCode = result.lastReply.left(3).toInt(&ok);
        if (ok) {
            if (code <= 0)
                code = replyCode;
            if (replyCode == code)
                replyText = result.lastReply.mid(4);
        }
    }
    const auto curlCode = static_cast<CURLcode>(result.curlCode);
    if (code >= 400 && code < 600) {
        QString error = QStringLiteral("SMTP %1").arg(code);
        const QString text = printable(replyText);
        if (!text.isEmpty())
            error += QLatin1Char(' ') + text;
        return {error, code, code < 500};
    }
    const QString detail = printable(result.errorText);
    switch (curlCode) {
    case CURLE_OPERATION_TIMEDOUT:
        return {QStringLiteral("timeout after %1 ms").arg(timeoutMs), code, true};
    case CURLE_COULDNT_CONNECT:
        if (result.osErrno == ECONNREFUSED ||
            detail.contains(QLatin1String("refused"), Qt::CaseInsensitive))
            return {QStringLiteral("connection refused"), code, true};
        return {QStringLiteral("could not connect: %1").arg(detail), code, true};
    case CURLE_COULDNT_RESOLVE_HOST:
        return {QStringLiteral("host not found: %1").arg(detail), code, true};
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_SSL_CONNECT_ERROR:
        return {QStringLiteral("connection lost: %1").arg(detail), code, true};
    case CURLE_ABORTED_BY_CALLBACK:
        return {shuttingDownError(), code, false};
    case CURLE_LOGIN_DENIED:
        return {QStringLiteral("authentication failed: %1").arg(detail), code, false};
    case CURLE_USE_SSL_FAILED:
        return {QStringLiteral("the relay does not offer STARTTLS: %1").arg(detail), code, false};
    default:
        return {detail, code, false};
    }
}

} // namespace

SmtpMailer::SmtpMailer(SmtpSettings settings, RetryPolicy policy, QObject *parent)
    : QObject(parent), m_settings(std::move(settings)), m_policy(policy.sanitized()),
      m_stop(std::make_shared<std::atomic_bool>(false))
{
    initCurlOnce();
    m_pool.setMaxThreadCount(2);
    m_settings.host = m_settings.host.trimmed();

    const QString from = m_settings.from.trimmed().isEmpty() ? defaultFrom() : m_settings.from;
    const Result<Mailbox> mailbox = parseMailbox(from);
    if (mailbox.ok()) {
        m_fromAddress = mailbox->address;
        m_fromHeader = mailbox->name.isEmpty() ? mailbox->address
                                               : mailbox->name + QStringLiteral(" <") +
                                                     mailbox->address + QLatin1Char('>');
    } else {
        m_settingsError = QStringLiteral("smtp-from: ") + mailbox.error().message;
    }

    if (isConfigured()) {
        const int port =
            m_settings.port > 0 ? m_settings.port : (m_settings.tls == SmtpTls::Tls ? 465 : 25);
        QUrl url;
        url.setScheme(m_settings.tls == SmtpTls::Tls ? QStringLiteral("smtps")
                                                     : QStringLiteral("smtp"));
        url.setHost(m_settings.host);
        url.setPort(port);
        if (!url.isValid() || url.host().isEmpty())
            m_settingsError = QStringLiteral("invalid smtp-host '%1'").arg(m_settings.host);
        m_url = url.toEncoded();
        if (!m_settings.user.isEmpty() && m_settings.tls == SmtpTls::None)
            qCWarning(lcNotify).noquote()
                << QStringLiteral("notify.smtp_plaintext_auth: host=%1 user=%2 (smtp-tls=none "
                                  "sends the password in clear text)")
                       .arg(m_settings.host, m_settings.user);
    }
}

SmtpMailer::~SmtpMailer()
{
    m_shuttingDown = true;
    m_stop->store(true);
    m_pool.clear();       // attempts not started yet never start
    m_pool.waitForDone(); // running ones abort from their progress callback
    auto deliveries = std::exchange(m_deliveries, {});
    auto results = std::exchange(m_results, {});
    for (auto &[id, delivery] : deliveries) {
        delivery->timer.stop();
        DeliveryOutcome outcome;
        outcome.attempts = delivery->attempts;
        outcome.statusCode = delivery->lastStatus;
        outcome.finishedAtMs = QDateTime::currentMSecsSinceEpoch();
        const auto result = results.find(id);
        if (result != results.end() && result->second->curlCode == CURLE_OK) {
            // Sent just before the shutdown; its result had not been picked up yet.
            outcome.delivered = true;
            outcome.statusCode = int(result->second->responseCode);
            if (delivery->done)
                delivery->done(outcome);
            continue;
        }
        outcome.lastError = delivery->refusal.isEmpty() ? shuttingDownError() : delivery->refusal;
        qCWarning(lcNotify).noquote()
            << QStringLiteral("notify.mail_failed: host=%1 recipients=%2 attempts=%3 error=\"%4\"")
                   .arg(m_settings.host)
                   .arg(delivery->recipientCount)
                   .arg(outcome.attempts)
                   .arg(outcome.lastError);
        if (delivery->done)
            delivery->done(outcome);
    }
}

bool SmtpMailer::isConfigured() const
{
    return !m_settings.host.isEmpty();
}

int SmtpMailer::inFlight() const
{
    return int(m_deliveries.size());
}

Result<QByteArray> SmtpMailer::composeMessage(const MailMessage &message, const QString &from,
                                              const QDateTime &date, const QString &messageId)
{
    const Result<Mailbox> sender = parseMailbox(from);
    if (!sender.ok())
        return sender.error();
    if (message.to.isEmpty())
        return makeError(ErrorKind::Invalid, QStringLiteral("no recipients"), QStringLiteral("to"));
    QStringList recipients;
    for (const QString &raw : message.to) {
        if (hasLineBreak(raw))
            return makeError(ErrorKind::Invalid,
                             QStringLiteral("refused: CR or LF in a recipient address (header "
                                            "injection)"),
                             QStringLiteral("to"));
        const QString address = raw.trimmed();
        if (!isValidAddress(address))
            return makeError(
                ErrorKind::Invalid,
                QStringLiteral("invalid recipient address '%1'").arg(withoutControls(address)),
                QStringLiteral("to"));
        recipients.append(address);
    }
    if (hasLineBreak(message.subject))
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("refused: CR or LF in the subject (header injection)"),
                         QStringLiteral("subject"));
    if (hasLineBreak(messageId) || messageId.contains(QLatin1Char('>')))
        return makeError(ErrorKind::Invalid, QStringLiteral("invalid Message-ID"),
                         QStringLiteral("messageId"));

    const Body body = encodeBody(message.textBody);
    QByteArray out;
    out += "Date: " + date.toString(Qt::RFC2822Date).toLatin1() + "\r\n";
    out += "From: " + mailboxHeader(*sender) + "\r\n";
    out += addressListHeader("To", recipients) + "\r\n";
    out += unstructuredHeader("Subject", withoutControls(message.subject).trimmed()) + "\r\n";
    out += "Message-ID: <" + messageId.toUtf8() + ">\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += "Content-Type: text/plain; charset=utf-8\r\n";
    out += "Content-Transfer-Encoding: " + body.transferEncoding + "\r\n";
    out += "Auto-Submitted: auto-generated\r\n";
    out += "\r\n";
    out += body.content;
    return out;
}

void SmtpMailer::send(const MailMessage &message, Callback done, Callback progress)
{
    if (m_shuttingDown) {
        DeliveryOutcome outcome;
        outcome.lastError = shuttingDownError();
        outcome.finishedAtMs = QDateTime::currentMSecsSinceEpoch();
        if (done)
            done(outcome);
        return;
    }
    const quint64 id = m_nextId++;
    auto delivery = std::make_unique<Delivery>();
    delivery->id = id;
    delivery->done = std::move(done);
    delivery->progress = std::move(progress);
    delivery->recipientCount = message.to.size();
    delivery->timer.setSingleShot(true);
    delivery->timer.setTimerType(Qt::PreciseTimer);
    connect(&delivery->timer, &QTimer::timeout, this, [this, id] { onTimer(id); });

    if (!isConfigured()) {
        delivery->refusal = QStringLiteral("no SMTP relay configured (smtp-host)");
    } else if (!m_settingsError.isEmpty()) {
        delivery->refusal = m_settingsError;
    } else {
        const QString domain = m_fromAddress.mid(m_fromAddress.indexOf(QLatin1Char('@')) + 1);
        const QString messageId =
            QUuid::createUuid().toString(QUuid::WithoutBraces) + QLatin1Char('@') + domain;
        const Result<QByteArray> composed =
            composeMessage(message, m_fromHeader, QDateTime::currentDateTimeUtc(), messageId);
        if (composed.ok()) {
            delivery->payload = *composed;
            for (const QString &address : message.to)
                delivery->recipients.append('<' + address.trimmed().toLatin1() + '>');
        } else {
            delivery->refusal = composed.error().message;
        }
    }

    Delivery &ref = *delivery;
    m_deliveries.emplace(id, std::move(delivery));
    if (!ref.refusal.isEmpty()) {
        ref.timer.start(0); // `done` never runs inside send()
        return;
    }
    startAttempt(id);
}

void SmtpMailer::onTimer(quint64 id)
{
    const auto it = m_deliveries.find(id);
    if (it == m_deliveries.end())
        return;
    Delivery &delivery = *it->second;
    if (!delivery.refusal.isEmpty()) {
        qCWarning(lcNotify).noquote()
            << QStringLiteral("notify.mail_refused: host=%1 recipients=%2 error=\"%3\"")
                   .arg(m_settings.host)
                   .arg(delivery.recipientCount)
                   .arg(delivery.refusal);
        DeliveryOutcome outcome;
        outcome.lastError = delivery.refusal;
        finish(id, outcome);
        return;
    }
    startAttempt(id);
}

void SmtpMailer::startAttempt(quint64 id)
{
    const auto it = m_deliveries.find(id);
    if (it == m_deliveries.end())
        return;
    Delivery &delivery = *it->second;
    ++delivery.attempts;

    AttemptJob job;
    job.url = m_url;
    job.mailFrom = '<' + m_fromAddress.toLatin1() + '>';
    job.recipients = delivery.recipients;
    job.payload = delivery.payload;
    job.user = m_settings.user.toUtf8();
    job.password = m_settings.password.toUtf8();
    job.requireTls = m_settings.tls != SmtpTls::None;
    job.timeoutMs = m_policy.attemptTimeoutMs;
    job.stop = m_stop;
    m_pool.start([this, id, job = std::move(job)] {
        auto result = std::make_unique<SmtpAttemptResult>(runAttempt(job));
        {
            const std::lock_guard lock(m_resultsMutex);
            m_results[id] = std::move(result);
        }
        QMetaObject::invokeMethod(
            this, [this, id] { onAttemptFinished(id); }, Qt::QueuedConnection);
    });
}

void SmtpMailer::onAttemptFinished(quint64 id)
{
    std::unique_ptr<SmtpAttemptResult> taken;
    {
        const std::lock_guard lock(m_resultsMutex);
        const auto found = m_results.find(id);
        if (found == m_results.end())
            return;
        taken = std::move(found->second);
        m_results.erase(found);
    }
    const SmtpAttemptResult &result = *taken;
    const auto it = m_deliveries.find(id);
    if (it == m_deliveries.end())
        return;
    Delivery &delivery = *it->second;

    if (result.curlCode == CURLE_OK) {
        DeliveryOutcome outcome;
        outcome.delivered = true;
        outcome.attempts = delivery.attempts;
        outcome.statusCode = int(result.responseCode);
        qCInfo(lcNotify).noquote()
            << QStringLiteral("notify.mail_delivered: host=%1 recipients=%2 attempts=%3")
                   .arg(m_settings.host)
                   .arg(delivery.recipientCount)
                   .arg(delivery.attempts);
        finish(id, outcome);
        return;
    }

    const Classified failure = classify(result, m_policy.attemptTimeoutMs);
    delivery.lastStatus = failure.statusCode;
    const bool willRetry = failure.retry && delivery.attempts < m_policy.maxAttempts;
    DeliveryOutcome outcome;
    outcome.attempts = delivery.attempts;
    outcome.lastError = failure.error;
    outcome.statusCode = failure.statusCode;
    outcome.finishedAtMs = QDateTime::currentMSecsSinceEpoch();
    outcome.willRetry = willRetry;

    const int delay = willRetry ? m_policy.randomDelayMs(delivery.attempts) : 0;
    if (willRetry)
        qCWarning(lcNotify).noquote()
            << QStringLiteral("notify.mail_retry: host=%1 recipients=%2 attempt=%3 error=\"%4\" "
                              "retry_in_ms=%5")
                   .arg(m_settings.host)
                   .arg(delivery.recipientCount)
                   .arg(delivery.attempts)
                   .arg(failure.error)
                   .arg(delay);
    else
        qCWarning(lcNotify).noquote()
            << QStringLiteral("notify.mail_failed: host=%1 recipients=%2 attempts=%3 error=\"%4\"")
                   .arg(m_settings.host)
                   .arg(delivery.recipientCount)
                   .arg(delivery.attempts)
                   .arg(failure.error);

    if (delivery.progress) {
        const Callback progress = delivery.progress;
        const QPointer<SmtpMailer> self(this);
        progress(outcome);
        if (!self)
            return;
    }
    if (willRetry) {
        const auto again = m_deliveries.find(id);
        if (again != m_deliveries.end())
            again->second->timer.start(delay);
        return;
    }
    finish(id, outcome);
}

void SmtpMailer::finish(quint64 id, DeliveryOutcome outcome)
{
    const auto it = m_deliveries.find(id);
    if (it == m_deliveries.end())
        return;
    std::unique_ptr<Delivery> delivery = std::move(it->second);
    m_deliveries.erase(it);
    delivery->timer.stop();
    outcome.willRetry = false;
    if (outcome.finishedAtMs == 0)
        outcome.finishedAtMs = QDateTime::currentMSecsSinceEpoch();
    if (delivery->done)
        delivery->done(outcome);
}

} // namespace spidi
