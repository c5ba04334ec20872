// SmtpMailer (libcurl in worker threads) against FakeSmtpServer on a loopback socket: the
// message on the wire (envelope, headers, encodings, dot-stuffing, CRLF), AUTH, transient and
// permanent replies, refusals before connecting, relay down, timeouts and shutdown.
// STARTTLS and implicit TLS need a TLS server and are not covered here.
// Nothing sleeps: outcomes are awaited with QTRY_* and signal spies.
#include "notify/smtp_mailer.h"

#include "fake_smtp_server.h"
#include "http_listener.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace spidi;
using spidi::test::FakeSmtpServer;
using spidi::test::HttpListener;

namespace {

RetryPolicy fastPolicy()
{
    RetryPolicy policy;
    policy.maxAttempts = 4;
    policy.initialDelayMs = 50;
    policy.factor = 2.0;
    policy.maxDelayMs = 1000;
    policy.jitter = 0.2;
    policy.attemptTimeoutMs = 2000;
    return policy;
}

SmtpSettings settingsFor(const FakeSmtpServer &server)
{
    SmtpSettings settings;
    settings.host = QStringLiteral("127.0.0.1");
    settings.port = server.port();
    settings.from = QStringLiteral("Spidi Alerts <alerts@spidi.test>");
    return settings;
}

MailMessage simpleMessage()
{
    MailMessage message;
    message.to = {QStringLiteral("ops@example.com")};
    message.subject = QStringLiteral("Room LOBBY is full");
    message.textBody = QStringLiteral("Room LOBBY is at 100% capacity.\n");
    return message;
}

struct Recorder
{
    QList<DeliveryOutcome> done;
    QList<DeliveryOutcome> progress;

    SmtpMailer::Callback onDone()
    {
        return [this](const DeliveryOutcome &outcome) { done.append(outcome); };
    }
    SmtpMailer::Callback onProgress()
    {
        return [this](const DeliveryOutcome &outcome) { progress.append(outcome); };
    }
};

struct ParsedMail
{
    QList<QPair<QByteArray, QByteArray>> headers; // unfolded
    QList<QByteArray> rawHeaderLines;
    QByteArray body;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
};

ParsedMail parseMail(const QByteArray &data)
{
    ParsedMail mail;
    const qsizetype split = data.indexOf("\r\n\r\n");
    const QByteArray head = split < 0 ? data : data.left(split);
    mail.body = split < 0 ? QByteArray() : data.mid(split + 4);
    mail.rawHeaderLines = head.split('\n');
    for (QByteArray &line : mail.rawHeaderLines)
        line.chop(line.endsWith('\r') ? 1 : 0);
    for (const QByteArray &line : std::as_const(mail.rawHeaderLines)) {
        if ((line.startsWith(' ') || line.startsWith('\t')) && !mail.headers.isEmpty()) {
            mail.headers.last().second += line; // unfold: drop the CRLF, keep the space
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        mail.headers.append({line.left(colon), line.mid(colon + 1).trimmed()});
    }
    return mail;
}

// RFC 2047 B words (UTF-8 only), whitespace between adjacent words ignored.
QString decodeWords(const QByteArray &value)
{
    static const QRegularExpression word(QStringLiteral("=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]*)\\?="),
                                         QRegularExpression::CaseInsensitiveOption);
    QByteArray bytes;
    auto it = word.globalMatch(QString::fromLatin1(value));
    while (it.hasNext())
        bytes += QByteArray::fromBase64(it.next().captured(1).toLatin1());
    return QString::fromUtf8(bytes);
}

QByteArray decodeQuotedPrintable(const QByteArray &text)
{
    QByteArray out;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text.at(i);
        if (c != '=') {
            out += c;
        } else if (text.mid(i + 1, 2) == "\r\n") {
            i += 2; // soft line break
        } else {
            out += char(QByteArray::fromHex(text.mid(i + 1, 2)).at(0));
            i += 2;
        }
    }
    return out;
}

bool onlyCrlf(const QByteArray &data)
{
    for (qsizetype i = 0; i < data.size(); ++i) {
        if (data.at(i) == '\n' && (i == 0 || data.at(i - 1) != '\r'))
            return false;
        if (data.at(i) == '\r' && (i + 1 >= data.size() || data.at(i + 1) != '\n'))
            return false;
    }
    return true;
}

} // namespace

