// WebhookSender against HttpListener on a loopback socket: delivery, retry policy (backoff,
// Retry-After, timeouts, refused connections), permanent failures, shutdown, and redactUrl().
// Nothing sleeps: outcomes are awaited with QTRY_* and signal spies.
#include "notify/webhook_sender.h"

#include "http_listener.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace spidi;
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

struct Recorder
{
    QList<DeliveryOutcome> done;
    QList<DeliveryOutcome> progress;

    WebhookSender::Callback onDone()
    {
        return [this](const DeliveryOutcome &outcome) { done.append(outcome); };
    }
    WebhookSender::Callback onProgress()
    {
        return [this](const DeliveryOutcome &outcome) { progress.append(outcome); };
    }
};

// Collects every log message while alive, passing them on to Qt Test's handler.
class LogCapture
{
public:
    LogCapture()
    {
        s_lines.clear();
        s_previous = qInstallMessageHandler(&LogCapture::handle);
    }
    ~LogCapture() { qInstallMessageHandler(s_previous); }
    static const QStringList &lines() { return s_lines; }

private:
    static void handle(QtMsgType type, const QMessageLogContext &context, const QString &message)
    {
        s_lines.append(message);
        if (s_previous)
            s_previous(type, context, message);
    }
    static inline QStringList s_lines;
    static inline QtMessageHandler s_previous = nullptr;
};

const QByteArray kBody = R"({"text":"Room LOBBY is at 95% capacity","severity":"WARNING"})";

} // namespace

class TestWebhookSender : public QObject
{
    Q_OBJECT

private slots:
    void deliveredFirstTry();
    void serverErrorsRetriedWithGrowingDelays();
    void clientErrorFailsAtOnce();
    void retryAfterHonoured();
    void retryAfterCappedByMaxDelay();
    void hangTimesOutThenRetried();
    void connectionRefusedUsesEveryAttempt();
    void closedWithoutAnswerRetried();
    void allAttemptsFailCallsDoneOnce();
    void sameHostRedirectFollowed();
    void redirectToAnotherHostFailsAtOnce();
    void invalidUrlRefused();
    void destroyedMidRetry();
    void destroyedMidRequest();
    void backoffDelays();
    void redactUrl_data();
    void redactUrl();
    void outcomeNeverShowsTheSecret();
};

void TestWebhookSender::deliveredFirstTry()
{
    HttpListener listener;
    QVERIFY(listener.isListening());
    listener.enqueue(200, "ok");
    WebhookSender sender(fastPolicy());
    Recorder recorder;
    sender.post(listener.url(QStringLiteral("/hooks/team?x=1")), kBody, recorder.onDone(),
                recorder.onProgress());
    QCOMPARE(sender.inFlight(), 1);
    QVERIFY(recorder.done.isEmpty()); // never called inside post()

    QTRY_COMPARE(recorder.done.size(), 1);
    const DeliveryOutcome &outcome = recorder.done.first();
    QVERIFY(outcome.delivered);
    QCOMPARE(outcome.attempts, 1);
    QCOMPARE(outcome.statusCode, 200);
    QVERIFY(outcome.lastError.isEmpty());
    QVERIFY(outcome.finishedAtMs > 0);
    QVERIFY(recorder.progress.isEmpty());
    QCOMPARE(sender.inFlight(), 0);

    QCOMPARE(listener.requestCount(), 1);
    const auto &request = listener.requests().first();
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.path, QByteArray("/hooks/team?x=1"));
    QCOMPARE(request.header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(request.header("User-Agent"), QByteArray("spidi-server/" SPIDI_VERSION));
    QCOMPARE(request.body, kBody);
}

void TestWebhookSender::serverErrorsRetriedWithGrowingDelays()
{
    HttpListener listener;
    listener.enqueue(503);
    listener.enqueue(503);
    listener.enqueue(200);
    const RetryPolicy policy = fastPolicy();
    WebhookSender sender(policy);
    Recorder recorder;
    sender.post(listener.url(QStringLiteral("/hook")), kBody, recorder.onDone(),
                recorder.onProgress());

    QTRY_COMPARE(recorder.done.size(), 1);
    QVERIFY(recorder.done.first().delivered);
    QCOMPARE(recorder.done.first().attempts, 3);
    QCOMPARE(recorder.done.first().statusCode, 200);

    QCOMPARE(recorder.progress.size(), 2);
    for (int i = 0; i < 2; ++i) {
        const DeliveryOutcome &progress = recorder.progress.at(i);
        QVERIFY(progress.willRetry);
        QVERIFY(!progress.delivered);
        QCOMPARE(progress.attempts, i + 1);
        QCOMPARE(progress.statusCode, 503);
        QVERIFY2(progress.lastError.startsWith(QLatin1String("HTTP 503 Service Unavailable")),
                 qPrintable(progress.lastError));
    }

    QCOMPARE(listener.requestCount(), 3);
    const auto &requests = listener.requests();
    for (int i = 1; i < 3; ++i) {
        const qint64 gap = requests.at(i).receivedAtMs - requests.at(i - 1).receivedAtMs;
        const double minimum = policy.nominalDelayMs(i) * (1.0 - policy.jitter);
        QVERIFY2(gap >= qint64(minimum), qPrintable(QStringLiteral("gap %1 ms before attempt %2, "
                                                                   "expected at least %3 ms")
                                                        .arg(gap)
                                                        .arg(i + 1)
                                                        .arg(minimum)));
        QCOMPARE(requests.at(i).body, kBody);
    }
}

