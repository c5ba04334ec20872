#pragma once

#include "alerts/alert_rule.h"
#include "core/result.h"

#include <QJsonArray>
#include <QJsonObject>

#include <optional>

namespace spidi {

// The REST shape of a rule (SPEC section 5): {id, name, type, threshold, expression,
// latencyStat, windowSec, forSec, severity, scope, cooldownSec, enabled, channels, version,
// createdAt, updatedAt}.
QJsonObject ruleToJson(const AlertRule &rule);
QJsonArray channelsToJson(const QList<AlertChannel> &channels);
// Errors are Invalid with field "channels[i].url" etc.
Result<QList<AlertChannel>> channelsFromJson(const QJsonArray &array);

// A rule from a POST body (`current` empty) or a PUT body (`current` is the stored rule: the
// fields present replace its fields). Checks every field the way the server's evaluation needs
// it (types, ranges, the CUSTOM expression by parsing it); whether a scoped room or room type
// exists is for the caller to check. The body's "version" (PUT) is returned in `version`.
struct RuleInput
{
    AlertRule rule;
    std::optional<qint64> version;
};
Result<RuleInput> ruleFromJson(const QJsonObject &body, const std::optional<AlertRule> &current);

} // namespace spidi