class TestSmtpMailer : public QObject
{
    Q_OBJECT

private slots:
    void plainMessageOnTheWire();
    void internationalMessageOnTheWire();
    void defaultSender();
    void authPlain();
    void authLogin();
    void wrongPasswordFailsWithoutRetry();
    void transientRepliesRetried();
    void rejectedRecipientFailsAtOnce();
    void notConfigured();
    void headerInjectionRefused();
    void relayDownRetriedThenFailed();
    void silentRelayTimesOut();
    void destroyedWhileSending();
};

void TestSmtpMailer::plainMessageOnTheWire()
{
    FakeSmtpServer server;
    QVERIFY(server.isListening());
    SmtpMailer mailer(settingsFor(server), fastPolicy());
    QVERIFY(mailer.isConfigured());
    MailMessage message;
    message.to = {QStringLiteral("ops@example.com"), QStringLiteral(" oncall@example.com ")};
    message.subject = QStringLiteral("[WARNING] Room LOBBY is at 95% capacity");
    message.textBody = QStringLiteral("Room LOBBY is at 95% capacity.\n"
                                      ".hidden line starting with a dot\n"
                                      ".\n"
                                      "..two dots\r\n"
                                      "\n"
                                      "last line");
    Recorder recorder;
    mailer.send(message, recorder.onDone(), recorder.onProgress());
    QCOMPARE(mailer.inFlight(), 1);
    QVERIFY(recorder.done.isEmpty());

    QTRY_COMPARE(recorder.done.size(), 1);
    QVERIFY2(recorder.done.first().delivered, qPrintable(recorder.done.first().lastError));
    QCOMPARE(recorder.done.first().attempts, 1);
    QCOMPARE(recorder.done.first().statusCode, 250);
    QVERIFY(recorder.done.first().lastError.isEmpty());
    QVERIFY(recorder.progress.isEmpty());
    QCOMPARE(mailer.inFlight(), 0);

    QCOMPARE(server.messageCount(), 1);
    const auto &received = server.messages().first();
    QCOMPARE(received.from, QByteArray("alerts@spidi.test"));
    QCOMPARE(received.to, (QList<QByteArray>{"ops@example.com", "oncall@example.com"}));
    QVERIFY(received.authUser.isEmpty());
    QVERIFY2(onlyCrlf(received.data), received.data.constData());

    const ParsedMail mail = parseMail(received.data);
    QCOMPARE(mail.header("From"), QByteArray("Spidi Alerts <alerts@spidi.test>"));
    QCOMPARE(mail.header("To"), QByteArray("ops@example.com, oncall@example.com"));
    QCOMPARE(mail.header("Subject"), QByteArray("[WARNING] Room LOBBY is at 95% capacity"));
    QCOMPARE(mail.header("MIME-Version"), QByteArray("1.0"));
    QCOMPARE(mail.header("Content-Type"), QByteArray("text/plain; charset=utf-8"));
    QCOMPARE(mail.header("Content-Transfer-Encoding"), QByteArray("7bit"));
    QVERIFY(QRegularExpression(QStringLiteral("^<[0-9a-f-]{36}@spidi\\.test>$"))
                .match(QString::fromLatin1(mail.header("Message-ID")))
                .hasMatch());
    const QDateTime date =
        QDateTime::fromString(QString::fromLatin1(mail.header("Date")), Qt::RFC2822Date);
    QVERIFY2(date.isValid(), mail.header("Date").constData());
    QVERIFY(qAbs(date.secsTo(QDateTime::currentDateTimeUtc())) < 120);
    // Dot-stuffing by libcurl, undone by the server: the lines arrive as written.
    QCOMPARE(mail.body, QByteArray("Room LOBBY is at 95% capacity.\r\n"
                                   ".hidden line starting with a dot\r\n"
                                   ".\r\n"
                                   "..two dots\r\n"
                                   "\r\n"
                                   "last line\r\n"));
}

