#include "notify/delivery.h"

#include <QRandomGenerator>

#include <algorithm>
#include <cmath>

namespace spidi {

namespace {

constexpr qsizetype kMaxShownSegment = 24;
const QChar kEllipsis(0x2026);

} // namespace

RetryPolicy RetryPolicy::sanitized() const
{
    RetryPolicy policy = *this;
    policy.maxAttempts = std::max(1, policy.maxAttempts);
    policy.initialDelayMs = std::max(0, policy.initialDelayMs);
    policy.maxDelayMs = std::max(0, policy.maxDelayMs);
    if (!(policy.factor >= 1.0)) // also catches NaN
        policy.factor = 1.0;
    if (!(policy.jitter >= 0.0))
        policy.jitter = 0.0;
    policy.jitter = std::min(policy.jitter, 1.0);
    policy.attemptTimeoutMs = std::max(1, policy.attemptTimeoutMs);
    return policy;
}

int RetryPolicy::nominalDelayMs(int failedAttempts) const
{
    const int exponent = std::max(0, failedAttempts - 1);
    const double delay = double(initialDelayMs) * std::pow(factor, double(exponent));
    if (!std::isfinite(delay) || delay >= double(maxDelayMs))
        return std::max(0, maxDelayMs);
    return std::max(0, int(std::lround(delay)));
}

int RetryPolicy::delayMs(int failedAttempts, double random) const
{
    const double nominal = nominalDelayMs(failedAttempts);
    const double share = jitter * (2.0 * std::clamp(random, 0.0, 1.0) - 1.0);
    const double delay = std::clamp(nominal * (1.0 + share), 0.0, double(std::max(0, maxDelayMs)));
    return int(std::lround(delay));
}

int RetryPolicy::randomDelayMs(int failedAttempts) const
{
    return delayMs(failedAttempts, QRandomGenerator::global()->generateDouble());
}

QString shuttingDownError()
{
    return QStringLiteral("server shutting down");
}

QString redactUrl(const QUrl &url)
{
    if (!url.isValid() || url.isEmpty() || url.scheme().isEmpty())
        return QStringLiteral("(invalid URL)");
    if (url.host().isEmpty())
        return url.scheme() + QLatin1Char(':') + kEllipsis;

    QUrl base;
    base.setScheme(url.scheme());
    base.setHost(url.host());
    base.setPort(url.port());
    QString text = base.toString(QUrl::FullyEncoded);

    const QString path = url.path(QUrl::FullyEncoded);
    const QStringList segments = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    const bool hasRest = url.hasQuery() || url.hasFragment();
    if (segments.isEmpty()) {
        if (!path.isEmpty() || hasRest)
            text += QLatin1Char('/');
        if (hasRest)
            text += kEllipsis;
        return text;
    }
    QString first = segments.first();
    bool cut = false;
    if (first.size() > kMaxShownSegment) {
        first = first.left(kMaxShownSegment);
        cut = true;
    }
    text += QLatin1Char('/') + first;
    if (cut)
        return text + kEllipsis;
    if (segments.size() > 1)
        return text + QLatin1Char('/') + kEllipsis;
    if (path.endsWith(QLatin1Char('/')))
        text += QLatin1Char('/');
    if (hasRest)
        text += kEllipsis;
    return text;
}

} // namespace spidi
