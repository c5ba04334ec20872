#include "notify/webhook_sender.h"

#include "logging/log_categories.h"

#include <QDateTime>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QTimer>

#include <algorithm>
#include <optional>

namespace spidi {

namespace {

constexpr int kMaxRedirects = 5;
constexpr qsizetype kMaxBodyInError = 100;

const QByteArray &userAgent()
{
    static const QByteArray agent = QByteArrayLiteral("spidi-server/" SPIDI_VERSION);
    return agent;
}

bool isHttpScheme(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    return scheme == QLatin1String("http") || scheme == QLatin1String("https");
}

// Printable ASCII only, on one line, so a response body cannot forge log lines.
QString bodySnippet(const QByteArray &body)
{
    QByteArray text = body.trimmed().left(kMaxBodyInError);
    for (char &c : text) {
        if (c < 0x20 || c > 0x7e)
            c = ' ';
    }
    text = text.simplified();
    if (body.trimmed().size() > kMaxBodyInError)
        text += "...";
    return QString::fromLatin1(text);
}

// Retry-After: delta-seconds or an HTTP date; nullopt when absent or unreadable.
std::optional<qint64> retryAfterMs(const QByteArray &value)
{
    const QByteArray trimmed = value.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qint64 seconds = trimmed.toLongLong(&ok);
    if (ok)
        return seconds < 0 ? std::nullopt : std::optional<qint64>(seconds * 1000);
    const QDateTime at = QDateTime::fromString(QString::fromLatin1(trimmed), Qt::RFC2822Date);
    if (!at.isValid())
        return std::nullopt;
    return std::max<qint64>(0, at.toMSecsSinceEpoch() - QDateTime::currentMSecsSinceEpoch());
}

struct NetworkErrorInfo
{
    QString text;
    bool retry = true;
};

NetworkErrorInfo describeNetworkError(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
        return {QStringLiteral("connection refused"), true};
    case QNetworkReply::RemoteHostClosedError:
        return {QStringLiteral("connection closed by the server"), true};
    case QNetworkReply::HostNotFoundError:
        return {QStringLiteral("host not found"), true};
    case QNetworkReply::TimeoutError:
        return {QStringLiteral("connection timed out"), true};
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::UnknownNetworkError:
        return {QStringLiteral("network error"), true};
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::ProxyTimeoutError:
        return {QStringLiteral("proxy unreachable"), true};
    case QNetworkReply::ProxyAuthenticationRequiredError:
        return {QStringLiteral("proxy authentication required"), false};
    case QNetworkReply::SslHandshakeFailedError:
        return {QStringLiteral("TLS handshake failed"), false};
    case QNetworkReply::ProtocolUnknownError:
    case QNetworkReply::ProtocolInvalidOperationError:
        return {QStringLiteral("unsupported protocol"), false};
    case QNetworkReply::ProtocolFailure:
        return {QStringLiteral("HTTP protocol error"), true};
    default:
        // Never QNetworkReply::errorString(): it can quote the whole URL.
        return {QStringLiteral("network error %1").arg(int(error)), true};
    }
}

} // namespace

struct WebhookSender::Delivery
{
    quint64 id = 0;
    QUrl url;      // as given
    QUrl target;   // after same-host redirects
    QString shown; // redactUrl(url)
    QByteArray body;
    Callback done;
    Callback progress;
    int attempts = 0;
    int redirects = 0;
    int lastStatus = 0;
    QNetworkReply *reply = nullptr;
    QTimer timer; // attempt deadline while a reply runs, else the wait before the next attempt
    bool timedOut = false;
    QString refusal; // set when the delivery is refused before any attempt
};

struct WebhookSender::Failure
{
    QString error;
    int statusCode = 0;
    bool retry = false;
    std::optional<qint64> retryAfterMs;
};

WebhookSender::WebhookSender(RetryPolicy policy, QObject *parent)
    : QObject(parent), m_policy(policy.sanitized()), m_network(new QNetworkAccessManager(this))
{
    m_network->setAutoDeleteReplies(false);
}

WebhookSender::~WebhookSender()
{
    m_shuttingDown = true;
    auto deliveries = std::exchange(m_deliveries, {});
    for (auto &[id, delivery] : deliveries) {
        delivery->timer.stop();
        if (delivery->reply) {
            QNetworkReply *reply = std::exchange(delivery->reply, nullptr);
            disconnect(reply, nullptr, this, nullptr);
            reply->abort();
            delete reply;
        }
        DeliveryOutcome outcome;
        outcome.attempts = delivery->attempts;
        outcome.statusCode = delivery->lastStatus;
        outcome.lastError = delivery->refusal.isEmpty() ? shuttingDownError() : delivery->refusal;
        outcome.finishedAtMs = QDateTime::currentMSecsSinceEpoch();
        qCWarning(lcNotify).noquote()
            << QStringLiteral("notify.webhook_failed: url=%1 attempts=%2 error=\"%3\"")
                   .arg(delivery->shown)
                   .arg(outcome.attempts)
                   .arg(outcome.lastError);
        if (delivery->done)
            delivery->done(outcome);
    }
}