void TestSmtpMailer::internationalMessageOnTheWire()
{
    FakeSmtpServer server;
    SmtpSettings settings = settingsFor(server);
    settings.from = QStringLiteral("Présence Spidi <alerts@spidi.test>");
    SmtpMailer mailer(settings, fastPolicy());
    MailMessage message = simpleMessage();
    message.subject = QStringLiteral("Salle « Réunion » pleine ☕ — %1")
                          .arg(QString(60, QChar(0x00e9))); // long enough to need several words
    const QString longLine = QString(1200, QLatin1Char('x')) + QStringLiteral(" end");
    message.textBody = QStringLiteral("Température élevée: 30 °C\n") +
                       QStringLiteral(".dot line, then trailing space \n") + longLine +
                       QStringLiteral("\nfin");
    Recorder recorder;
    mailer.send(message, recorder.onDone());

    QTRY_COMPARE(recorder.done.size(), 1);
    QVERIFY2(recorder.done.first().delivered, qPrintable(recorder.done.first().lastError));
    QCOMPARE(server.messageCount(), 1);
    const QByteArray data = server.messages().first().data;
    QVERIFY(onlyCrlf(data));
    const ParsedMail mail = parseMail(data);
    for (const QByteArray &line : mail.rawHeaderLines) {
        QVERIFY2(line.size() <= 78, line.constData());
        for (const char c : line)
            QVERIFY2(uchar(c) < 0x80, line.constData()); // headers are pure ASCII
    }
    QVERIFY(mail.header("Subject").startsWith("=?UTF-8?B?"));
    QCOMPARE(decodeWords(mail.header("Subject")), message.subject);
    QVERIFY(mail.header("From").endsWith(" <alerts@spidi.test>"));
    QCOMPARE(decodeWords(mail.header("From")), QStringLiteral("Présence Spidi"));
    QCOMPARE(mail.header("Content-Transfer-Encoding"), QByteArray("quoted-printable"));
    for (const QByteArray &line : mail.body.split('\n'))
        QVERIFY2(line.size() <= 77, line.constData()); // 76 + the CR
    const QByteArray expected = (QStringLiteral("Température élevée: 30 °C\r\n") +
                                 QStringLiteral(".dot line, then trailing space \r\n") + longLine +
                                 QStringLiteral("\r\nfin\r\n"))
                                    .toUtf8();
    QCOMPARE(decodeQuotedPrintable(mail.body), expected);
}

void TestSmtpMailer::defaultSender()
{
    FakeSmtpServer server;
    SmtpSettings settings = settingsFor(server);
    settings.from.clear();
    SmtpMailer mailer(settings, fastPolicy());
    QVERIFY(mailer.senderAddress().startsWith(QLatin1String("spidi@")));
    Recorder recorder;
    mailer.send(simpleMessage(), recorder.onDone());
    QTRY_COMPARE(recorder.done.size(), 1);
    QVERIFY(recorder.done.first().delivered);
    QCOMPARE(QString::fromLatin1(server.messages().first().from), mailer.senderAddress());
}

void TestSmtpMailer::authPlain()
{
    FakeSmtpServer server;
    server.setCredentials("mailer", "s3cret pass");
    SmtpSettings settings = settingsFor(server);
    settings.user = QStringLiteral("mailer");
    settings.password = QStringLiteral("s3cret pass");
    SmtpMailer mailer(settings, fastPolicy());
    Recorder recorder;
    mailer.send(simpleMessage(), recorder.onDone());
    QTRY_COMPARE(recorder.done.size(), 1);
    QVERIFY2(recorder.done.first().delivered, qPrintable(recorder.done.first().lastError));
    QCOMPARE(server.messages().first().authUser, QByteArray("mailer"));
    QVERIFY(server.commands().contains("AUTH PLAIN"));
}

void TestSmtpMailer::authLogin()
{
    FakeSmtpServer server;
    server.setCredentials("mailer", "s3cret");
    server.setAuthMechanisms("LOGIN");
    SmtpSettings settings = settingsFor(server);
    settings.user = QStringLiteral("mailer");
    settings.password = QStringLiteral("s3cret");
    SmtpMailer mailer(settings, fastPolicy());
    Recorder recorder;
    mailer.send(simpleMessage(), recorder.onDone());
    QTRY_COMPARE(recorder.done.size(), 1);
    QVERIFY2(recorder.done.first().delivered, qPrintable(recorder.done.first().lastError));
    QCOMPARE(server.messages().first().authUser, QByteArray("mailer"));
    QVERIFY(server.commands().contains("AUTH LOGIN"));
}

