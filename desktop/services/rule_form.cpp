#include "rule_form.h"

#include "editor_support.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QUrl>

#include <cmath>

namespace spidi::desktop {

namespace {

const QString kCapacity = QStringLiteral("CAPACITY");
const QString kLatency = QStringLiteral("LATENCY");
const QString kHeartbeat = QStringLiteral("HEARTBEAT");
const QString kMassDisconnect = QStringLiteral("MASS_DISCONNECT");
const QString kCustom = QStringLiteral("CUSTOM");
const QString kRulesPath = QStringLiteral("/api/v1/alerts/rules");

QString rulePath(const QString &id)
{
    return kRulesPath + QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(id));
}

// The server's bounds (server/alerts/alert_json.cpp).
constexpr int kMaxNameLength = 200;
constexpr int kMaxUrlLength = 2048;
constexpr int kMaxRecipients = 20;

QString rangeMessage(const QString &field, int min, int max)
{
    return QStringLiteral("%1 must be between %2 and %3").arg(field).arg(min).arg(max);
}

} // namespace

RuleForm::RuleForm(QObject *parent) : EditorForm(parent)
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kDebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &RuleForm::checkExpression);
}

double RuleForm::defaultThreshold(const QString &type)
{
    if (type == kCapacity)
        return 80;
    if (type == kLatency)
        return 500;
    if (type == kHeartbeat)
        return 60;
    if (type == kMassDisconnect)
        return 10;
    return 0;
}

QString RuleForm::unitOf(const QString &type)
{
    if (type == kCapacity)
        return QStringLiteral("%");
    if (type == kLatency)
        return QStringLiteral("ms");
    if (type == kHeartbeat)
        return QStringLiteral("s");
    if (type == kMassDisconnect)
        return QStringLiteral("sessions");
    return {};
}

double RuleForm::shareFromPercent(double percent)
{
    return std::round(percent / 100.0 * 1e9) / 1e9;
}

double RuleForm::percentFromShare(double share)
{
    return std::round(share * 100.0 * 1e9) / 1e9;
}

QStringList RuleForm::splitRecipients(const QString &text)
{
    static const QRegularExpression separators(QStringLiteral("[,;\\s]+"));
    return text.split(separators, Qt::SkipEmptyParts);
}

QString RuleForm::checkWebhookUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (text.isEmpty() || text.size() > kMaxUrlLength || !url.isValid() || url.host().isEmpty() ||
        (url.scheme() != u"http" && url.scheme() != u"https"))
        return QStringLiteral("a webhook needs an absolute http or https url (at most %1 "
                              "characters)")
            .arg(kMaxUrlLength);
    return {};
}

QString RuleForm::checkRecipients(const QStringList &recipients)
{
    static const QRegularExpression email(
        QStringLiteral("^[^@\\s<>,;:\"()\\[\\]]+@[A-Za-z0-9.-]+\\.[A-Za-z0-9-]+$"));
    if (recipients.isEmpty() || recipients.size() > kMaxRecipients)
        return QStringLiteral("an e-mail channel needs 1 to %1 recipients").arg(kMaxRecipients);
    for (const QString &address : recipients) {
        if (address.size() > 254 || !email.match(address).hasMatch())
            return QStringLiteral("'%1' is not an e-mail address").arg(address);
    }
    return {};
}

QString RuleForm::formFieldOf(const QString &problemField) const
{
    return formField(problemField);
}

QString RuleForm::formField(const QString &problemField)
{
    if (problemField.startsWith(u"channels[")) {
        if (problemField.endsWith(u".url"))
            return QStringLiteral("webhookUrl");
        if (problemField.endsWith(u".to"))
            return QStringLiteral("emailTo");
    }
    return fieldKey(problemField);
}

QStringList RuleForm::comparedFields()
{
    return {
        QStringLiteral("name"),        QStringLiteral("type"),        QStringLiteral("threshold"),
        QStringLiteral("expression"),  QStringLiteral("latencyStat"), QStringLiteral("windowSec"),
        QStringLiteral("forSec"),      QStringLiteral("severity"),    QStringLiteral("scope"),
        QStringLiteral("cooldownSec"), QStringLiteral("enabled"),     QStringLiteral("channels")};
}

void RuleForm::setType(const QString &type)
{
    if (m_type == type)
        return;
    m_type = type;
    m_threshold = defaultThreshold(type);
    m_latencyStat = QStringLiteral("P95");
    m_windowSec = 60;
    Q_EMIT changed();
    if (m_type == kCustom) {
        setExpressionState(QStringLiteral("checking"), {});
        m_debounce.start();
    } else {
        setExpressionState({}, {});
    }
}

