// libFuzzer target: the CUSTOM alert expression parser, type checker and evaluator
// (server/alerts/alert_expression.h).
//
// Input: the expression (UTF-8), optionally followed by a NUL and up to 56 bytes that are the
// seven metric values as raw doubles (so NaN, infinities and denormals come up too).

#include "fuzz_check.h"

#include "alerts/alert_expression.h"

#include <QRegularExpression>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

using spidi::AlertExpression;
using spidi::RoomMetricValues;

namespace {

constexpr double Inf = std::numeric_limits<double>::infinity();
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

std::vector<RoomMetricValues> metricSets(const uint8_t *extra, size_t size)
{
    std::vector<RoomMetricValues> sets = {
        RoomMetricValues{},
        RoomMetricValues{120, 80, 150, 200, 60, 45.5, 320},
        RoomMetricValues{NaN, NaN, NaN, NaN, NaN, NaN, NaN},
        RoomMetricValues{Inf, -Inf, Inf, 0, -0.0, Inf, -Inf},
        RoomMetricValues{-1, 1e308, -1e308, 5e-324, 1e15, -1e15, 3},
    };
    if (size > 0) {
        double values[7] = {};
        std::memcpy(values, extra, std::min(size, sizeof values));
        sets.push_back(RoomMetricValues{values[0], values[1], values[2], values[3], values[4],
                                        values[5], values[6]});
    }
    return sets;
}

// "column N: ..." with N within the text (N = size + 1 for "ends too early").
int errorColumn(const QString &message)
{
    static const QRegularExpression prefix(QStringLiteral("^column (\\d+): \\S"));
    const QRegularExpressionMatch match = prefix.match(message);
    FUZZ_CHECK(match.hasMatch());
    return match.captured(1).toInt();
}

bool isLimitError(const QString &message)
{
    return message.contains(QLatin1String("too large")) ||
           message.contains(QLatin1String("too deeply")) ||
           message.contains(QLatin1String("too long"));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto *nul = static_cast<const uint8_t *>(std::memchr(data, 0, size));
    const size_t textSize = nul ? size_t(nul - data) : size;
    const QString text =
        QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(textSize));
    const std::vector<RoomMetricValues> sets =
        metricSets(nul ? nul + 1 : nullptr, nul ? size - textSize - 1 : 0);

    const auto parsed = AlertExpression::parse(text);
    if (!parsed) {
        const spidi::Error &error = parsed.error();
        FUZZ_CHECK(error.kind == spidi::ErrorKind::Invalid);
        FUZZ_CHECK(error.field == QLatin1String("expression"));
        const int column = errorColumn(error.message);
        FUZZ_CHECK(column >= 1 && column <= text.size() + 1);
        FUZZ_CHECK(error.message.size() <= 400); // echoes at most 40 characters of the input
        // Leading white space moves the error one column to the right, nothing else (an
        // expression of nothing but white space is "empty" at column 1 either way).
        if (text.size() < AlertExpression::MaxLength && !text.trimmed().isEmpty()) {
            const auto padded = AlertExpression::parse(QLatin1Char(' ') + text);
            FUZZ_CHECK(!padded);
            FUZZ_CHECK(errorColumn(padded.error().message) == column + 1);
        }
        return 0;
    }

    const AlertExpression &expression = *parsed;
    FUZZ_CHECK(!expression.isNull());
    FUZZ_CHECK(expression.text() == text);
    FUZZ_CHECK(text.size() <= AlertExpression::MaxLength);
    const QStringList known = AlertExpression::knownIdentifiers();
    const QStringList identifiers = expression.identifiers();
    for (const QString &name : identifiers) {
        FUZZ_CHECK(known.contains(name));
        FUZZ_CHECK(identifiers.count(name) == 1);
        FUZZ_CHECK(text.contains(name));
    }

    const AlertExpression copy = expression; // shares the program
    const auto padded = text.size() < AlertExpression::MaxLength
                            ? std::optional(AlertExpression::parse(QLatin1Char(' ') + text))
                            : std::nullopt;
    if (padded)
        FUZZ_CHECK(padded->ok());
    // The negation, when it fits the limits, is always the opposite (non-finite comparisons
    // are false, so `!` of one is true: the evaluator must not treat NaN specially there).
    const auto negated = AlertExpression::parse(QStringLiteral("!(") + text + QLatin1Char(')'));
    if (!negated)
        FUZZ_CHECK(isLimitError(negated.error().message));

    for (const RoomMetricValues &values : sets) {
        const bool result = expression.evaluate(values);
        FUZZ_CHECK(copy.evaluate(values) == result);
        FUZZ_CHECK(expression.evaluate(values) == result);
        if (padded)
            FUZZ_CHECK(padded->value().evaluate(values) == result);
        if (negated)
            FUZZ_CHECK(negated->evaluate(values) == !result);
    }
    return 0;
}
