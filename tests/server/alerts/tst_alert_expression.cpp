// The sandboxed CUSTOM alert-rule expression (SPEC section 7): every operator and its
// precedence, each metric, non-finite arithmetic, every kind of rejection with its exact column,
// the limits (length, nesting, node count, number range), hostile input, and deterministic
// random loops: token garbage and near-miss mutations never crash, and generated well-typed
// expressions parse and evaluate to what an independent reference evaluator says.
#include "alerts/alert_expression.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

#include <cmath>
#include <limits>
#include <utility>

using spidi::AlertExpression;
using spidi::ErrorKind;
using spidi::RoomMetricValues;

Q_DECLARE_METATYPE(spidi::RoomMetricValues)

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr double Inf = std::numeric_limits<double>::infinity();

RoomMetricValues busyRoom()
{
    RoomMetricValues v;
    v.online = 150;
    v.users = 120;
    v.peak = 200;
    v.capacity = 500;
    v.capacityPct = 30;
    v.avgLatencyMs = 80;
    v.p95LatencyMs = 350;
    return v;
}

RoomMetricValues quietRoom()
{
    RoomMetricValues v;
    v.online = 3;
    v.users = 2;
    v.peak = 10;
    v.capacity = 50;
    v.capacityPct = 6;
    v.avgLatencyMs = 20;
    v.p95LatencyMs = 40;
    return v;
}

RoomMetricValues nanRoom()
{
    RoomMetricValues v = quietRoom();
    v.avgLatencyMs = NaN;
    v.p95LatencyMs = Inf;
    return v;
}

// The column number at the front of an error message, or -1.
int errorColumn(const QString &message)
{
    static const QRegularExpression re(QStringLiteral("^column (\\d+): "));
    const QRegularExpressionMatch m = re.match(message);
    return m.hasMatch() ? m.captured(1).toInt() : -1;
}

QString repeated(const QString &piece, int count, const QString &separator = {})
{
    QStringList parts;
    for (int i = 0; i < count; ++i)
        parts << piece;
    return parts.join(separator);
}

// --- a reference generator/evaluator for well-typed expressions -------------------------------
// Fully parenthesised so the generator does not depend on precedence; it computes the expected
// value with the documented semantics, independently of the implementation under test.

struct Generated
{
    QString text;
    double value = 0; // numbers; booleans are 0/1
    int nodes = 0;
};

bool finite2(double a, double b)
{
    return std::isfinite(a) && std::isfinite(b);
}

class ExpressionGenerator
{
public:
    ExpressionGenerator(quint32 seed, const RoomMetricValues &values) : m_rng(seed), m_v(values) {}

    Generated boolean(int depth)
    {
        const int pick = depth <= 0 ? int(m_rng.bounded(2)) : int(m_rng.bounded(8));
        switch (pick) {
        case 0: {
            const bool b = m_rng.bounded(2) == 0;
            return {b ? QStringLiteral("true") : QStringLiteral("false"), b ? 1.0 : 0.0, 1};
        }
        case 1:
        case 2: { // ordering or equality of numbers
            static const char *const ops[] = {"<", "<=", ">", ">=", "==", "!="};
            const int op = int(m_rng.bounded(6));
            const Generated a = number(depth - 1), b = number(depth - 1);
            bool r = false;
            if (finite2(a.value, b.value)) {
                switch (op) {
                case 0:
                    r = a.value < b.value;
                    break;
                case 1:
                    r = a.value <= b.value;
                    break;
                case 2:
                    r = a.value > b.value;
                    break;
                case 3:
                    r = a.value >= b.value;
                    break;
                case 4:
                    r = a.value == b.value;
                    break;
                default:
                    r = a.value != b.value;
                    break;
                }
            }
            return {QStringLiteral("(%1 %2 %3)").arg(a.text, QLatin1String(ops[op]), b.text),
                    r ? 1.0 : 0.0, a.nodes + b.nodes + 1};
        }
        case 3: {
            const Generated a = boolean(depth - 1);
            return {QStringLiteral("!%1").arg(a.text), a.value != 0 ? 0.0 : 1.0, a.nodes + 1};
        }
        case 4:
        case 5: {
            const Generated a = boolean(depth - 1), b = boolean(depth - 1);
            const bool r = (a.value != 0) && (b.value != 0);
            return {QStringLiteral("(%1 && %2)").arg(a.text, b.text), r ? 1.0 : 0.0,
                    a.nodes + b.nodes + 1};
        }
        case 6: {
            const Generated a = boolean(depth - 1), b = boolean(depth - 1);
            const bool r = (a.value != 0) || (b.value != 0);
            return {QStringLiteral("(%1 || %2)").arg(a.text, b.text), r ? 1.0 : 0.0,
                    a.nodes + b.nodes + 1};
        }
        default: { // boolean equality (no non-finite values possible)
            const Generated a = boolean(depth - 1), b = boolean(depth - 1);
            const bool eq = m_rng.bounded(2) == 0;
            const bool r = eq ? a.value == b.value : a.value != b.value;
            return {QStringLiteral("(%1 %2 %3)")
                        .arg(a.text, eq ? QStringLiteral("==") : QStringLiteral("!="), b.text),
                    r ? 1.0 : 0.0, a.nodes + b.nodes + 1};
        }
        }
    }