void RuleForm::setExpression(const QString &expression)
{
    if (m_expression == expression)
        return;
    m_expression = expression;
    Q_EMIT changed();
    if (m_type == kCustom) {
        // The last verdict was about another text: pending until the server answers.
        setExpressionState(QStringLiteral("checking"), {});
        m_debounce.start();
    }
}

void RuleForm::checkExpression()
{
    m_debounce.stop();
    const quint64 seq = ++m_expressionSeq;
    if (m_type != kCustom)
        return;
    if (m_expression.trimmed().isEmpty()) {
        setExpressionState(QStringLiteral("invalid"),
                           QStringLiteral("a CUSTOM rule needs an expression, e.g. online > 100 "
                                          "&& p95LatencyMs > 300"));
        return;
    }
    if (!m_rest) {
        setExpressionState(QStringLiteral("unknown"), QStringLiteral("not connected"));
        return;
    }
    setExpressionState(QStringLiteral("checking"), {});
    m_rest->post(
        kRulesPath + QStringLiteral("/validate"),
        QJsonObject{{QStringLiteral("expression"), m_expression}},
        [this, guard = QPointer<RuleForm>(this), seq](const RestResult &result) {
            if (!guard || seq != m_expressionSeq)
                return; // the expression changed meanwhile
            if (result.ok()) {
                QStringList names;
                for (const QJsonValue &v :
                     result.object().value(QLatin1String("identifiers")).toArray())
                    names.append(v.toString());
                setExpressionState(QStringLiteral("valid"),
                                   names.isEmpty()
                                       ? QString()
                                       : QStringLiteral("uses ") + names.join(QStringLiteral(", ")),
                                   names);
            } else if (result.status == 422) {
                setExpressionState(QStringLiteral("invalid"),
                                   result.problem.value(QStringLiteral("detail")).toString());
            } else {
                setExpressionState(QStringLiteral("unknown"), problemText(result.problem));
            }
        });
}

void RuleForm::newRule()
{
    m_ruleId.clear();
    m_version = 0;
    m_name.clear();
    m_type = kCapacity;
    m_threshold = defaultThreshold(kCapacity);
    m_latencyStat = QStringLiteral("P95");
    m_windowSec = 60;
    m_forSec = 0;
    m_severity = QStringLiteral("WARNING");
    m_scopeKind = QStringLiteral("all");
    m_scopeRoom.clear();
    m_scopeRoomType.clear();
    m_cooldownSec = 300;
    m_enabled = true;
    m_inapp = true;
    m_webhookUrl.clear();
    m_emailTo.clear();
    m_expression.clear();
    m_serverRule = {};
    Q_EMIT changed();
    setErrors({}, {});
    setExpressionState({}, {});
    setConflict(false, {});
}

void RuleForm::load(const QVariantMap &rule)
{
    loadJson(QJsonObject::fromVariantMap(rule));
}

void RuleForm::loadJson(const QJsonObject &rule)
{
    m_ruleId = rule.value(QLatin1String("id")).toString();
    m_version = qint64(rule.value(QLatin1String("version")).toDouble());
    m_name = rule.value(QLatin1String("name")).toString();
    m_type = rule.value(QLatin1String("type")).toString();
    const double threshold = rule.value(QLatin1String("threshold")).toDouble();
    m_threshold = m_type == kCapacity ? percentFromShare(threshold) : threshold;
    m_latencyStat = rule.value(QLatin1String("latencyStat")).toString(QStringLiteral("P95"));
    m_windowSec = rule.value(QLatin1String("windowSec")).toInt(60);
    m_forSec = rule.value(QLatin1String("forSec")).toInt();
    m_severity = rule.value(QLatin1String("severity")).toString(QStringLiteral("WARNING"));
    const QJsonObject scope = rule.value(QLatin1String("scope")).toObject();
    m_scopeRoom = scope.value(QLatin1String("roomId")).toString();
    m_scopeRoomType = scope.value(QLatin1String("roomType")).toString();
    m_scopeKind = !m_scopeRoom.isEmpty()       ? QStringLiteral("room")
                  : !m_scopeRoomType.isEmpty() ? QStringLiteral("roomType")
                                               : QStringLiteral("all");
    m_cooldownSec = rule.value(QLatin1String("cooldownSec")).toInt(300);
    m_enabled = rule.value(QLatin1String("enabled")).toBool(true);
    m_inapp = false;
    m_webhookUrl.clear();
    QStringList recipients;
    for (const QJsonValue &v : rule.value(QLatin1String("channels")).toArray()) {
        const QJsonObject channel = v.toObject();
        const QString kind = channel.value(QLatin1String("type")).toString();
        if (kind == u"inapp") {
            m_inapp = true;
        } else if (kind == u"webhook") {
            m_webhookUrl = channel.value(QLatin1String("url")).toString();
        } else if (kind == u"email") {
            const QJsonValue to = channel.value(QLatin1String("to"));
            if (to.isString())
                recipients.append(to.toString());
            for (const QJsonValue &address : to.toArray())
                recipients.append(address.toString());
        }
    }
    m_emailTo = recipients.join(QStringLiteral(", "));
    m_expression = rule.value(QLatin1String("expression")).toString();
    m_serverRule = rule;
    Q_EMIT changed();
    setErrors({}, {});
    setExpressionState(m_type == kCustom ? QStringLiteral("valid") : QString(), {});
    setConflict(false, {});
}