void TestWebhookSender::clientErrorFailsAtOnce()
{
    HttpListener listener;
    listener.enqueue(404, "no_service");
    WebhookSender sender(fastPolicy());
    Recorder recorder;
    sender.post(listener.url(QStringLiteral("/hook")), kBody, recorder.onDone(),
                recorder.onProgress());

    QTRY_COMPARE(recorder.done.size(), 1);
    const DeliveryOutcome &outcome = recorder.done.first();
    QVERIFY(!outcome.delivered);
    QCOMPARE(outcome.attempts, 1);
    QCOMPARE(outcome.statusCode, 404);
    QVERIFY2(outcome.lastError.contains(QLatin1String("HTTP 404")), qPrintable(outcome.lastError));
    QVERIFY2(outcome.lastError.contains(QLatin1String("no_service")),
             qPrintable(outcome.lastError));
    QCOMPARE(recorder.progress.size(), 1);
    QVERIFY(!recorder.progress.first().willRetry);
    QCOMPARE(sender.inFlight(), 0);
    QCOMPARE(listener.requestCount(), 1);
}

void TestWebhookSender::retryAfterHonoured()
{
    HttpListener listener;
    listener.enqueue(429, {}, {{"Retry-After", "1"}});
    RetryPolicy policy = fastPolicy();
    policy.maxDelayMs = 5000;
    WebhookSender sender(policy);
    Recorder recorder;
    sender.post(listener.url(QStringLiteral("/hook")), kBody, recorder.onDone(),
                recorder.onProgress());

    QTRY_COMPARE_WITH_TIMEOUT(recorder.done.size(), 1, 10000);
    QVERIFY(recorder.done.first().delivered);
    QCOMPARE(recorder.done.first().attempts, 2);
    QCOMPARE(recorder.progress.size(), 1);
    QCOMPARE(recorder.progress.first().statusCode, 429);
    QVERIFY(recorder.progress.first().lastError.startsWith(QLatin1String("HTTP 429")));
    QCOMPARE(listener.requestCount(), 2);
    const qint64 gap =
        listener.requests().at(1).receivedAtMs - listener.requests().at(0).receivedAtMs;
    QVERIFY2(gap >= 990, qPrintable(QStringLiteral("gap %1 ms").arg(gap)));
    QVERIFY2(gap < 4000, qPrintable(QStringLiteral("gap %1 ms").arg(gap)));
}

void TestWebhookSender::retryAfterCappedByMaxDelay()
{
    HttpListener listener;
    listener.enqueue(503, {}, {{"Retry-After", "3600"}});
    RetryPolicy policy = fastPolicy();
    policy.maxDelayMs = 300;
    WebhookSender sender(policy);
    Recorder recorder;
    sender.post(listener.url(QStringLiteral("/hook")), kBody, recorder.onDone());

    QTRY_COMPARE_WITH_TIMEOUT(recorder.done.size(), 1, 5000);
    QVERIFY(recorder.done.first().delivered);
    QCOMPARE(recorder.done.first().attempts, 2);
    const qint64 gap =
        listener.requests().at(1).receivedAtMs - listener.requests().at(0).receivedAtMs;
    QVERIFY2(gap >= 295 && gap < 3000, qPrintable(QStringLiteral("gap %1 ms").arg(gap)));
}

