#pragma once

#include "core/result.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace spidi {

// The live metrics of one room that a CUSTOM alert rule can look at (SPEC section 7).
// capacityPct is 0..100. A value may be NaN or infinite (e.g. no latency samples yet); every
// comparison involving such a value is false.
struct RoomMetricValues
{
    double online = 0;
    double users = 0;
    double peak = 0;
    double capacity = 0;
    double capacityPct = 0;
    double avgLatencyMs = 0;
    double p95LatencyMs = 0;
};

// clang-format off
// The sandboxed expression of a CUSTOM alert rule: a boolean condition over a room's metrics,
// e.g. `online > 100 && p95LatencyMs > 300`.
//
//   expression = or ;
//   or         = and { "||" and } ;
//   and        = equality { "&&" equality } ;
//   equality   = ordering [ ( "==" | "!=" ) ordering ] ;      (no chaining)
//   ordering   = sum [ ( "<" | "<=" | ">" | ">=" ) sum ] ;    (no chaining)
//   sum        = product { ( "+" | "-" ) product } ;
//   product    = unary { ( "*" | "/" ) unary } ;
//   unary      = ( "!" | "-" ) unary | primary ;
//   primary    = number | "true" | "false" | name | "(" expression ")" ;
//   number     = digits [ "." digits ] [ ( "e" | "E" ) [ "+" | "-" ] digits ] ;
//   name       = "online" | "users" | "peak" | "capacity" | "capacityPct"
//              | "avgLatencyMs" | "p95LatencyMs" ;
// clang-format on
//
// Types are checked when parsing: && || ! take conditions, arithmetic and ordering take numbers,
// == and != need two sides of the same type, and the whole expression must be a condition.
// A number starts with a digit (`.5` and `5.` are refused: write 0.5 and 5) and must be
// finite and at most 1e15 in absolute value (a non-zero literal that rounds to 0, such as
// 1e-400, is refused too). Limits: 1024 characters, 64 levels of nesting
// (each '(' and each unary operator opens one), 256 operands and operators. Only ASCII is
// accepted; space, tab, CR and LF separate tokens. Columns in errors are 1-based character
// offsets from the start of the text (a line break counts as one character).
//
// Evaluation is a loop over the compiled postfix program (at most 256 steps, no recursion, no
// allocation). Division by zero gives an infinite or NaN value; every comparison (<, <=, >, >=,
// ==, !=) with a non-finite operand is false, so `online / 0 > 1` and `online / 0 != 1` are
// both false while `!(online / 0 == 1)` is true.
//
// Copies are cheap: they share one immutable compiled program. A default-constructed
// AlertExpression has no program and evaluates to false.
class AlertExpression
{
public:
    static constexpr int MaxLength = 1024;
    static constexpr int MaxDepth = 64;
    static constexpr int MaxNodes = 256;
    static constexpr double MaxMagnitude = 1e15;

    AlertExpression() = default;

    // Errors are ErrorKind::Invalid with field "expression" and a message
    // "column N: <what is wrong>[, e.g. <a valid example>]" pointing at the first error.
    static Result<AlertExpression> parse(const QString &text);

    bool isNull() const { return !m_program; }
    bool evaluate(const RoomMetricValues &values) const;
    QString text() const { return m_text; }                   // the source as given
    QStringList identifiers() const { return m_identifiers; } // metric names, first-use order

    // The metric names an expression may use, in the order of RoomMetricValues.
    static QStringList knownIdentifiers();
    // The value of one metric by name (one of knownIdentifiers()); NaN for any other name.
    static double metricValue(const RoomMetricValues &values, QStringView name);

    struct Program;

private:
    QString m_text;
    QStringList m_identifiers;
    std::shared_ptr<const Program> m_program;
};

} // namespace spidi