    Generated number(int depth)
    {
        const int pick = depth <= 0 ? int(m_rng.bounded(2)) : int(m_rng.bounded(5));
        switch (pick) {
        case 0: {
            static const std::pair<const char *, double> literals[] = {
                {"0", 0},         {"1", 1},     {"2.5", 2.5},   {"1e3", 1e3},
                {"0.001", 0.001}, {"100", 100}, {"1e15", 1e15}, {"7", 7}};
            const auto &lit = literals[m_rng.bounded(8)];
            return {QLatin1String(lit.first), lit.second, 1};
        }
        case 1: {
            static const char *const names[] = {"online",      "users",       "peak",
                                                "capacity",    "capacityPct", "avgLatencyMs",
                                                "p95LatencyMs"};
            const int i = int(m_rng.bounded(7));
            const QString name = QLatin1String(names[i]);
            return {name, AlertExpression::metricValue(m_v, name), 1};
        }
        case 2: {
            const Generated a = number(depth - 1);
            return {QStringLiteral("-%1").arg(a.text), -a.value, a.nodes + 1};
        }
        default: {
            static const char ops[] = {'+', '-', '*', '/'};
            const char op = ops[m_rng.bounded(4)];
            const Generated a = number(depth - 1), b = number(depth - 1);
            double r = 0;
            switch (op) {
            case '+':
                r = a.value + b.value;
                break;
            case '-':
                r = a.value - b.value;
                break;
            case '*':
                r = a.value * b.value;
                break;
            default:
                r = a.value / b.value;
                break;
            }
            return {QStringLiteral("(%1 %2 %3)").arg(a.text, QChar::fromLatin1(op), b.text), r,
                    a.nodes + b.nodes + 1};
        }
        }
    }

private:
    QRandomGenerator m_rng;
    RoomMetricValues m_v;
};

} // namespace