void TestWebhookSender::hangTimesOutThenRetried()
{
    HttpListener listener;
    listener.enqueueHang();
    RetryPolicy policy = fastPolicy();
    policy.attemptTimeoutMs = 500;
    WebhookSender sender(policy);
    Recorder recorder;
    sender.post(listener.url(QStringLiteral("/hook")), kBody, recorder.onDone(),
                recorder.onProgress());

    QTRY_COMPARE_WITH_TIMEOUT(recorder.done.size(), 1, 5000);
    QVERIFY(recorder.done.first().delivered);
    QCOMPARE(recorder.done.first().attempts, 2);
    QCOMPARE(recorder.progress.size(), 1);
    QCOMPARE(recorder.progress.first().lastError, QStringLiteral("timeout after 500 ms"));
    QVERIFY(recorder.progress.first().willRetry);
    QCOMPARE(recorder.progress.first().statusCode, 0);
    QCOMPARE(listener.requestCount(), 2);
    const qint64 gap =
        listener.requests().at(1).receivedAtMs - listener.requests().at(0).receivedAtMs;
    // The retry waits for the 500 ms timeout plus a 40-60 ms backoff. The timeout starts when
    // the request is sent, before the listener stamps it (an ASan build was seen 3 ms late), so
    // the backoff is the slack and only the timeout is a firm lower bound.
    QVERIFY2(gap >= 500, qPrintable(QStringLiteral("gap %1 ms").arg(gap)));
}