void TestSmtpMailer::wrongPasswordFailsWithoutRetry()
{
    FakeSmtpServer server;
    server.setCredentials("mailer", "s3cret");
    SmtpSettings settings = settingsFor(server);
    settings.user = QStringLiteral("mailer");
    settings.password = QStringLiteral("wrong");
    SmtpMailer mailer(settings, fastPolicy());
    Recorder recorder;
    mailer.send(simpleMessage(), recorder.onDone(), recorder.onProgress());
    QTRY_COMPARE(recorder.done.size(), 1);
    const DeliveryOutcome &outcome = recorder.done.first();
    QVERIFY(!outcome.delivered);
    QCOMPARE(outcome.attempts, 1);
    QCOMPARE(outcome.statusCode, 535);
    QVERIFY2(outcome.lastError.startsWith(QLatin1String("SMTP 535")),
             qPrintable(outcome.lastError));
    QVERIFY(!outcome.lastError.contains(QLatin1String("wrong")));
    QCOMPARE(recorder.progress.size(), 1);
    QVERIFY(!recorder.progress.first().willRetry);
    QCOMPARE(server.connectionCount(), 1);
    QCOMPARE(server.transactionCount(), 0);
    QCOMPARE(server.messageCount(), 0);
}

void TestSmtpMailer::transientRepliesRetried()
{
    FakeSmtpServer server;
    server.failNextTransactions(2, 451, "4.3.0 Try again later");
    const RetryPolicy policy = fastPolicy();
    SmtpMailer mailer(settingsFor(server), policy);
    Recorder recorder;
    mailer.send(simpleMessage(), recorder.onDone(), recorder.onProgress());
    QTRY_COMPARE(recorder.done.size(), 1);
    QVERIFY2(recorder.done.first().delivered, qPrintable(recorder.done.first().lastError));
    QCOMPARE(recorder.done.first().attempts, 3);
    QCOMPARE(recorder.progress.size(), 2);
    for (const DeliveryOutcome &progress : std::as_const(recorder.progress)) {
        QVERIFY(progress.willRetry);
        QCOMPARE(progress.statusCode, 451);
        QCOMPARE(progress.lastError, QStringLiteral("SMTP 451 4.3.0 Try again later"));
    }
    const qint64 gap = recorder.progress.at(1).finishedAtMs - recorder.progress.at(0).finishedAtMs;
    QVERIFY2(gap >= qint64(policy.nominalDelayMs(1) * (1.0 - policy.jitter)),
             qPrintable(QString::number(gap)));
    QCOMPARE(server.transactionCount(), 3);
    QCOMPARE(server.messageCount(), 1);
}

void TestSmtpMailer::rejectedRecipientFailsAtOnce()
{
    FakeSmtpServer server;
    server.rejectRecipient("nobody@example.com", 550, "5.1.1 mailbox unavailable");
    SmtpMailer mailer(settingsFor(server), fastPolicy());
    MailMessage message = simpleMessage();
    message.to = {QStringLiteral("nobody@example.com")};
    Recorder recorder;
    mailer.send(message, recorder.onDone(), recorder.onProgress());
    QTRY_COMPARE(recorder.done.size(), 1);
    const DeliveryOutcome &outcome = recorder.done.first();
    QVERIFY(!outcome.delivered);
    QCOMPARE(outcome.attempts, 1);
    QCOMPARE(outcome.statusCode, 550);
    QCOMPARE(outcome.lastError, QStringLiteral("SMTP 550 5.1.1 mailbox unavailable"));
    QCOMPARE(server.connectionCount(), 1);
    QCOMPARE(server.messageCount(), 0);
}

void TestSmtpMailer::notConfigured()
{
    SmtpMailer mailer(SmtpSettings{}, fastPolicy());
    QVERIFY(!mailer.isConfigured());
    Recorder recorder;
    mailer.send(simpleMessage(), recorder.onDone(), recorder.onProgress());
    QVERIFY(recorder.done.isEmpty());
    QTRY_COMPARE(recorder.done.size(), 1);
    QVERIFY(!recorder.done.first().delivered);
    QCOMPARE(recorder.done.first().attempts, 0);
    QCOMPARE(recorder.done.first().lastError,
             QStringLiteral("no SMTP relay configured (smtp-host)"));
    QVERIFY(recorder.progress.isEmpty());
    QCOMPARE(mailer.inFlight(), 0);
}