QJsonObject RuleForm::toJson() const
{
    QJsonObject body{
        {QStringLiteral("name"), m_name.trimmed()},     {QStringLiteral("type"), m_type},
        {QStringLiteral("forSec"), m_forSec},           {QStringLiteral("severity"), m_severity},
        {QStringLiteral("cooldownSec"), m_cooldownSec}, {QStringLiteral("enabled"), m_enabled}};
    if (m_type == kCustom)
        body.insert(QStringLiteral("expression"), m_expression);
    else
        body.insert(QStringLiteral("threshold"),
                    m_type == kCapacity ? shareFromPercent(m_threshold) : m_threshold);
    if (m_type == kLatency)
        body.insert(QStringLiteral("latencyStat"), m_latencyStat);
    if (m_type == kMassDisconnect)
        body.insert(QStringLiteral("windowSec"), m_windowSec);
    if (m_scopeKind == u"room")
        body.insert(QStringLiteral("scope"), QJsonObject{{QStringLiteral("roomId"), m_scopeRoom}});
    else if (m_scopeKind == u"roomType")
        body.insert(QStringLiteral("scope"),
                    QJsonObject{{QStringLiteral("roomType"), m_scopeRoomType}});
    else
        body.insert(QStringLiteral("scope"), QJsonObject{{QStringLiteral("all"), true}});
    QJsonArray channels;
    if (m_inapp)
        channels.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("inapp")}});
    if (!m_webhookUrl.trimmed().isEmpty())
        channels.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("webhook")},
                                    {QStringLiteral("url"), m_webhookUrl.trimmed()}});
    const QStringList recipients = splitRecipients(m_emailTo);
    if (!recipients.isEmpty())
        channels.append(
            QJsonObject{{QStringLiteral("type"), QStringLiteral("email")},
                        {QStringLiteral("to"), QJsonArray::fromStringList(recipients)}});
    body.insert(QStringLiteral("channels"), channels);
    return body;
}

bool RuleForm::validate()
{
    QVariantMap errors;
    const QString name = m_name.trimmed();
    if (name.isEmpty() || name.size() > kMaxNameLength)
        errors.insert(QStringLiteral("name"),
                      QStringLiteral("name must have 1 to %1 characters").arg(kMaxNameLength));
    const QString threshold = QStringLiteral("threshold");
    if (m_type == kCapacity) {
        const double share = shareFromPercent(m_threshold);
        if (!(share > 0.0 && share <= 10.0))
            errors.insert(threshold, QStringLiteral("the capacity threshold must be above 0 % "
                                                    "and at most 1000 %"));
    } else if (m_type == kLatency) {
        if (!(m_threshold > 0.0 && m_threshold <= 600000.0))
            errors.insert(threshold, QStringLiteral("a LATENCY threshold is in milliseconds, "
                                                    "above 0 and at most 600000"));
        if (m_latencyStat != u"AVG" && m_latencyStat != u"P95")
            errors.insert(QStringLiteral("latencyStat"),
                          QStringLiteral("latencyStat must be AVG or P95"));
    } else if (m_type == kHeartbeat) {
        if (!(m_threshold >= 1.0 && m_threshold <= 86400.0))
            errors.insert(threshold,
                          QStringLiteral("a HEARTBEAT threshold is in seconds, from 1 to 86400"));
    } else if (m_type == kMassDisconnect) {
        if (!(m_threshold >= 1.0 && m_threshold <= 1000000.0) ||
            m_threshold != std::floor(m_threshold))
            errors.insert(threshold, QStringLiteral("a MASS_DISCONNECT threshold is a number of "
                                                    "sessions, a whole number from 1 to 1000000"));
        if (m_windowSec < 1 || m_windowSec > 3600)
            errors.insert(QStringLiteral("windowSec"),
                          rangeMessage(QStringLiteral("windowSec"), 1, 3600));
    } else if (m_type == kCustom) {
        if (m_expression.trimmed().isEmpty())
            errors.insert(QStringLiteral("expression"),
                          QStringLiteral("a CUSTOM rule needs an expression, e.g. online > 100 "
                                         "&& p95LatencyMs > 300"));
        else if (m_expressionState == u"invalid")
            errors.insert(QStringLiteral("expression"), m_expressionMessage);
    } else {
        errors.insert(QStringLiteral("type"),
                      QStringLiteral("type must be CAPACITY, LATENCY, HEARTBEAT, CUSTOM or "
                                     "MASS_DISCONNECT"));
    }
    if (m_forSec < 0 || m_forSec > 86400)
        errors.insert(QStringLiteral("forSec"), rangeMessage(QStringLiteral("forSec"), 0, 86400));
    if (m_cooldownSec < 0 || m_cooldownSec > 7 * 86400)
        errors.insert(QStringLiteral("cooldownSec"),
                      rangeMessage(QStringLiteral("cooldownSec"), 0, 7 * 86400));
    if (m_severity != u"INFO" && m_severity != u"WARNING" && m_severity != u"CRITICAL")
        errors.insert(QStringLiteral("severity"),
                      QStringLiteral("severity must be INFO, WARNING or CRITICAL"));
    if (m_scopeKind == u"room" && m_scopeRoom.trimmed().isEmpty())
        errors.insert(QStringLiteral("scope"), QStringLiteral("choose the room"));
    else if (m_scopeKind == u"roomType" && m_scopeRoomType.trimmed().isEmpty())
        errors.insert(QStringLiteral("scope"), QStringLiteral("choose the room type"));
    else if (m_scopeKind != u"room" && m_scopeKind != u"roomType" && m_scopeKind != u"all")
        errors.insert(QStringLiteral("scope"),
                      QStringLiteral("scope needs exactly one of roomId, roomType or all"));
    if (!m_webhookUrl.trimmed().isEmpty()) {
        const QString problem = checkWebhookUrl(m_webhookUrl.trimmed());
        if (!problem.isEmpty())
            errors.insert(QStringLiteral("webhookUrl"), problem);
    }
    const QStringList recipients = splitRecipients(m_emailTo);
    if (!recipients.isEmpty()) {
        const QString problem = checkRecipients(recipients);
        if (!problem.isEmpty())
            errors.insert(QStringLiteral("emailTo"), problem);
    }
    setErrors(errors, {});
    return errors.isEmpty();
}