void TestWebhookSender::connectionRefusedUsesEveryAttempt()
{
    const quint16 port = HttpListener::unusedPort();
    QVERIFY(port != 0);
    RetryPolicy policy = fastPolicy();
    policy.maxAttempts = 3;
    WebhookSender sender(policy);
    Recorder recorder;
    sender.post(QUrl(QStringLiteral("http://127.0.0.1:%1/hook").arg(port)), kBody,
                recorder.onDone(), recorder.onProgress());

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

void TestWebhookSender::closedWithoutAnswerRetried()
{
    HttpListener listener;
    // Qt itself resends a request once or twice when the connection closes before any byte
    // of a response, so script enough closes to exhaust that and reach our own retry.
    for (int i = 0; i < 3; ++i)
        listener.enqueueClose();
    RetryPolicy policy = fastPolicy();
    policy.maxAttempts = 5;
    WebhookSender sender(policy);
    Recorder recorder;
    sender.post(listener.url(QStringLiteral("/hook")), kBody, recorder.onDone(),
                recorder.onProgress());

    QTRY_COMPARE(recorder.done.size(), 1);
    QVERIFY(recorder.done.first().delivered);
    QVERIFY(recorder.done.first().attempts >= 2);
    QVERIFY(!recorder.progress.isEmpty());
    QVERIFY2(recorder.progress.first().lastError.contains(QLatin1String("closed")),
             qPrintable(recorder.progress.first().lastError));
    QCOMPARE(listener.requestCount(), 4);
}

void TestWebhookSender::allAttemptsFailCallsDoneOnce()
{
    HttpListener listener;
    RetryPolicy policy = fastPolicy();
    policy.maxAttempts = 3;
    for (int i = 0; i < policy.maxAttempts + 2; ++i)
        listener.enqueue(500, "boom");
    WebhookSender sender(policy);
    Recorder recorder;
    sender.post(listener.url(QStringLiteral("/hook")), kBody, recorder.onDone(),
                recorder.onProgress());

    QTRY_COMPARE(recorder.done.size(), 1);
    QCOMPARE(sender.inFlight(), 0);
    QCOMPARE(listener.requestCount(), 3);
    QCOMPARE(recorder.done.first().attempts, 3);
    QCOMPARE(recorder.done.first().statusCode, 500);
    QVERIFY(recorder.done.first().lastError.startsWith(QLatin1String("HTTP 500")));
    QCOMPARE(recorder.progress.size(), 3);

    // Nothing comes after the final outcome: no fourth request, no second `done`.
    QSignalSpy spy(&listener, &HttpListener::requestReceived);
    QVERIFY(!spy.wait(400));
    QCOMPARE(recorder.done.size(), 1);
}

void TestWebhookSender::sameHostRedirectFollowed()
{
    HttpListener listener;
    listener.enqueue(307, {}, {{"Location", "/moved/here"}});
    listener.enqueue(200);
    WebhookSender sender(fastPolicy());
    Recorder recorder;
    sender.post(listener.url(QStringLiteral("/hook")), kBody, recorder.onDone());

    QTRY_COMPARE(recorder.done.size(), 1);
    QVERIFY(recorder.done.first().delivered);
    QCOMPARE(recorder.done.first().attempts, 1);
    QCOMPARE(listener.requestCount(), 2);
    QCOMPARE(listener.requests().at(1).path, QByteArray("/moved/here"));
    QCOMPARE(listener.requests().at(1).method, QByteArray("POST"));
    QCOMPARE(listener.requests().at(1).body, kBody);
}

void TestWebhookSender::redirectToAnotherHostFailsAtOnce()
{
    HttpListener listener;
    const QByteArray elsewhere =
        "http://localhost:" + QByteArray::number(listener.port()) + "/steal/secret-token";
    listener.enqueue(302, {}, {{"Location", elsewhere}});
    WebhookSender sender(fastPolicy());
    Recorder recorder;
    sender.post(listener.url(QStringLiteral("/hook")), kBody, recorder.onDone());

    QTRY_COMPARE(recorder.done.size(), 1);
    const DeliveryOutcome &outcome = recorder.done.first();
    QVERIFY(!outcome.delivered);
    QCOMPARE(outcome.attempts, 1);
    QCOMPARE(outcome.statusCode, 302);
    QVERIFY2(outcome.lastError.contains(QLatin1String("another host")),
             qPrintable(outcome.lastError));
    QVERIFY(!outcome.lastError.contains(QLatin1String("secret-token")));
    QCOMPARE(listener.requestCount(), 1);
}

void TestWebhookSender::invalidUrlRefused()
{
    WebhookSender sender(fastPolicy());
    Recorder recorder;
    sender.post(QUrl(QStringLiteral("ftp://example.com/hook")), kBody, recorder.onDone());
    sender.post(QUrl(), kBody, recorder.onDone());
    QVERIFY(recorder.done.isEmpty());
    QTRY_COMPARE(recorder.done.size(), 2);
    for (const DeliveryOutcome &outcome : std::as_const(recorder.done)) {
        QVERIFY(!outcome.delivered);
        QCOMPARE(outcome.attempts, 0);
        QVERIFY(!outcome.lastError.isEmpty());
    }
    QVERIFY(recorder.done.at(0).lastError.contains(QLatin1String("scheme")));
    QCOMPARE(sender.inFlight(), 0);
}

void TestWebhookSender::destroyedMidRetry()
{
    HttpListener listener;
    listener.enqueue(503);
    RetryPolicy policy = fastPolicy();
    policy.initialDelayMs = 30000;
    policy.maxDelayMs = 60000;
    auto sender = std::make_unique<WebhookSender>(policy);
    Recorder recorder;
    sender->post(listener.url(QStringLiteral("/hook")), kBody, recorder.onDone(),
                 recorder.onProgress());
    QTRY_COMPARE(recorder.progress.size(), 1);
    QVERIFY(recorder.progress.first().willRetry);
    QCOMPARE(sender->inFlight(), 1);
    QVERIFY(recorder.done.isEmpty());

    sender.reset();
    QCOMPARE(recorder.done.size(), 1);
    QVERIFY(!recorder.done.first().delivered);
    QCOMPARE(recorder.done.first().lastError, QStringLiteral("server shutting down"));
    QCOMPARE(recorder.done.first().attempts, 1);
    QCOMPARE(listener.requestCount(), 1);
}

void TestWebhookSender::destroyedMidRequest()
{
    HttpListener listener;
    listener.enqueueHang();
    QSignalSpy received(&listener, &HttpListener::requestReceived);
    auto sender = std::make_unique<WebhookSender>(fastPolicy());
    Recorder recorder;
    sender->post(listener.url(QStringLiteral("/hook")), kBody, recorder.onDone());
    QVERIFY(received.wait(5000));
    sender.reset();
    QCOMPARE(recorder.done.size(), 1);
    QCOMPARE(recorder.done.first().lastError, QStringLiteral("server shutting down"));
    QCOMPARE(recorder.done.first().attempts, 1);
}

void TestWebhookSender::backoffDelays()
{
    RetryPolicy policy;
    policy.initialDelayMs = 1000;
    policy.factor = 2.0;
    policy.maxDelayMs = 60000;
    policy.jitter = 0.2;
    QCOMPARE(policy.nominalDelayMs(1), 1000);
    QCOMPARE(policy.nominalDelayMs(2), 2000);
    QCOMPARE(policy.nominalDelayMs(3), 4000);
    QCOMPARE(policy.nominalDelayMs(7), 60000); // 64 s capped
    QCOMPARE(policy.nominalDelayMs(400), 60000);
    QCOMPARE(policy.delayMs(2, 0.0), 1600);
    QCOMPARE(policy.delayMs(2, 0.5), 2000);
    QCOMPARE(policy.delayMs(2, 1.0), 2400);
    QCOMPARE(policy.delayMs(9, 1.0), 60000); // never beyond the cap
    for (int i = 0; i < 200; ++i) {
        const int delay = policy.randomDelayMs(3);
        QVERIFY2(delay >= 3200 && delay <= 4800, qPrintable(QString::number(delay)));
    }
    RetryPolicy broken;
    broken.maxAttempts = 0;
    broken.factor = 0.5;
    broken.jitter = 3;
    broken.attemptTimeoutMs = -1;
    const RetryPolicy fixed = broken.sanitized();
    QCOMPARE(fixed.maxAttempts, 1);
    QCOMPARE(fixed.factor, 1.0);
    QCOMPARE(fixed.jitter, 1.0);
    QCOMPARE(fixed.attemptTimeoutMs, 1);
}

void TestWebhookSender::redactUrl_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("expected");
    const QString e(QChar(0x2026));
    QTest::newRow("slack") << QStringLiteral("https://hooks.slack.com/services/T0/B0/XYZ?token=a")
                           << QStringLiteral("https://hooks.slack.com/services/") + e;
    QTest::newRow("userinfo") << QStringLiteral("https://bot:hunter2@example.com/hook")
                              << QStringLiteral("https://example.com/hook");
    QTest::newRow("query") << QStringLiteral("https://example.com/hook?token=abc")
                           << QStringLiteral("https://example.com/hook") + e;
    QTest::newRow("fragment") << QStringLiteral("https://example.com/hook#abc")
                              << QStringLiteral("https://example.com/hook") + e;
    QTest::newRow("long path") << QStringLiteral("http://example.com:8080/a/b/c/d/e/f")
                               << QStringLiteral("http://example.com:8080/a/") + e;
    QTest::newRow("long segment")
        << QStringLiteral("https://example.com/abcdefghijklmnopqrstuvwxyz0123456789")
        << QStringLiteral("https://example.com/abcdefghijklmnopqrstuvwx") + e;
    QTest::newRow("http") << QStringLiteral("http://10.0.0.5/alerts")
                          << QStringLiteral("http://10.0.0.5/alerts");
    QTest::newRow("no path") << QStringLiteral("https://example.com")
                             << QStringLiteral("https://example.com");
    QTest::newRow("root") << QStringLiteral("https://example.com/")
                          << QStringLiteral("https://example.com/");
    QTest::newRow("root query") << QStringLiteral("https://u:p@example.com/?k=secret")
                                << QStringLiteral("https://example.com/") + e;
    QTest::newRow("trailing slash") << QStringLiteral("https://example.com/hook/")
                                    << QStringLiteral("https://example.com/hook/");
    QTest::newRow("ipv6") << QStringLiteral("http://[::1]:9000/x/y")
                          << QStringLiteral("http://[::1]:9000/x/") + e;
    QTest::newRow("invalid") << QString() << QStringLiteral("(invalid URL)");
}

