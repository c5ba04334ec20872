#pragma once

#include <QString>
#include <QUrl>
#include <QtGlobal>

namespace spidi {

// How an outbound notification (webhook, e-mail) is retried. The delay before attempt n+1
// (n >= 1 failed attempts so far) is initialDelayMs * factor^(n-1), capped at maxDelayMs, then
// moved by a random share of up to ±jitter of itself (and capped at maxDelayMs again).
struct RetryPolicy
{
    int maxAttempts = 5;       // including the first
    int initialDelayMs = 1000; // before the 2nd attempt
    double factor = 2.0;       // exponential
    int maxDelayMs = 60000;
    double jitter = 0.2;          // ± share of each delay, randomised
    int attemptTimeoutMs = 10000; // per attempt

    // The same policy with every field in range: maxAttempts >= 1, delays >= 0, factor >= 1,
    // jitter in [0, 1], attemptTimeoutMs >= 1.
    RetryPolicy sanitized() const;
    // The delay before the next attempt after `failedAttempts` (>= 1) failures, without jitter.
    int nominalDelayMs(int failedAttempts) const;
    // nominalDelayMs() with jitter applied; `random` in [0, 1) picks the point in ±jitter
    // (0.5 = no change).
    int delayMs(int failedAttempts, double random) const;
    // delayMs() with a random number from QRandomGenerator::global().
    int randomDelayMs(int failedAttempts) const;
};

struct DeliveryOutcome
{
    bool delivered = false;
    int attempts = 0;
    // Empty when delivered; human-readable ("HTTP 503 Service Unavailable", "connection refused",
    // "timeout after 10000 ms", "SMTP 550 mailbox unavailable"). Never holds a webhook URL
    // beyond redactUrl() nor a password.
    QString lastError;
    int statusCode = 0;      // last HTTP status or SMTP reply code, 0 if none
    qint64 finishedAtMs = 0; // QDateTime::currentMSecsSinceEpoch() when done (or when this
                             // attempt failed, for progress)
    bool willRetry = false;  // progress callbacks only
};

// The error text of deliveries cut short by the destruction of their sender or mailer.
QString shuttingDownError();

// "https://hooks.slack.com/services/T0/B0/XYZ?token=a" -> "https://hooks.slack.com/services/…".
// Shows scheme, host and non-default port, and at most the first path segment (itself cut to
// 24 characters and "…" when longer); never user info, query or fragment. "…" marks anything
// left out. Webhook URLs are secrets (Slack puts the key in the path), so logs and stored
// delivery records only ever show this. An invalid URL gives "(invalid URL)".
QString redactUrl(const QUrl &url);

} // namespace spidi
