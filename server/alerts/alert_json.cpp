#include "alerts/alert_json.h"

#include "alerts/alert_event.h"
#include "alerts/alert_expression.h"
#include "rest/room_json.h"

#include <QRegularExpression>
#include <QSet>
#include <QUrl>

#include <cmath>

namespace spidi {

using rest::wrongType;

namespace {

constexpr int kMaxChannels = 10;
constexpr int kMaxRecipients = 20;
constexpr int kMaxNameLength = 200;
constexpr int kMaxUrlLength = 2048;

Error invalid(const QString &field, const QString &message)
{
    return makeError(ErrorKind::Invalid, message, field);
}

Result<int> integerIn(const QJsonObject &body, const QString &field, int min, int max)
{
    const QJsonValue value = body.value(field);
    if (!value.isDouble() || value.toDouble() != std::floor(value.toDouble()))
        return wrongType(field, QStringLiteral("an integer"), value);
    const double number = value.toDouble();
    if (number < min || number > max)
        return invalid(field, QStringLiteral("%1 must be between %2 and %3, not %4")
                                  .arg(field)
                                  .arg(min)
                                  .arg(max)
                                  .arg(number));
    return int(number);
}

const QRegularExpression &emailPattern()
{
    static const QRegularExpression pattern(
        QStringLiteral("^[^@\\s<>,;:\"()\\[\\]]+@[A-Za-z0-9.-]+\\.[A-Za-z0-9-]+$"));
    return pattern;
}

Result<AlertScope> scopeFromJson(const QJsonValue &value)
{
    if (!value.isObject())
        return wrongType(QStringLiteral("scope"),
                         QStringLiteral("an object: {\"roomId\": …}, {\"roomType\": …} or "
                                        "{\"all\": true}"),
                         value);
    const QJsonObject object = value.toObject();
    AlertScope scope;
    int given = 0;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (it.key() == u"roomId") {
            if (!it.value().isString() || it.value().toString().isEmpty())
                return wrongType(QStringLiteral("scope.roomId"), QStringLiteral("a room id"),
                                 it.value());
            scope.roomId = it.value().toString();
            ++given;
        } else if (it.key() == u"roomType") {
            if (!it.value().isString() || it.value().toString().isEmpty())
                return wrongType(QStringLiteral("scope.roomType"),
                                 QStringLiteral("a room type code"), it.value());
            scope.roomType = it.value().toString();
            ++given;
        } else if (it.key() == u"all") {
            if (it.value() != QJsonValue(true))
                return invalid(QStringLiteral("scope.all"),
                               QStringLiteral("scope.all can only be true"));
            scope.all = true;
            ++given;
        } else {
            return invalid(QStringLiteral("scope.") + it.key(),
                           QStringLiteral("unknown scope field '%1'").arg(it.key()));
        }
    }
    if (given != 1)
        return invalid(QStringLiteral("scope"),
                       QStringLiteral("scope needs exactly one of roomId, roomType or all"));
    return scope;
}

QJsonObject scopeToJson(const AlertScope &scope)
{
    if (scope.all)
        return {{QStringLiteral("all"), true}};
    if (!scope.roomId.isEmpty())
        return {{QStringLiteral("roomId"), scope.roomId}};
    return {{QStringLiteral("roomType"), scope.roomType}};
}

// Per-type threshold bounds: what the evaluation can make sense of.
Status checkThreshold(AlertRuleType type, double threshold)
{
    const QString field = QStringLiteral("threshold");
    switch (type) {
    case AlertRuleType::Capacity:
        if (!(threshold > 0.0 && threshold <= 10.0))
            return invalid(field, QStringLiteral("a CAPACITY threshold is a share of the room's "
                                                 "capacity above 0 and at most 10 (0.8 = 80 %)"));
        break;
    case AlertRuleType::Latency:
        if (!(threshold > 0.0 && threshold <= 600000.0))
            return invalid(field, QStringLiteral("a LATENCY threshold is in milliseconds, above 0 "
                                                 "and at most 600000"));
        break;
    case AlertRuleType::Heartbeat:
        if (!(threshold >= 1.0 && threshold <= 86400.0))
            return invalid(field, QStringLiteral("a HEARTBEAT threshold is in seconds, from 1 to "
                                                 "86400"));
        break;
    case AlertRuleType::MassDisconnect:
        if (!(threshold >= 1.0 && threshold <= 1000000.0) || threshold != std::floor(threshold))
            return invalid(field, QStringLiteral("a MASS_DISCONNECT threshold is a number of "
                                                 "sessions, a whole number from 1 to 1000000"));
        break;
    case AlertRuleType::Custom:
        break;
    }
    return Ok{};
}

} // namespace