void WebhookSender::post(const QUrl &url, const QByteArray &body, Callback done, Callback progress)
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
    delivery->url = url;
    delivery->target = url;
    delivery->shown = redactUrl(url);
    delivery->body = body;
    delivery->done = std::move(done);
    delivery->progress = std::move(progress);
    delivery->timer.setSingleShot(true);
    delivery->timer.setTimerType(Qt::PreciseTimer);
    connect(&delivery->timer, &QTimer::timeout, this, [this, id] { onTimer(id); });

    if (!url.isValid() || url.host().isEmpty())
        delivery->refusal = QStringLiteral("invalid webhook URL");
    else if (!isHttpScheme(url))
        delivery->refusal = QStringLiteral("unsupported webhook URL scheme '%1'").arg(url.scheme());

    Delivery &ref = *delivery;
    m_deliveries.emplace(id, std::move(delivery));
    if (!ref.refusal.isEmpty()) {
        // Finished from the event loop, so `done` never runs inside post().
        ref.timer.start(0);
        return;
    }
    startAttempt(id);
}

int WebhookSender::inFlight() const
{
    return int(m_deliveries.size());
}

void WebhookSender::startAttempt(quint64 id)
{
    const auto it = m_deliveries.find(id);
    if (it == m_deliveries.end())
        return;
    Delivery &delivery = *it->second;
    ++delivery.attempts;
    delivery.redirects = 0;
    delivery.timedOut = false;
    delivery.target = delivery.url;
    delivery.timer.start(m_policy.attemptTimeoutMs);
    sendRequest(delivery);
}

void WebhookSender::sendRequest(Delivery &delivery)
{
    QNetworkRequest request(delivery.target);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setHeader(QNetworkRequest::UserAgentHeader, userAgent());
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    QNetworkReply *reply = m_network->post(request, delivery.body);
    delivery.reply = reply;
    const quint64 id = delivery.id;
    connect(reply, &QNetworkReply::finished, this, [this, id] { onReplyFinished(id); });
}

void WebhookSender::onTimer(quint64 id)
{
    const auto it = m_deliveries.find(id);
    if (it == m_deliveries.end())
        return;
    Delivery &delivery = *it->second;
    if (!delivery.refusal.isEmpty()) {
        DeliveryOutcome outcome;
        outcome.lastError = delivery.refusal;
        qCWarning(lcNotify).noquote()
            << QStringLiteral("notify.webhook_refused: url=%1 error=\"%2\"")
                   .arg(delivery.shown, delivery.refusal);
        finish(id, outcome);
        return;
    }
    if (delivery.reply) {
        // The attempt deadline passed: abort() emits finished(), handled as a timeout.
        delivery.timedOut = true;
        delivery.reply->abort();
        return;
    }
    startAttempt(id);
}