void TestSmtpMailer::headerInjectionRefused()
{
    FakeSmtpServer server;
    SmtpMailer mailer(settingsFor(server), fastPolicy());
    Recorder recorder;
    MailMessage badSubject = simpleMessage();
    badSubject.subject = QStringLiteral("Hello\r\nBcc: victim@example.com");
    mailer.send(badSubject, recorder.onDone());
    MailMessage badAddress = simpleMessage();
    badAddress.to = {QStringLiteral("ops@example.com\nBcc: victim@example.com")};
    mailer.send(badAddress, recorder.onDone());
    MailMessage noRecipient = simpleMessage();
    noRecipient.to.clear();
    mailer.send(noRecipient, recorder.onDone());
    MailMessage badSyntax = simpleMessage();
    badSyntax.to = {QStringLiteral("not an address")};
    mailer.send(badSyntax, recorder.onDone());

    QTRY_COMPARE(recorder.done.size(), 4);
    for (const DeliveryOutcome &outcome : std::as_const(recorder.done)) {
        QVERIFY(!outcome.delivered);
        QCOMPARE(outcome.attempts, 0);
    }
    QVERIFY2(recorder.done.at(0).lastError.contains(QLatin1String("CR or LF in the subject")),
             qPrintable(recorder.done.at(0).lastError));
    QVERIFY2(recorder.done.at(1).lastError.contains(QLatin1String("CR or LF")),
             qPrintable(recorder.done.at(1).lastError));
    QCOMPARE(recorder.done.at(2).lastError, QStringLiteral("no recipients"));
    QVERIFY(recorder.done.at(3).lastError.contains(QLatin1String("invalid recipient")));
    QCOMPARE(server.connectionCount(), 0);
    QCOMPARE(mailer.inFlight(), 0);
}

void TestSmtpMailer::relayDownRetriedThenFailed()
{
    const quint16 port = HttpListener::unusedPort();
    QVERIFY(port != 0);
    SmtpSettings settings;
    settings.host = QStringLiteral("127.0.0.1");
    settings.port = port;
    RetryPolicy policy = fastPolicy();
    policy.maxAttempts = 3;
    SmtpMailer mailer(settings, policy);
    Recorder recorder;
    mailer.send(simpleMessage(), recorder.onDone(), recorder.onProgress());
    QTRY_COMPARE(recorder.done.size(), 1);
    const DeliveryOutcome &outcome = recorder.done.first();
    QVERIFY(!outcome.delivered);
    QCOMPARE(outcome.attempts, 3);
    QCOMPARE(outcome.lastError, QStringLiteral("connection refused"));
    QCOMPARE(outcome.statusCode, 0);
    QCOMPARE(recorder.progress.size(), 3);
    QVERIFY(recorder.progress.at(0).willRetry);
    QVERIFY(recorder.progress.at(1).willRetry);
    QVERIFY(!recorder.progress.at(2).willRetry);
}

void TestSmtpMailer::silentRelayTimesOut()
{
    FakeSmtpServer server;
    server.setSilent(true);
    RetryPolicy policy = fastPolicy();
    policy.maxAttempts = 2;
    policy.attemptTimeoutMs = 500;
    SmtpMailer mailer(settingsFor(server), policy);
    Recorder recorder;
    mailer.send(simpleMessage(), recorder.onDone(), recorder.onProgress());
    QTRY_COMPARE_WITH_TIMEOUT(recorder.done.size(), 1, 10000);
    QVERIFY(!recorder.done.first().delivered);
    QCOMPARE(recorder.done.first().attempts, 2);
    QCOMPARE(recorder.done.first().lastError, QStringLiteral("timeout after 500 ms"));
    QCOMPARE(recorder.progress.size(), 2);
    QVERIFY(recorder.progress.first().willRetry);
    QCOMPARE(server.connectionCount(), 2);
}

void TestSmtpMailer::destroyedWhileSending()
{
    FakeSmtpServer server;
    server.setSilent(true);
    QSignalSpy accepted(&server, &FakeSmtpServer::connectionAccepted);
    RetryPolicy policy = fastPolicy();
    policy.attemptTimeoutMs = 20000;
    auto mailer = std::make_unique<SmtpMailer>(settingsFor(server), policy);
    Recorder recorder;
    mailer->send(simpleMessage(), recorder.onDone());
    mailer->send(simpleMessage(), recorder.onDone());
    mailer->send(simpleMessage(), recorder.onDone()); // queued behind the two workers
    QTRY_COMPARE(accepted.size(), 2);
    QCOMPARE(mailer->inFlight(), 3);

    QElapsedTimer clock;
    clock.start();
    mailer.reset();
    QVERIFY2(clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(recorder.done.size(), 3);
    for (const DeliveryOutcome &outcome : std::as_const(recorder.done)) {
        QVERIFY(!outcome.delivered);
        QCOMPARE(outcome.lastError, QStringLiteral("server shutting down"));
    }
}

QTEST_GUILESS_MAIN(TestSmtpMailer)
#include "tst_smtp_mailer.moc"