QJsonArray channelsToJson(const QList<AlertChannel> &channels)
{
    QJsonArray array;
    for (const AlertChannel &channel : channels)
        array.append(channel.toJson());
    return array;
}

Result<QList<AlertChannel>> channelsFromJson(const QJsonArray &array)
{
    if (array.size() > kMaxChannels)
        return invalid(QStringLiteral("channels"),
                       QStringLiteral("at most %1 channels per rule").arg(kMaxChannels));
    QList<AlertChannel> channels;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString at = QStringLiteral("channels[%1]").arg(i);
        if (!array.at(i).isObject())
            return wrongType(at, QStringLiteral("an object"), array.at(i));
        const QJsonObject object = array.at(i).toObject();
        const QString type = object.value(QStringLiteral("type")).toString();
        AlertChannel channel;
        QSet<QString> allowed{QStringLiteral("type")};
        if (type == u"inapp") {
            channel.kind = AlertChannel::Kind::InApp;
        } else if (type == u"webhook") {
            channel.kind = AlertChannel::Kind::Webhook;
            allowed.insert(QStringLiteral("url"));
            const QString text = object.value(QStringLiteral("url")).toString();
            const QUrl url(text, QUrl::StrictMode);
            if (text.isEmpty() || text.size() > kMaxUrlLength || !url.isValid() ||
                url.host().isEmpty() || (url.scheme() != u"http" && url.scheme() != u"https"))
                return invalid(at + QStringLiteral(".url"),
                               QStringLiteral("a webhook needs an absolute http or https url "
                                              "(at most %1 characters)")
                                   .arg(kMaxUrlLength));
            channel.url = text;
        } else if (type == u"email") {
            channel.kind = AlertChannel::Kind::Email;
            allowed.insert(QStringLiteral("to"));
            const QJsonValue to = object.value(QStringLiteral("to"));
            QStringList addresses;
            if (to.isString()) {
                addresses.append(to.toString());
            } else if (to.isArray()) {
                for (const QJsonValue &address : to.toArray()) {
                    if (!address.isString())
                        return wrongType(at + QStringLiteral(".to"),
                                         QStringLiteral("an e-mail address or an array of them"),
                                         address);
                    addresses.append(address.toString());
                }
            } else {
                return wrongType(at + QStringLiteral(".to"),
                                 QStringLiteral("an e-mail address or an array of them"), to);
            }
            if (addresses.isEmpty() || addresses.size() > kMaxRecipients)
                return invalid(at + QStringLiteral(".to"),
                               QStringLiteral("an e-mail channel needs 1 to %1 recipients")
                                   .arg(kMaxRecipients));
            for (const QString &address : std::as_const(addresses)) {
                if (address.size() > 254 || !emailPattern().match(address).hasMatch())
                    return invalid(at + QStringLiteral(".to"),
                                   QStringLiteral("'%1' is not an e-mail address").arg(address));
            }
            channel.to = addresses;
        } else {
            return invalid(at + QStringLiteral(".type"),
                           QStringLiteral("channel type must be inapp, webhook or email"));
        }
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (!allowed.contains(it.key()))
                return invalid(
                    at + QLatin1Char('.') + it.key(),
                    QStringLiteral("unknown field '%1' for a %2 channel").arg(it.key(), type));
        }
        channels.append(channel);
    }
    return channels;
}

QJsonObject ruleToJson(const AlertRule &rule)
{
    QJsonObject object{
        {QStringLiteral("id"), rule.id},
        {QStringLiteral("name"), rule.name},
        {QStringLiteral("type"), alertRuleTypeName(rule.type)},
        {QStringLiteral("threshold"),
         rule.type == AlertRuleType::Custom ? QJsonValue() : QJsonValue(rule.threshold)},
        {QStringLiteral("expression"),
         rule.type == AlertRuleType::Custom ? QJsonValue(rule.expression) : QJsonValue()},
        {QStringLiteral("forSec"), rule.forSec},
        {QStringLiteral("severity"), alertSeverityName(rule.severity)},
        {QStringLiteral("scope"), scopeToJson(rule.scope)},
        {QStringLiteral("cooldownSec"), rule.cooldownSec},
        {QStringLiteral("enabled"), rule.enabled},
        {QStringLiteral("channels"), channelsToJson(rule.channels)},
        {QStringLiteral("version"), rule.version},
        {QStringLiteral("createdAt"),
         rule.createdAtMs > 0 ? QJsonValue(isoUtc(rule.createdAtMs)) : QJsonValue()},
        {QStringLiteral("updatedAt"),
         rule.updatedAtMs > 0 ? QJsonValue(isoUtc(rule.updatedAtMs)) : QJsonValue()},
    };
    if (rule.type == AlertRuleType::Latency)
        object.insert(QStringLiteral("latencyStat"), latencyStatName(rule.latencyStat));
    if (rule.type == AlertRuleType::MassDisconnect)
        object.insert(QStringLiteral("windowSec"), rule.windowSec);
    return object;
}