void WebhookSender::onReplyFinished(quint64 id)
{
    const auto it = m_deliveries.find(id);
    if (it == m_deliveries.end())
        return;
    Delivery &delivery = *it->second;
    if (!delivery.reply)
        return;
    std::unique_ptr<QNetworkReply, void (*)(QNetworkReply *)> reply(
        std::exchange(delivery.reply, nullptr), [](QNetworkReply *r) { r->deleteLater(); });

    if (delivery.timedOut) {
        delivery.timer.stop();
        attemptFailed(id,
                      Failure{QStringLiteral("timeout after %1 ms").arg(m_policy.attemptTimeoutMs),
                              0, true, std::nullopt});
        return;
    }

    const QVariant statusAttribute = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const int status = statusAttribute.isValid() ? statusAttribute.toInt() : 0;
    if (status <= 0) {
        delivery.timer.stop();
        const NetworkErrorInfo info = describeNetworkError(reply->error());
        attemptFailed(id, Failure{info.text, 0, info.retry, std::nullopt});
        return;
    }
    delivery.lastStatus = status;

    if (status >= 200 && status < 300) {
        delivery.timer.stop();
        DeliveryOutcome outcome;
        outcome.delivered = true;
        outcome.attempts = delivery.attempts;
        outcome.statusCode = status;
        qCInfo(lcNotify).noquote()
            << QStringLiteral("notify.webhook_delivered: url=%1 attempts=%2 status=%3")
                   .arg(delivery.shown)
                   .arg(delivery.attempts)
                   .arg(status);
        finish(id, outcome);
        return;
    }

    const QString reason =
        reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString().simplified();
    QString error = QStringLiteral("HTTP %1").arg(status);
    if (!reason.isEmpty())
        error += QLatin1Char(' ') + reason;

    if (status >= 300 && status < 400) {
        const QUrl location = delivery.target.resolved(
            QUrl::fromEncoded(reply->rawHeader(QByteArrayLiteral("Location")).trimmed()));
        const bool sameHost =
            location.isValid() &&
            location.host().compare(delivery.target.host(), Qt::CaseInsensitive) == 0;
        const bool downgrade = delivery.target.scheme().toLower() == QLatin1String("https") &&
                               location.scheme().toLower() != QLatin1String("https");
        const bool followable = status == 301 || status == 302 || status == 307 || status == 308;
        if (followable && sameHost && !downgrade && isHttpScheme(location) &&
            delivery.redirects < kMaxRedirects) {
            ++delivery.redirects;
            delivery.target = location;
            qCInfo(lcNotify).noquote()
                << QStringLiteral("notify.webhook_redirected: url=%1 status=%2 to=%3")
                       .arg(delivery.shown)
                       .arg(status)
                       .arg(redactUrl(location));
            sendRequest(delivery); // same attempt, same deadline
            return;
        }
        delivery.timer.stop();
        QString why;
        if (!followable || !location.isValid() || location.isEmpty())
            why = QStringLiteral("unexpected redirect");
        else if (!sameHost)
            why = QStringLiteral("redirect to another host (%1)").arg(redactUrl(location));
        else if (downgrade || !isHttpScheme(location))
            why = QStringLiteral("redirect to an insecure URL (%1)").arg(redactUrl(location));
        else
            why = QStringLiteral("too many redirects");
        attemptFailed(id, Failure{error + QStringLiteral(": ") + why, status, false, std::nullopt});
        return;
    }

    delivery.timer.stop();
    const QString snippet = bodySnippet(reply->readAll());
    if (!snippet.isEmpty())
        error += QStringLiteral(": ") + snippet;
    const bool retry = status >= 500 || status == 408 || status == 429;
    std::optional<qint64> after;
    if (status == 429 || status == 503)
        after = retryAfterMs(reply->rawHeader(QByteArrayLiteral("Retry-After")));
    attemptFailed(id, Failure{error, status, retry, after});
}

void WebhookSender::attemptFailed(quint64 id, const Failure &failure)
{
    const auto it = m_deliveries.find(id);
    if (it == m_deliveries.end())
        return;
    Delivery &delivery = *it->second;
    const bool willRetry = failure.retry && delivery.attempts < m_policy.maxAttempts;

    DeliveryOutcome outcome;
    outcome.attempts = delivery.attempts;
    outcome.lastError = failure.error;
    outcome.statusCode = failure.statusCode;
    outcome.finishedAtMs = QDateTime::currentMSecsSinceEpoch();
    outcome.willRetry = willRetry;

    int delay = 0;
    if (willRetry) {
        delay = failure.retryAfterMs
                    ? int(std::min<qint64>(*failure.retryAfterMs, m_policy.maxDelayMs))
                    : m_policy.randomDelayMs(delivery.attempts);
        qCWarning(lcNotify).noquote()
            << QStringLiteral("notify.webhook_retry: url=%1 attempt=%2 error=\"%3\" retry_in_ms=%4")
                   .arg(delivery.shown)
                   .arg(delivery.attempts)
                   .arg(failure.error)
                   .arg(delay);
    } else {
        qCWarning(lcNotify).noquote()
            << QStringLiteral("notify.webhook_failed: url=%1 attempts=%2 error=\"%3\"")
                   .arg(delivery.shown)
                   .arg(delivery.attempts)
                   .arg(failure.error);
    }

    if (delivery.progress) {
        const Callback progress = delivery.progress;
        const QPointer<WebhookSender> self(this);
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
    outcome.willRetry = false;
    finish(id, outcome);
}

void WebhookSender::finish(quint64 id, DeliveryOutcome outcome)
{
    const auto it = m_deliveries.find(id);
    if (it == m_deliveries.end())
        return;
    std::unique_ptr<Delivery> delivery = std::move(it->second);
    m_deliveries.erase(it);
    delivery->timer.stop();
    if (outcome.finishedAtMs == 0)
        outcome.finishedAtMs = QDateTime::currentMSecsSinceEpoch();
    if (delivery->done)
        delivery->done(outcome);
}

} // namespace spidi
