#pragma once

#include "config/server_config.h"
#include "core/result.h"
#include "notify/delivery.h"

#include <QByteArray>
#include <QDateTime>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThreadPool>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace spidi {

namespace detail {
struct SmtpAttemptResult;
}

struct SmtpSettings
{
    QString host;
    int port = 0; // 0: 25, or 465 for SmtpTls::Tls
    SmtpTls tls = SmtpTls::None;
    QString user; // empty: no AUTH
    QString password;
    // "alerts@example.com" or "Spidi Alerts <alerts@example.com>";
    // empty: spidi@<QSysInfo::machineHostName()>
    QString from;
};

struct MailMessage
{
    QStringList to; // plain addresses ("ops@example.com"), at least one
    QString subject;
    QString textBody;
};

// E-mail alert channel: sends plain-text mail through one SMTP relay with libcurl (smtp:// or
// smtps://; StartTls requires STARTTLS, CURLUSESSL_ALL; AUTH when a user is set). Each attempt
// runs in a worker thread of the mailer's own QThreadPool (at most 2 threads), so the event
// loop never blocks; results come back on the mailer's thread. Call send() on that thread.
//
// Retried with the RetryPolicy: connection failures, attempt timeouts (CURLOPT_TIMEOUT_MS =
// attemptTimeoutMs) and transient SMTP replies (4xx, e.g. 421, 450, 451, 452). Permanent 5xx
// replies (including a refused AUTH, 535) and TLS/configuration errors fail at once.
class SmtpMailer : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const DeliveryOutcome &)>;

    explicit SmtpMailer(SmtpSettings settings, RetryPolicy policy = {}, QObject *parent = nullptr);
    // Makes running attempts abort (within about a second), waits for the worker threads, then
    // calls every pending `done` with delivered=false and lastError "server shutting down".
    ~SmtpMailer() override;

    bool isConfigured() const; // host set

    // Builds an RFC 5322 message (Date, From, To, Subject as RFC 2047 encoded-words when not
    // ASCII, Message-ID, MIME-Version, Content-Type text/plain; charset=utf-8,
    // Content-Transfer-Encoding 7bit, or quoted-printable when the body is not ASCII or has a
    // line over 998 octets; CRLF line ends) and sends it. `done` is called exactly once, on
    // this object's thread and never before send() returns; `progress` (optional) after each
    // failed attempt, with willRetry saying whether another comes. Refused without connecting
    // (attempts 0): no relay configured ("no SMTP relay configured (smtp-host)"), no or invalid
    // recipients, CR/LF in the subject or an address (header injection).
    void send(const MailMessage &message, Callback done, Callback progress = {});

    // Deliveries not finished yet (running, queued or waiting for their next attempt).
    int inFlight() const;
    const RetryPolicy &policy() const { return m_policy; }
    // The envelope sender address (from the settings, or spidi@<host name>).
    QString senderAddress() const { return m_fromAddress; }

    // The message send() transmits (exposed for tests). `from` is the header value
    // ("Name <addr>" or "addr"). Errors: Invalid for CR/LF or bad addresses.
    static Result<QByteArray> composeMessage(const MailMessage &message, const QString &from,
                                             const QDateTime &date, const QString &messageId);

private:
    struct Delivery;

    void startAttempt(quint64 id);
    void onAttemptFinished(quint64 id);
    void onTimer(quint64 id);
    void finish(quint64 id, DeliveryOutcome outcome);

    SmtpSettings m_settings;
    RetryPolicy m_policy;
    QString m_fromHeader;  // "Name <addr>" or "addr"
    QString m_fromAddress; // envelope
    QString m_settingsError;
    QByteArray m_url;
    std::shared_ptr<std::atomic_bool> m_stop;
    // Results of finished attempts, written by the workers, taken on the mailer's thread.
    std::mutex m_resultsMutex;
    std::map<quint64, std::unique_ptr<detail::SmtpAttemptResult>> m_results;
    std::map<quint64, std::unique_ptr<Delivery>> m_deliveries;
    quint64 m_nextId = 1;
    bool m_shuttingDown = false;
    QThreadPool m_pool; // last: destroyed (and joined) first
};

} // namespace spidi