Result<RuleInput> ruleFromJson(const QJsonObject &body, const std::optional<AlertRule> &current)
{
    static const QSet<QString> writable = {
        QStringLiteral("name"),        QStringLiteral("type"),        QStringLiteral("threshold"),
        QStringLiteral("expression"),  QStringLiteral("latencyStat"), QStringLiteral("windowSec"),
        QStringLiteral("forSec"),      QStringLiteral("severity"),    QStringLiteral("scope"),
        QStringLiteral("cooldownSec"), QStringLiteral("enabled"),     QStringLiteral("channels"),
    };
    static const QSet<QString> serverOwned = {QStringLiteral("id"), QStringLiteral("createdAt"),
                                              QStringLiteral("updatedAt")};
    const bool creating = !current.has_value();
    RuleInput input;
    for (auto it = body.constBegin(); it != body.constEnd(); ++it) {
        const QString &key = it.key();
        if (writable.contains(key))
            continue;
        if (key == u"version") {
            if (creating)
                return invalid(key, QStringLiteral("version is assigned by the server and cannot "
                                                   "be sent when creating a rule"));
            if (!it.value().isDouble() || it.value().toDouble() < 1 ||
                it.value().toDouble() != std::floor(it.value().toDouble()))
                return wrongType(key, QStringLiteral("a positive integer"), it.value());
            input.version = qint64(it.value().toDouble());
            continue;
        }
        if (serverOwned.contains(key)) {
            if (creating)
                return invalid(key, QStringLiteral("%1 is assigned by the server").arg(key));
            continue; // a PUT may send back what GET returned
        }
        return invalid(key, QStringLiteral("unknown field '%1'").arg(key));
    }

    AlertRule rule = current.value_or(AlertRule{});
    if (creating) {
        rule.channels = {AlertChannel{}}; // in-app by default
        if (!body.contains(QStringLiteral("name")))
            return invalid(QStringLiteral("name"), QStringLiteral("name is required"));
        if (!body.contains(QStringLiteral("type")))
            return invalid(QStringLiteral("type"), QStringLiteral("type is required: CAPACITY, "
                                                                  "LATENCY, HEARTBEAT, CUSTOM or "
                                                                  "MASS_DISCONNECT"));
        if (!body.contains(QStringLiteral("scope")))
            return invalid(QStringLiteral("scope"),
                           QStringLiteral("scope is required: {\"roomId\": …}, {\"roomType\": …} "
                                          "or {\"all\": true}"));
    }

    if (body.contains(QStringLiteral("name"))) {
        const QJsonValue value = body.value(QStringLiteral("name"));
        if (!value.isString())
            return wrongType(QStringLiteral("name"), QStringLiteral("a string"), value);
        const QString name = value.toString().trimmed();
        if (name.isEmpty() || name.size() > kMaxNameLength)
            return invalid(QStringLiteral("name"),
                           QStringLiteral("name must have 1 to %1 characters").arg(kMaxNameLength));
        rule.name = name;
    }
    const AlertRuleType previousType = rule.type;
    if (body.contains(QStringLiteral("type"))) {
        const auto type = alertRuleTypeFromName(body.value(QStringLiteral("type")).toString());
        if (!type)
            return invalid(QStringLiteral("type"),
                           QStringLiteral("type must be CAPACITY, LATENCY, HEARTBEAT, CUSTOM or "
                                          "MASS_DISCONNECT"));
        rule.type = *type;
    }
    const bool typeChanged = creating || rule.type != previousType;

    // Threshold: given, or the type's default when the type is new.
    if (body.contains(QStringLiteral("threshold")) &&
        !body.value(QStringLiteral("threshold")).isNull()) {
        const QJsonValue value = body.value(QStringLiteral("threshold"));
        if (rule.type == AlertRuleType::Custom)
            return invalid(QStringLiteral("threshold"),
                           QStringLiteral("a CUSTOM rule has no threshold: its expression is the "
                                          "condition"));
        if (!value.isDouble() || !std::isfinite(value.toDouble()))
            return wrongType(QStringLiteral("threshold"), QStringLiteral("a number"), value);
        rule.threshold = value.toDouble();
    } else if (typeChanged) {
        rule.threshold = defaultThreshold(rule.type);
    }
    if (auto checked = checkThreshold(rule.type, rule.threshold); !checked)
        return checked.error();

    if (body.contains(QStringLiteral("expression")) &&
        !body.value(QStringLiteral("expression")).isNull()) {
        const QJsonValue value = body.value(QStringLiteral("expression"));
        if (rule.type != AlertRuleType::Custom)
            return invalid(QStringLiteral("expression"),
                           QStringLiteral("only CUSTOM rules have an expression"));
        if (!value.isString())
            return wrongType(QStringLiteral("expression"), QStringLiteral("a string"), value);
        rule.expression = value.toString();
    } else if (rule.type != AlertRuleType::Custom) {
        rule.expression.clear();
    }
    if (rule.type == AlertRuleType::Custom) {
        if (rule.expression.trimmed().isEmpty())
            return invalid(QStringLiteral("expression"),
                           QStringLiteral("a CUSTOM rule needs an expression, e.g. "
                                          "online > 100 && p95LatencyMs > 300"));
        auto parsed = AlertExpression::parse(rule.expression);
        if (!parsed.ok())
            return invalid(QStringLiteral("expression"), parsed.error().message);
    }

    if (body.contains(QStringLiteral("latencyStat"))) {
        if (rule.type != AlertRuleType::Latency)
            return invalid(QStringLiteral("latencyStat"),
                           QStringLiteral("latencyStat applies to LATENCY rules only"));
        const auto stat = latencyStatFromName(body.value(QStringLiteral("latencyStat")).toString());
        if (!stat)
            return invalid(QStringLiteral("latencyStat"),
                           QStringLiteral("latencyStat must be AVG or P95"));
        rule.latencyStat = *stat;
    } else if (typeChanged) {
        rule.latencyStat = LatencyStat::P95;
    }
    if (body.contains(QStringLiteral("windowSec"))) {
        if (rule.type != AlertRuleType::MassDisconnect)
            return invalid(QStringLiteral("windowSec"),
                           QStringLiteral("windowSec applies to MASS_DISCONNECT rules only"));
        auto window = integerIn(body, QStringLiteral("windowSec"), 1, 3600);
        if (!window.ok())
            return window.error();
        rule.windowSec = window.value();
    } else if (typeChanged) {
        rule.windowSec = 60;
    }
    if (body.contains(QStringLiteral("forSec"))) {
        auto forSec = integerIn(body, QStringLiteral("forSec"), 0, 86400);
        if (!forSec.ok())
            return forSec.error();
        rule.forSec = forSec.value();
    }
    if (body.contains(QStringLiteral("severity"))) {
        const auto severity =
            alertSeverityFromName(body.value(QStringLiteral("severity")).toString());
        if (!severity)
            return invalid(QStringLiteral("severity"),
                           QStringLiteral("severity must be INFO, WARNING or CRITICAL"));
        rule.severity = *severity;
    }
    if (body.contains(QStringLiteral("scope"))) {
        auto scope = scopeFromJson(body.value(QStringLiteral("scope")));
        if (!scope.ok())
            return scope.error();
        rule.scope = scope.value();
    }
    if (body.contains(QStringLiteral("cooldownSec"))) {
        auto cooldown = integerIn(body, QStringLiteral("cooldownSec"), 0, 7 * 86400);
        if (!cooldown.ok())
            return cooldown.error();
        rule.cooldownSec = cooldown.value();
    }
    if (body.contains(QStringLiteral("enabled"))) {
        const QJsonValue value = body.value(QStringLiteral("enabled"));
        if (!value.isBool())
            return wrongType(QStringLiteral("enabled"), QStringLiteral("true or false"), value);
        rule.enabled = value.toBool();
    }
    if (body.contains(QStringLiteral("channels"))) {
        const QJsonValue value = body.value(QStringLiteral("channels"));
        if (!value.isArray())
            return wrongType(QStringLiteral("channels"), QStringLiteral("an array"), value);
        auto channels = channelsFromJson(value.toArray());
        if (!channels.ok())
            return channels.error();
        rule.channels = channels.value();
    }
    input.rule = rule;
    return input;
}

} // namespace spidi