void TestWebhookSender::redactUrl()
{
    QFETCH(QString, url);
    QFETCH(QString, expected);
    QCOMPARE(spidi::redactUrl(QUrl(url)), expected);
}

void TestWebhookSender::outcomeNeverShowsTheSecret()
{
    const LogCapture logs;
    HttpListener listener;
    listener.enqueue(503);
    listener.enqueue(307, {}, {{"Location", "/services/T1/B1/SECRETKEY2"}});
    listener.enqueue(410);
    WebhookSender sender(fastPolicy());
    Recorder recorder;
    QUrl url = listener.url(QStringLiteral("/services/T0/B0/SECRETKEY?token=SECRETTOKEN"));
    url.setUserInfo(QStringLiteral("user:SECRETPASS"));
    sender.post(url, kBody, recorder.onDone(), recorder.onProgress());
    QTRY_COMPARE(recorder.done.size(), 1);
    QCOMPARE(recorder.done.first().statusCode, 410);
    QCOMPARE(recorder.done.first().attempts, 2);
    QVERIFY(logs.lines().size() >= 3); // retry, redirect, failure
    QStringList texts = logs.lines();
    for (const DeliveryOutcome &outcome : std::as_const(recorder.progress))
        texts.append(outcome.lastError);
    texts.append(recorder.done.first().lastError);
    for (const QString &text : std::as_const(texts)) {
        for (const char *secret : {"SECRETKEY", "SECRETTOKEN", "SECRETPASS"})
            QVERIFY2(!text.contains(QLatin1String(secret)), qPrintable(text));
    }
    QCOMPARE(listener.requests().first().path,
             QByteArray("/services/T0/B0/SECRETKEY?token=SECRETTOKEN"));
    QCOMPARE(listener.requests().last().path, QByteArray("/services/T1/B1/SECRETKEY2"));
}

QTEST_GUILESS_MAIN(TestWebhookSender)
#include "tst_webhook_sender.moc"
