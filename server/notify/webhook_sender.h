#pragma once

#include "notify/delivery.h"

#include <QByteArray>
#include <QObject>
#include <QUrl>

#include <functional>
#include <map>
#include <memory>

class QNetworkAccessManager;

namespace spidi {

// Outbound webhook POSTs for alert channels, asynchronous on the thread the sender lives in
// (QNetworkAccessManager; nothing blocks the event loop). Call post() on that thread.
//
// Retried with the RetryPolicy (exponential backoff and jitter): connection errors (refused,
// reset, host not found), attempt timeouts, HTTP 5xx, 408 and 429. A Retry-After header on 429
// or 503 (seconds or an HTTP date) replaces the computed delay, capped at maxDelayMs. Not
// retried (fail at once): other 4xx, TLS handshake failures, URLs that are not http(s), and
// redirects to another host or from https to http. Redirects to the same host are followed
// (the body is POSTed again, at most 5 hops within one attempt).
//
// Webhook URLs are secrets: logs and outcomes only ever show redactUrl().
class WebhookSender : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const DeliveryOutcome &)>;

    explicit WebhookSender(RetryPolicy policy = {}, QObject *parent = nullptr);
    // Aborts what is in flight and calls every pending `done` with delivered=false and
    // lastError "server shutting down".
    ~WebhookSender() override;

    // POSTs `body` with Content-Type application/json and User-Agent
    // "spidi-server/<SPIDI_VERSION>". `done` is called exactly once with the final outcome, on
    // this object's thread and never before post() returns; `progress` (optional) after each
    // failed attempt, with willRetry saying whether another comes.
    void post(const QUrl &url, const QByteArray &body, Callback done, Callback progress = {});

    // Deliveries not finished yet (running or waiting for their next attempt).
    int inFlight() const;
    const RetryPolicy &policy() const { return m_policy; }

private:
    struct Delivery;
    struct Failure;

    void startAttempt(quint64 id);
    void sendRequest(Delivery &delivery);
    void onReplyFinished(quint64 id);
    void onTimer(quint64 id);
    void attemptFailed(quint64 id, const Failure &failure);
    void finish(quint64 id, DeliveryOutcome outcome);

    RetryPolicy m_policy;
    QNetworkAccessManager *m_network = nullptr;
    std::map<quint64, std::unique_ptr<Delivery>> m_deliveries;
    quint64 m_nextId = 1;
    bool m_shuttingDown = false;
};

} // namespace spidi