bool RuleForm::save()
{
    if (!validate())
        return false;
    if (!m_rest) {
        setErrors({}, QStringLiteral("not connected"));
        return false;
    }
    send(m_version);
    return true;
}

void RuleForm::send(qint64 version)
{
    const bool creating = m_ruleId.isEmpty();
    QJsonObject body = toJson();
    if (!creating)
        body.insert(QStringLiteral("version"), version);
    setBusy(true);
    auto done = [this, guard = QPointer<RuleForm>(this), creating](const RestResult &result) {
        if (!guard)
            return;
        setBusy(false);
        if (result.ok()) {
            loadJson(result.object());
            Q_EMIT saved(result.object().toVariantMap(), creating);
            return;
        }
        if (result.status == 409 && !creating) {
            // What the server has now, to show the difference.
            setBusy(true);
            m_rest->get(rulePath(m_ruleId), {}, [this, guard](const RestResult &current) {
                if (!guard)
                    return;
                setBusy(false);
                if (!current.ok()) {
                    applyProblem(current.problem);
                    return;
                }
                m_serverRule = current.object();
                setErrors({}, {});
                setConflict(true, diffFields(toJson(), m_serverRule, comparedFields()));
            });
            return;
        }
        applyProblem(result.problem);
    };
    if (creating)
        m_rest->post(kRulesPath, body, std::move(done));
    else
        m_rest->put(rulePath(m_ruleId), body, std::move(done));
}

void RuleForm::remove()
{
    if (!m_rest || m_ruleId.isEmpty())
        return;
    const QString id = m_ruleId;
    setBusy(true);
    m_rest->deleteResource(rulePath(id),
                           [this, guard = QPointer<RuleForm>(this), id](const RestResult &result) {
                               if (!guard)
                                   return;
                               setBusy(false);
                               if (result.ok() || result.status == 404) {
                                   Q_EMIT removed(id);
                                   return;
                               }
                               applyProblem(result.problem);
                           });
}

void RuleForm::reload()
{
    if (!m_serverRule.isEmpty())
        loadJson(m_serverRule);
    setConflict(false, {});
}

void RuleForm::overwrite()
{
    if (!conflict() || !m_rest)
        return;
    const qint64 current = qint64(m_serverRule.value(QLatin1String("version")).toDouble());
    setConflict(false, {});
    if (!validate())
        return;
    send(current);
}

void RuleForm::setExpressionState(const QString &state, const QString &message,
                                  const QStringList &identifiers)
{
    if (m_expressionState == state && m_expressionMessage == message &&
        m_expressionIdentifiers == identifiers)
        return;
    m_expressionState = state;
    m_expressionMessage = message;
    m_expressionIdentifiers = identifiers;
    Q_EMIT expressionStateChanged();
}

} // namespace spidi::desktop