class TestAlertExpression : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void evaluates_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<RoomMetricValues>("values");
        QTest::addColumn<bool>("expected");
        const RoomMetricValues busy = busyRoom();
        const RoomMetricValues quiet = quietRoom();
        const RoomMetricValues nan = nanRoom();

        // literals and logic
        QTest::newRow("true") << "true" << busy << true;
        QTest::newRow("false") << "false" << busy << false;
        QTest::newRow("!true") << "!true" << busy << false;
        QTest::newRow("!false") << "!false" << busy << true;
        QTest::newRow("!!true") << "!!true" << busy << true;
        QTest::newRow("||") << "false || true" << busy << true;
        QTest::newRow("|| both false") << "false || false" << busy << false;
        QTest::newRow("&&") << "true && true" << busy << true;
        QTest::newRow("&& one false") << "true && false" << busy << false;
        // `!a && b || c` is `((!a) && b) || c`: with a = c = true only that reading is true.
        QTest::newRow("! && || precedence") << "!true && false || true" << busy << true;
        QTest::newRow("&& binds tighter than ||") << "true || true && false" << busy << true;
        QTest::newRow("&& before || left") << "false && true || true" << busy << true;
        QTest::newRow("parentheses override") << "(true || true) && false" << busy << false;
        QTest::newRow("! of parenthesised") << "!(true && false)" << busy << true;
        QTest::newRow("bool ==") << "true == true" << busy << true;
        QTest::newRow("bool !=") << "true != false" << busy << true;
        QTest::newRow("bool == false") << "true == false" << busy << false;
        QTest::newRow("comparison == comparison")
            << "(online > 100) == (users > 100)" << busy << true;
        QTest::newRow("ordering binds tighter than ==") << "1 + 2 < 4 == true" << busy << true;
        QTest::newRow("== binds tighter than &&") << "1 == 1 && 2 == 2" << busy << true;

        // arithmetic and precedence
        QTest::newRow("1 + 2 * 3 == 7") << "1 + 2 * 3 == 7" << busy << true;
        QTest::newRow("(1 + 2) * 3 == 9") << "(1 + 2) * 3 == 9" << busy << true;
        QTest::newRow("- is left associative") << "10 - 4 - 3 == 3" << busy << true;
        QTest::newRow("/ is left associative") << "100 / 10 / 5 == 2" << busy << true;
        QTest::newRow("* and / left to right") << "12 / 4 * 3 == 9" << busy << true;
        QTest::newRow("unary minus") << "-2 * 3 == -6" << busy << true;
        QTest::newRow("double unary minus") << "- -2 == 2" << busy << true;
        QTest::newRow("minus minus") << "2 - -2 == 4" << busy << true;
        QTest::newRow("unary minus binds tighter than *") << "-online * 2 == -300" << busy << true;
        QTest::newRow("<") << "1 < 2" << busy << true;
        QTest::newRow("< equal") << "2 < 2" << busy << false;
        QTest::newRow("<=") << "2 <= 2" << busy << true;
        QTest::newRow(">") << "3 > 2" << busy << true;
        QTest::newRow(">=") << "2 >= 3" << busy << false;
        QTest::newRow("==") << "1 == 2" << busy << false;
        QTest::newRow("!=") << "1 != 2" << busy << true;
        QTest::newRow("no spaces") << "online>100&&p95LatencyMs>300" << busy << true;
        QTest::newRow("tabs and newlines") << "\tonline\n>\r\n100" << busy << true;

        // numbers
        QTest::newRow("1e3") << "1e3 == 1000" << busy << true;
        QTest::newRow("1E2") << "1E2 == 100" << busy << true;
        QTest::newRow("1e+2") << "1e+2 == 100" << busy << true;
        QTest::newRow("1.5e-3") << "1.5e-3 * 1000 == 1.5" << busy << true;
        QTest::newRow("0.5") << "0.5 * 2 == 1" << busy << true;
        QTest::newRow("leading zeros") << "007 == 7" << busy << true;
        QTest::newRow("1e15 is the largest") << "1e15 == 1000000000000000" << busy << true;
        QTest::newRow("-1e15") << "-1e15 < 0" << busy << true;
        QTest::newRow("tiny but representable") << "1e-300 > 0" << busy << true;
        QTest::newRow("zero with a huge exponent") << "0e999 == 0" << busy << true;

        // each metric bound to its value
        QTest::newRow("online") << "online == 150" << busy << true;
        QTest::newRow("users") << "users == 120" << busy << true;
        QTest::newRow("peak") << "peak == 200" << busy << true;
        QTest::newRow("capacity") << "capacity == 500" << busy << true;
        QTest::newRow("capacityPct") << "capacityPct == 30" << busy << true;
        QTest::newRow("avgLatencyMs") << "avgLatencyMs == 80" << busy << true;
        QTest::newRow("p95LatencyMs") << "p95LatencyMs == 350" << busy << true;
        QTest::newRow("metrics in arithmetic")
            << "online * 100 / capacity == capacityPct" << busy << true;

        // the SPEC example
        QTest::newRow("spec example, busy") << "online > 100 && p95LatencyMs > 300" << busy << true;
        QTest::newRow("spec example, quiet")
            << "online > 100 && p95LatencyMs > 300" << quiet << false;

        // non-finite values: every comparison with one is false
        QTest::newRow("x/0 > 1") << "online / 0 > 1" << busy << false;
        QTest::newRow("x/0 < 1") << "online / 0 < 1" << busy << false;
        QTest::newRow("-x/0 < 1") << "-online / 0 < 1" << busy << false;
        QTest::newRow("x/0 == x/0") << "online / 0 == online / 0" << busy << false;
        QTest::newRow("x/0 != 1") << "online / 0 != 1" << busy << false;
        QTest::newRow("!(x/0 == 1)") << "!(online / 0 == 1)" << busy << true;
        QTest::newRow("0/0 >= 0") << "0 / 0 >= 0" << busy << false;
        QTest::newRow("0/0 <= 0") << "0 / 0 <= 0" << busy << false;
        QTest::newRow("false comparison in ||") << "online / 0 > 1 || true" << busy << true;
        QTest::newRow("overflow to infinity")
            << QString(repeated(QStringLiteral("1e15"), 22, QStringLiteral(" * ")) +
                       QStringLiteral(" > 0"))
            << busy << false;
        QTest::newRow("NaN metric >") << "avgLatencyMs > 0" << nan << false;
        QTest::newRow("NaN metric <=") << "avgLatencyMs <= 0" << nan << false;
        QTest::newRow("NaN metric ==") << "avgLatencyMs == avgLatencyMs" << nan << false;
        QTest::newRow("infinite metric >") << "p95LatencyMs > 300" << nan << false;
        QTest::newRow("finite metrics still work") << "online == 3" << nan << true;
    }

    void evaluates()
    {
        QFETCH(QString, text);
        QFETCH(RoomMetricValues, values);
        QFETCH(bool, expected);
        const auto parsed = AlertExpression::parse(text);
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
        QCOMPARE(parsed->evaluate(values), expected);
        QCOMPARE(parsed->text(), text);
    }

    void rejects_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("fragment");

        // empty
        QTest::newRow("empty") << "" << 1 << "the expression is empty, e.g. online > 100";
        QTest::newRow("whitespace") << " \t\n " << 1 << "the expression is empty";

        // structure
        QTest::newRow("trailing number") << "online > 1 2" << 12 << "after a complete expression";
        QTest::newRow("trailing name") << "online > 1 peak" << 12 << "join conditions with &&";
        QTest::newRow("trailing ')'") << "online > 1)" << 11 << "unmatched ')'";
        QTest::newRow("extra ')' after group") << "(online > 1))" << 13 << "unmatched ')'";
        QTest::newRow("missing ')'")
            << "(online > 1" << 12 << "missing ')' to close the '(' at column 1";
        QTest::newRow("missing inner ')'")
            << "((online > 1)" << 14 << "missing ')' to close the '(' at column 1";
        QTest::newRow("missing ')' before junk") << "(online > 1 2)" << 13 << "missing ')'";
        QTest::newRow("empty parentheses")
            << "()" << 2 << "expected a number, a metric name or '('";
        QTest::newRow("ends after operator") << "online >" << 9 << "ends too early";
        QTest::newRow("ends after &&") << "online > 1 &&" << 14 << "ends too early";
        QTest::newRow("two operators") << "online > > 1" << 10 << "found '>'";
        QTest::newRow("leading operator") << "&& online" << 1 << "found '&&'";
        QTest::newRow("chained <") << "online < peak < capacity" << 15 << "cannot be chained";
        QTest::newRow("chained >=") << "1 >= 0 >= 0" << 8 << "cannot be chained";
        QTest::newRow("chained ==") << "1 == 1 == true" << 8 << "cannot be chained";

        // types
        QTest::newRow("online && 1")
            << "online && 1" << 1
            << "the left side of '&&' must be a condition (true/false), not a number";
        QTest::newRow("cond && 1")
            << "online > 1 && 1" << 15 << "the right side of '&&' must be a condition";
        QTest::newRow("|| number") << "peak || true" << 1 << "the left side of '||'";
        QTest::newRow("!online") << "!online" << 2
                                 << "'!' applies to a condition (true/false), not a number";
        QTest::newRow("online + 1")
            << "online + 1" << 1
            << "the expression must be a condition (true/false), e.g. online > 100";
        QTest::newRow("a bare number") << "  42" << 3 << "must be a condition";
        QTest::newRow("-true") << "-true" << 2 << "'-' applies to a number";
        QTest::newRow("true + 1") << "true + 1 > 0" << 1 << "the left side of '+' must be a number";
        QTest::newRow("1 * false")
            << "1 * false > 0" << 5 << "the right side of '*' must be a number";
        QTest::newRow("true < false")
            << "true < false" << 1 << "the left side of '<' must be a number";
        QTest::newRow("number == bool")
            << "online == true" << 11
            << "'==' compares two values of the same type, but the left side is a number";
        QTest::newRow("bool != number") << "(online > 1) != 1" << 17 << "same type";

        // names
        QTest::newRow("onlien") << "onlien > 1" << 1
                                << "unknown name 'onlien', did you mean 'online'?";
        QTest::newRow("onlne") << "onlne > 1" << 1 << "did you mean 'online'?";
        QTest::newRow("case") << "Online > 1" << 1 << "did you mean 'online'?";
        QTest::newRow("p95latency") << "p95latency > 1" << 1 << "did you mean 'p95LatencyMs'?";
        QTest::newRow("True") << "True" << 1 << "did you mean 'true'?";
        QTest::newRow("later unknown")
            << "online > 1 && usres > 2" << 15 << "did you mean 'users'?";
        QTest::newRow("unknown lists the known")
            << "xyz > 1" << 1
            << "unknown name 'xyz'; known: online, users, peak, capacity, capacityPct, "
               "avgLatencyMs, p95LatencyMs";
        QTest::newRow("and") << "online > 1 and peak > 2" << 12 << "use '&&'";
        QTest::newRow("or") << "online > 1 or peak > 2" << 12 << "use '||'";
        QTest::newRow("not") << "not online > 1" << 1 << "use '!'";

        // sandboxing: calls, assignment, strings, other syntax
        QTest::newRow("function call")
            << "max(online, 1) > 2" << 1 << "function calls are not supported";
        QTest::newRow("call of a metric")
            << "online (1) > 2" << 1 << "function calls are not supported";
        QTest::newRow("assignment")
            << "online = 5" << 8 << "'=' is not allowed (there is no assignment)";
        QTest::newRow("=>") << "online => 5" << 8 << "use '=='";
        QTest::newRow("single quotes") << "online == 'x'" << 11 << "text strings are not supported";
        QTest::newRow("double quotes") << "\"online\" > 1" << 1 << "text strings are not supported";
        QTest::newRow("backquote") << "`ls` == 1" << 1 << "text strings are not supported";
        QTest::newRow("&") << "online & peak" << 8 << "use '&&'";
        QTest::newRow("|") << "online | peak" << 8 << "use '||'";
        QTest::newRow("%") << "online % 2 == 0" << 8 << "'%' is not supported";
        QTest::newRow(";") << "online > 1; peak > 2" << 11 << "';' is not allowed";
        QTest::newRow("[") << "online[0] > 1" << 7 << "unexpected character '['";
        QTest::newRow("$") << "$online > 1" << 1 << "unexpected character '$'";

        // numbers
        QTest::newRow(".5") << "online > .5" << 10 << "a number must start with a digit, e.g. 0.5";
        QTest::newRow("5.") << "online > 5." << 10 << "malformed number '5.'";
        QTest::newRow("1.2.3") << "1.2.3 > 0" << 1 << "malformed number '1.2.3'";
        QTest::newRow("hex") << "0x10 > 1" << 1 << "malformed number '0x10'";
        QTest::newRow("1e") << "1e > 0" << 1 << "malformed number '1e'";
        QTest::newRow("12abc") << "online > 12abc" << 10 << "malformed number '12abc'";
        QTest::newRow("1e400") << "1e400 > 0" << 1 << "number out of range";
        QTest::newRow("20 digits")
            << "online > 99999999999999999999" << 10 << "number out of range";
        QTest::newRow("1e16") << "online < 1e16" << 10 << "number out of range";
        QTest::newRow("1e-400") << "online > 1e-400" << 10 << "'1e-400': too close to zero";
        QTest::newRow("1000000000000001")
            << "online < 1000000000000001" << 10 << "number out of range";

        // characters
        QTest::newRow("NUL") << QString(QStringLiteral("online > 1") + QChar(0)) << 11
                             << "control character U+0000";
        QTest::newRow("NUL inside")
            << QString(QStringLiteral("onl") + QChar(0) + QStringLiteral("ine > 1")) << 4
            << "control character U+0000";
        QTest::newRow("non-ASCII letter") << QStringLiteral("onl\u00efne > 1") << 4
                                          << "only ASCII characters are allowed, found U+00EF";
        QTest::newRow("non-ASCII digit") << QStringLiteral("online > \u0661") << 10 << "U+0661";
        QTest::newRow("emoji") << QString::fromUtf8("online > \xF0\x9F\x98\x80") << 10 << "U+1F600";
        QTest::newRow("no-break space") << QStringLiteral("online >\u00a01") << 9 << "U+00A0";

        // the first error from the left wins
        QTest::newRow("type error before lexer error") << "!online 'x'" << 2 << "'!' applies";
        QTest::newRow("syntax before later garbage") << "online > > 'x'" << 10 << "found '>'";
        QTest::newRow("unknown before garbage") << "onlien > 'x'" << 1 << "unknown name";
    }

    void rejects()
    {
        QFETCH(QString, text);
        QFETCH(int, column);
        QFETCH(QString, fragment);
        const auto parsed = AlertExpression::parse(text);
        QVERIFY2(!parsed.ok(), qPrintable(text));
        const spidi::Error &error = parsed.error();
        QCOMPARE(error.kind, ErrorKind::Invalid);
        QCOMPARE(error.field, QStringLiteral("expression"));
        QVERIFY2(error.message.contains(fragment), qPrintable(error.message));
        QCOMPARE(errorColumn(error.message), column);
    }

    void nestingLimit_data()
    {
        QTest::addColumn<QString>("open");
        QTest::addColumn<QString>("inner");
        QTest::addColumn<QString>("close");
        QTest::addColumn<int>("levels"); // how many `open` pieces make MaxDepth levels
        QTest::newRow("parentheses") << "("
                                     << "online > 1"
                                     << ")" << 64;
        QTest::newRow("!") << "!"
                           << "true"
                           << "" << 64;
        QTest::newRow("unary -") << "-"
                                 << "1 < 0"
                                 << "" << 64;
        QTest::newRow("!( pairs") << "!("
                                  << "true"
                                  << ")" << 32;
    }

    void nestingLimit()
    {
        QFETCH(QString, open);
        QFETCH(QString, inner);
        QFETCH(QString, close);
        QFETCH(int, levels);

        const QString deepest = repeated(open, levels) + inner + repeated(close, levels);
        const auto accepted = AlertExpression::parse(deepest);
        QVERIFY2(accepted.ok(), qPrintable(accepted.ok() ? QString() : accepted.error().message));
        (void)accepted->evaluate(busyRoom());

        // One more level: the error points at the opener of level 65.
        const QString tooDeep = QStringLiteral("(") + deepest + QStringLiteral(")");
        const auto refused = AlertExpression::parse(tooDeep);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains(QStringLiteral("nested too deeply (at most 64")),
                 qPrintable(refused.error().message));
        // Level 65 is opened at column 65 in each of these shapes.
        QCOMPARE(errorColumn(refused.error().message), 65);
    }

    void nestingCountsDepthNotGroups()
    {
        // 100 sibling groups are one level deep.
        const auto siblings =
            AlertExpression::parse(repeated(QStringLiteral("(true)"), 100, QStringLiteral(" && ")));
        QVERIFY2(siblings.ok(), qPrintable(siblings.ok() ? QString() : siblings.error().message));
        QVERIFY(siblings->evaluate(busyRoom()));
    }

    void nodeLimit()
    {
        // 128 `true` joined by 127 `&&`: 255 nodes; one `!` makes 256, two make 257.
        const QString chain = repeated(QStringLiteral("true"), 128, QStringLiteral("&&"));
        const auto at256 =
            AlertExpression::parse(QStringLiteral("!(") + chain + QStringLiteral(")"));
        QVERIFY2(at256.ok(), qPrintable(at256.ok() ? QString() : at256.error().message));
        QCOMPARE(at256->evaluate(busyRoom()), false);

        const QString text257 = QStringLiteral("!!(") + chain + QStringLiteral(")");
        const auto at257 = AlertExpression::parse(text257);
        QVERIFY(!at257.ok());
        QVERIFY2(at257.error().message.contains(QStringLiteral("too large (at most 256")),
                 qPrintable(at257.error().message));
        // The 257th node read is the last `true`.
        QCOMPARE(errorColumn(at257.error().message),
                 int(text257.lastIndexOf(QStringLiteral("true"))) + 1);

        // Arithmetic counts the same way: 127 ones summed (253 nodes) > 0 (255 nodes) is fine.
        const auto sum = AlertExpression::parse(
            repeated(QStringLiteral("1"), 127, QStringLiteral("+")) + QStringLiteral(">0"));
        QVERIFY(sum.ok());
        QVERIFY(sum->evaluate(busyRoom()));
    }

    void lengthLimit()
    {
        QString at1024 = QStringLiteral("online > 100");
        at1024 += QString(1024 - at1024.size(), QLatin1Char(' '));
        QCOMPARE(at1024.size(), 1024);
        const auto ok = AlertExpression::parse(at1024);
        QVERIFY(ok.ok());
        QVERIFY(ok->evaluate(busyRoom()));

        const QString at1025 = at1024 + QLatin1Char(' ');
        const auto refused = AlertExpression::parse(at1025);
        QVERIFY(!refused.ok());
        QCOMPARE(errorColumn(refused.error().message), 1025);
        QVERIFY2(refused.error().message.contains(
                     QStringLiteral("too long (1025 characters, at most 1024)")),
                 qPrintable(refused.error().message));
    }

    void hostileInputFailsQuickly_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("column");
        QTest::newRow("100000 '('") << QString(100000, QLatin1Char('(')) << 1025;
        QTest::newRow("100000 '!'") << QString(100000, QLatin1Char('!')) << 1025;
        QTest::newRow("100000 letters") << QString(100000, QLatin1Char('a')) << 1025;
        QTest::newRow("1024 '('") << QString(1024, QLatin1Char('(')) << 65;
        QTest::newRow("1024 '-'") << QString(1024, QLatin1Char('-')) << 65;
        QTest::newRow("1024 letters") << QString(1024, QLatin1Char('a')) << 1;
        QTest::newRow("1024 digits") << QString(1024, QLatin1Char('9')) << 1;
        QTest::newRow("512 '1+'") << repeated(QStringLiteral("1+"), 512) << 257;
    }

    void hostileInputFailsQuickly()
    {
        QFETCH(QString, text);
        QFETCH(int, column);
        QElapsedTimer timer;
        timer.start();
        const auto parsed = AlertExpression::parse(text);
        const qint64 elapsedMs = timer.elapsed();
        QVERIFY(!parsed.ok());
        QCOMPARE(errorColumn(parsed.error().message), column);
        QVERIFY2(elapsedMs < 100, qPrintable(QString::number(elapsedMs)));
        QVERIFY(parsed.error().message.size() < 600); // never echoes the input back
    }

    void identifiersInFirstUseOrder()
    {
        const auto parsed = AlertExpression::parse(
            QStringLiteral("p95LatencyMs > 300 && online > 100 || p95LatencyMs > online * 2"));
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->identifiers(),
                 (QStringList{QStringLiteral("p95LatencyMs"), QStringLiteral("online")}));

        const auto none = AlertExpression::parse(QStringLiteral("1 < 2"));
        QVERIFY(none.ok());
        QVERIFY(none->identifiers().isEmpty());

        QCOMPARE(
            AlertExpression::knownIdentifiers(),
            (QStringList{QStringLiteral("online"), QStringLiteral("users"), QStringLiteral("peak"),
                         QStringLiteral("capacity"), QStringLiteral("capacityPct"),
                         QStringLiteral("avgLatencyMs"), QStringLiteral("p95LatencyMs")}));
        const RoomMetricValues busy = busyRoom();
        QCOMPARE(AlertExpression::metricValue(busy, u"capacityPct"), 30.0);
        QVERIFY(std::isnan(AlertExpression::metricValue(busy, u"nope")));
    }

    void textIsKeptAsGiven()
    {
        const QString text = QStringLiteral("  online>100\n&& p95LatencyMs > 300 ");
        const auto parsed = AlertExpression::parse(text);
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->text(), text);
    }

    void copiesShareAndAgree()
    {
        const auto parsed = AlertExpression::parse(QStringLiteral("online > 100"));
        QVERIFY(parsed.ok());
        const AlertExpression copy = *parsed;
        AlertExpression assigned;
        QVERIFY(assigned.isNull());
        QCOMPARE(assigned.evaluate(busyRoom()), false);
        QVERIFY(assigned.text().isEmpty());
        assigned = copy;
        QVERIFY(!assigned.isNull());
        QCOMPARE(assigned.evaluate(busyRoom()), true);
        QCOMPARE(assigned.evaluate(quietRoom()), false);
        QCOMPARE(assigned.text(), parsed->text());
        QCOMPARE(assigned.identifiers(), parsed->identifiers());
    }

    // Token soup from a fixed seed: parse() must never crash or hang, every error must be a
    // well-formed Invalid error with a column inside the text, and every success must evaluate.
    void randomGarbageNeverCrashes()
    {
        static const QStringList alphabet = {QStringLiteral("online"),
                                             QStringLiteral("users"),
                                             QStringLiteral("peak"),
                                             QStringLiteral("capacity"),
                                             QStringLiteral("capacityPct"),
                                             QStringLiteral("avgLatencyMs"),
                                             QStringLiteral("p95LatencyMs"),
                                             QStringLiteral("true"),
                                             QStringLiteral("false"),
                                             QStringLiteral("0"),
                                             QStringLiteral("1"),
                                             QStringLiteral("2.5"),
                                             QStringLiteral("1e3"),
                                             QStringLiteral("1e400"),
                                             QStringLiteral("."),
                                             QStringLiteral("e"),
                                             QStringLiteral("("),
                                             QStringLiteral("("),
                                             QStringLiteral(")"),
                                             QStringLiteral(")"),
                                             QStringLiteral("!"),
                                             QStringLiteral("-"),
                                             QStringLiteral("+"),
                                             QStringLiteral("*"),
                                             QStringLiteral("/"),
                                             QStringLiteral("<"),
                                             QStringLiteral("<="),
                                             QStringLiteral(">"),
                                             QStringLiteral(">="),
                                             QStringLiteral("=="),
                                             QStringLiteral("!="),
                                             QStringLiteral("&&"),
                                             QStringLiteral("||"),
                                             QStringLiteral(" "),
                                             QStringLiteral(" "),
                                             QStringLiteral("="),
                                             QStringLiteral("&"),
                                             QStringLiteral("|"),
                                             QStringLiteral("'"),
                                             QStringLiteral(","),
                                             QStringLiteral("max"),
                                             QStringLiteral("onlien"),
                                             QStringLiteral("\u00e9"),
                                             QString(QChar(0)),
                                             QStringLiteral("\n")};
        const RoomMetricValues valueSets[] = {busyRoom(), quietRoom(), nanRoom(),
                                              RoomMetricValues{}};
        QRandomGenerator rng(20261123);
        int accepted = 0;
        for (int i = 0; i < 10000; ++i) {
            QString text;
            const int tokens = 1 + int(rng.bounded(40));
            for (int t = 0; t < tokens; ++t)
                text += alphabet.at(int(rng.bounded(qsizetype(alphabet.size()))));
            const auto parsed = AlertExpression::parse(text);
            if (parsed.ok()) {
                ++accepted;
                for (const RoomMetricValues &values : valueSets)
                    (void)parsed->evaluate(values);
                continue;
            }
            const spidi::Error &error = parsed.error();
            QCOMPARE(error.kind, ErrorKind::Invalid);
            QCOMPARE(error.field, QStringLiteral("expression"));
            const int column = errorColumn(error.message);
            if (column < 1 || column > text.size() + 1)
                QFAIL(
                    qPrintable(QStringLiteral("bad column for '%1': %2").arg(text, error.message)));
        }
        QVERIFY2(accepted > 0, "the soup should contain some valid expressions");

        // Near misses: valid generated expressions with one to three characters deleted,
        // replaced or inserted reach the error paths deep inside the grammar.
        int nearMissesAccepted = 0;
        for (quint32 seed = 1; seed <= 5000; ++seed) {
            ExpressionGenerator generator(seed, busyRoom());
            QString text = generator.boolean(1 + int(seed % 4)).text;
            const int mutations = 1 + int(rng.bounded(3));
            for (int m = 0; m < mutations && !text.isEmpty(); ++m) {
                const qsizetype at = qsizetype(rng.bounded(quint32(text.size())));
                const QString &piece = alphabet.at(int(rng.bounded(qsizetype(alphabet.size()))));
                switch (rng.bounded(3)) {
                case 0:
                    text.remove(at, 1);
                    break;
                case 1:
                    text.replace(at, 1, piece);
                    break;
                default:
                    text.insert(at, piece);
                    break;
                }
            }
            const auto parsed = AlertExpression::parse(text);
            if (parsed.ok()) {
                ++nearMissesAccepted;
                for (const RoomMetricValues &values : valueSets)
                    (void)parsed->evaluate(values);
                continue;
            }
            const int column = errorColumn(parsed.error().message);
            if (column < 1 || column > text.size() + 1)
                QFAIL(qPrintable(
                    QStringLiteral("bad column for '%1': %2").arg(text, parsed.error().message)));
        }
        QVERIFY(nearMissesAccepted > 0);
        QVERIFY(nearMissesAccepted < 5000);
    }

    // Generated well-typed expressions (fixed seed) parse and evaluate exactly like the
    // reference evaluator above, including non-finite values.
    void generatedExpressionsMatchReference()
    {
        const RoomMetricValues valueSets[] = {busyRoom(), quietRoom(), nanRoom(),
                                              RoomMetricValues{}};
        int checked = 0;
        for (quint32 seed = 1; seed <= 2000; ++seed) {
            const RoomMetricValues &values = valueSets[seed % 4];
            ExpressionGenerator generator(seed, values);
            const Generated g = generator.boolean(1 + int(seed % 5));
            const auto parsed = AlertExpression::parse(g.text);
            if (g.text.size() > AlertExpression::MaxLength || g.nodes > AlertExpression::MaxNodes) {
                QVERIFY(!parsed.ok());
                continue;
            }
            QVERIFY2(parsed.ok(), qPrintable(g.text + QStringLiteral(": ") +
                                             (parsed.ok() ? QString() : parsed.error().message)));
            if (parsed->evaluate(values) != (g.value != 0))
                QFAIL(
                    qPrintable(QStringLiteral("'%1' should be %2").arg(g.text).arg(g.value != 0)));
            ++checked;
        }
        QVERIFY(checked > 1500);
    }

    void evaluationIsCheap()
    {
        const auto parsed =
            AlertExpression::parse(QStringLiteral("online > 100 && p95LatencyMs > 300 || "
                                                  "capacityPct >= 90 && !(avgLatencyMs < 10)"));
        QVERIFY(parsed.ok());
        RoomMetricValues values = busyRoom();
        int fired = 0;
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 1'000'000; ++i) {
            values.online = i % 300;
            fired += parsed->evaluate(values) ? 1 : 0;
        }
        // 1M evaluations take a few ms; the bound only catches something pathological.
        QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(fired > 0);
    }
};

QTEST_APPLESS_MAIN(TestAlertExpression)
#include "tst_alert_expression.moc"
