#include "alerts/alert_expression.h"

#include <QByteArray>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

namespace spidi {

namespace {

struct Metric
{
    const char16_t *name;
    double RoomMetricValues::*field;
};

constexpr std::array<Metric, 7> kMetrics{{
    {u"online", &RoomMetricValues::online},
    {u"users", &RoomMetricValues::users},
    {u"peak", &RoomMetricValues::peak},
    {u"capacity", &RoomMetricValues::capacity},
    {u"capacityPct", &RoomMetricValues::capacityPct},
    {u"avgLatencyMs", &RoomMetricValues::avgLatencyMs},
    {u"p95LatencyMs", &RoomMetricValues::p95LatencyMs},
}};

const QString kExample = QStringLiteral("online > 100 && p95LatencyMs > 300");

enum class Op : quint8 {
    Number, // push value
    Metric, // push values.*field
    Not,
    Neg,
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
};

enum class Type : quint8 { Number, Boolean };

} // namespace

// The compiled expression: the AST in postfix order (every node after its operands), so
// evaluation is one pass with a small fixed stack. Booleans are 0.0 and 1.0 on the stack.
struct AlertExpression::Program
{
    struct Node
    {
        Op op;
        double value = 0;                          // Number
        double RoomMetricValues::*field = nullptr; // Metric
    };
    std::vector<Node> nodes;
};

namespace {

using Node = AlertExpression::Program::Node;

QString typeName(Type type)
{
    return type == Type::Number ? QStringLiteral("a number")
                                : QStringLiteral("a condition (true/false)");
}

int editDistance(QStringView a, QStringView b)
{
    // Case-insensitive Levenshtein distance; names are short, two rows are plenty.
    std::vector<int> previous(size_t(b.size()) + 1), current(size_t(b.size()) + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        previous[size_t(j)] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        current[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int substitution = a[i - 1].toLower() == b[j - 1].toLower() ? 0 : 1;
            current[size_t(j)] = std::min({previous[size_t(j)] + 1, current[size_t(j - 1)] + 1,
                                           previous[size_t(j - 1)] + substitution});
        }
        std::swap(previous, current);
    }
    return previous[size_t(b.size())];
}

bool isNameStart(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
}
bool isDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}
bool isNameChar(QChar c)
{
    return isNameStart(c) || isDigit(c);
}
bool isSpace(QChar c)
{
    return c == u' ' || c == u'\t' || c == u'\n' || c == u'\r';
}
// Not part of the language's alphabet at all: non-ASCII and control characters.
bool isForeign(QChar c)
{
    return c.unicode() > 0x7e || (c.unicode() < 0x20 && !isSpace(c));
}

// Echoes a piece of the input in a message, never more than 40 characters of it.
QString shown(QStringView text)
{
    return text.size() > 40 ? text.left(40).toString() + QStringLiteral("...") : text.toString();
}

QString codePoint(char32_t code)
{
    return QStringLiteral("U+%1").arg(uint(code), 4, 16, QLatin1Char('0')).toUpper();
}

enum class Tok : quint8 {
    End,
    Error, // the lexer refused the text here; Token::error says why
    Number,
    Name,
    True,
    False,
    LParen,
    RParen,
    OrOr,
    AndAnd,
    EqEq,
    NotEq,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    Plus,
    Minus,
    Star,
    Slash,
    Bang,
};

struct Token
{
    Tok kind = Tok::End;
    int column = 1; // 1-based
    QStringView text;
    double number = 0;
    QString error; // Tok::Error only, without the "column N: " prefix
};

// Recursive descent with one token of lookahead, lexing on demand so that the error reported is
// always the first one from the left. Recursion only happens through '(' and unary operators,
// both counted by m_depth, so hostile input cannot exhaust the stack; binary operators loop.
class Parser
{
public:
    explicit Parser(QStringView text) : m_text(text) {}

    struct Parsed
    {
        bool ok = false;
        Type type = Type::Boolean;
        int column = 1; // where this operand starts
    };

    std::optional<Error> run(std::vector<Node> &nodes, QStringList &identifiers)
    {
        advance();
        if (m_token.kind == Tok::End)
            return fail(1, QStringLiteral("the expression is empty, e.g. %1").arg(kExample));
        const Parsed root = parseOr();
        if (!root.ok)
            return m_error;
        if (m_token.kind != Tok::End) {
            if (m_token.kind == Tok::RParen)
                return fail(m_token.column, QStringLiteral("unmatched ')'"));
            if (m_token.kind == Tok::Name && isWordOperator(m_token.text))
                return fail(m_token.column, unknownName(m_token.text));
            return failAtToken(QStringLiteral("unexpected %1 after a complete expression; join "
                                              "conditions with && or ||, e.g. %2")
                                   .arg(describe(m_token), kExample));
        }
        if (root.type != Type::Boolean)
            return fail(root.column,
                        QStringLiteral("the expression must be a condition (true/false), "
                                       "e.g. online > 100"));
        nodes = std::move(m_nodes);
        identifiers = std::move(m_identifiers);
        return std::nullopt;
    }

private:
    // --- errors ---------------------------------------------------------------------------

    Error fail(int column, const QString &what)
    {
        if (!m_error)
            m_error =
                makeError(ErrorKind::Invalid, QStringLiteral("column %1: %2").arg(column).arg(what),
                          QStringLiteral("expression"));
        return *m_error;
    }
    // The current token is not what the grammar wants here: when the lexer refused it, its
    // reason is the better message.
    Error failAtToken(const QString &what)
    {
        if (m_token.kind == Tok::Error)
            return fail(m_token.column, m_token.error);
        return fail(m_token.column, what);
    }
    static Parsed failed(const Error &) { return Parsed{}; }

    static QString describe(const Token &token)
    {
        switch (token.kind) {
        case Tok::End:
            return QStringLiteral("end of expression");
        case Tok::Number:
            return QStringLiteral("number '%1'").arg(shown(token.text));
        default:
            return QStringLiteral("'%1'").arg(shown(token.text));
        }
    }

    // --- lexer ----------------------------------------------------------------------------

    void advance() { m_token = lex(); }

    Token lex()
    {
        while (m_pos < m_text.size() && isSpace(m_text[m_pos]))
            ++m_pos;
        Token t;
        t.column = int(m_pos) + 1;
        if (m_pos >= m_text.size()) {
            t.kind = Tok::End;
            return t;
        }
        const qsizetype start = m_pos;
        const QChar c = m_text[m_pos];
        const QChar next = m_pos + 1 < m_text.size() ? m_text[m_pos + 1] : QChar();
        const auto symbol = [&](Tok kind, int length) {
            t.kind = kind;
            t.text = m_text.mid(start, length);
            m_pos += length;
            return t;
        };
        const auto error = [&](const QString &why) {
            t.kind = Tok::Error;
            t.text = m_text.mid(start, 1);
            t.error = why;
            return t;
        };

        if (isDigit(c))
            return lexNumber(t);
        if (isNameStart(c)) {
            while (m_pos < m_text.size() && isNameChar(m_text[m_pos]))
                ++m_pos;
            // "onlïne" or "onl\0ine": the character is the problem, not the name "onl".
            if (m_pos < m_text.size() && isForeign(m_text[m_pos]))
                return lex();
            t.text = m_text.mid(start, m_pos - start);
            t.kind = t.text == u"true" ? Tok::True : t.text == u"false" ? Tok::False : Tok::Name;
            return t;
        }
        switch (c.unicode()) {
        case u'(':
            return symbol(Tok::LParen, 1);
        case u')':
            return symbol(Tok::RParen, 1);
        case u'+':
            return symbol(Tok::Plus, 1);
        case u'-':
            return symbol(Tok::Minus, 1);
        case u'*':
            return symbol(Tok::Star, 1);
        case u'/':
            return symbol(Tok::Slash, 1);
        case u'<':
            return next == u'=' ? symbol(Tok::LessEq, 2) : symbol(Tok::Less, 1);
        case u'>':
            return next == u'=' ? symbol(Tok::GreaterEq, 2) : symbol(Tok::Greater, 1);
        case u'!':
            return next == u'=' ? symbol(Tok::NotEq, 2) : symbol(Tok::Bang, 1);
        case u'=':
            if (next == u'=')
                return symbol(Tok::EqEq, 2);
            return error(QStringLiteral("'=' is not allowed (there is no assignment); to compare, "
                                        "use '==', e.g. online == 5"));
        case u'&':
            if (next == u'&')
                return symbol(Tok::AndAnd, 2);
            return error(QStringLiteral("'&' is not an operator; use '&&', e.g. %1").arg(kExample));
        case u'|':
            if (next == u'|')
                return symbol(Tok::OrOr, 2);
            return error(QStringLiteral("'|' is not an operator; use '||', e.g. online > 100 || "
                                        "p95LatencyMs > 300"));
        case u'"':
        case u'\'':
        case u'`':
            return error(QStringLiteral("text strings are not supported; use numbers, true/false "
                                        "and metric names, e.g. %1")
                             .arg(kExample));
        case u'.':
            if (isDigit(next))
                return error(QStringLiteral("a number must start with a digit, e.g. 0.5"));
            break;
        case u'%':
            return error(QStringLiteral("'%' is not supported; use + - * /, e.g. online * 2 > "
                                        "capacity"));
        case u',':
        case u';':
            return error(QStringLiteral("'%1' is not allowed: a rule is one condition, e.g. %2")
                             .arg(c, kExample));
        default:
            break;
        }
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return error(
                QStringLiteral("control character %1 is not allowed").arg(codePoint(c.unicode())));
        if (c.unicode() > 0x7f) {
            char32_t code = c.unicode();
            if (c.isHighSurrogate() && next.isLowSurrogate())
                code = QChar::surrogateToUcs4(c, next);
            return error(
                QStringLiteral("only ASCII characters are allowed, found %1").arg(codePoint(code)));
        }
        return error(QStringLiteral("unexpected character '%1'").arg(c));
    }

    Token lexNumber(Token &t)
    {
        const qsizetype start = m_pos;
        const auto digits = [&] {
            const qsizetype from = m_pos;
            while (m_pos < m_text.size() && isDigit(m_text[m_pos]))
                ++m_pos;
            return m_pos > from;
        };
        const auto at = [&](qsizetype i) { return i < m_text.size() ? m_text[i] : QChar(); };
        bool wellFormed = digits();
        if (wellFormed && at(m_pos) == u'.') {
            ++m_pos;
            wellFormed = digits();
        }
        if (wellFormed && (at(m_pos) == u'e' || at(m_pos) == u'E')) {
            ++m_pos;
            if (at(m_pos) == u'+' || at(m_pos) == u'-')
                ++m_pos;
            wellFormed = digits();
        }
        // A number runs into a name or another '.' (1.2.3, 12abc, 0x1F): one malformed token.
        if (!wellFormed || isNameChar(at(m_pos)) || at(m_pos) == u'.') {
            while (m_pos < m_text.size() && (isNameChar(m_text[m_pos]) || m_text[m_pos] == u'.'))
                ++m_pos;
            t.kind = Tok::Error;
            t.text = m_text.mid(start, m_pos - start);
            t.error =
                QStringLiteral("malformed number '%1', e.g. 12, 0.5 or 1e3").arg(shown(t.text));
            return t;
        }
        t.text = m_text.mid(start, m_pos - start);
        const QByteArray latin = t.text.toLatin1();
        double value = 0;
        const auto [end, ec] = std::from_chars(latin.constData(), latin.constData() + latin.size(),
                                               value, std::chars_format::general);
        if (ec != std::errc() || end != latin.constData() + latin.size() || !std::isfinite(value) ||
            std::fabs(value) > AlertExpression::MaxMagnitude) {
            // from_chars reports underflow (1e-400) as out of range too; say which end it is.
            const bool tiny =
                ec == std::errc::result_out_of_range &&
                (latin.contains("e-") || latin.contains("E-") || latin.startsWith("0."));
            t.kind = Tok::Error;
            t.error = QStringLiteral("number out of range '%1': %2")
                          .arg(shown(t.text),
                               tiny ? QStringLiteral("too close to zero to represent, e.g. 0.001")
                                    : QStringLiteral("numbers must be at most 1e15 in size, "
                                                     "e.g. 1e15"));
            return t;
        }
        t.kind = Tok::Number;
        t.number = value;
        return t;
    }

    // --- nodes and limits -----------------------------------------------------------------

    // Counted when the operand or operator is read, so the error points at the 257th of them.
    bool countNode(int column)
    {
        if (++m_nodeCount > AlertExpression::MaxNodes) {
            fail(column, QStringLiteral("the expression is too large (at most %1 numbers, names "
                                        "and operators)")
                             .arg(AlertExpression::MaxNodes));
            return false;
        }
        return true;
    }
    bool enter(int column)
    {
        if (++m_depth > AlertExpression::MaxDepth) {
            fail(column, QStringLiteral("the expression is nested too deeply (at most %1 levels of "
                                        "parentheses and unary operators)")
                             .arg(AlertExpression::MaxDepth));
            return false;
        }
        return true;
    }
    void leave() { --m_depth; }

    // --- grammar --------------------------------------------------------------------------

    static std::optional<Op> binaryOp(Tok kind)
    {
        switch (kind) {
        case Tok::OrOr:
            return Op::Or;
        case Tok::AndAnd:
            return Op::And;
        case Tok::EqEq:
            return Op::Eq;
        case Tok::NotEq:
            return Op::Ne;
        case Tok::Less:
            return Op::Lt;
        case Tok::LessEq:
            return Op::Le;
        case Tok::Greater:
            return Op::Gt;
        case Tok::GreaterEq:
            return Op::Ge;
        case Tok::Plus:
            return Op::Add;
        case Tok::Minus:
            return Op::Sub;
        case Tok::Star:
            return Op::Mul;
        case Tok::Slash:
            return Op::Div;
        default:
            return std::nullopt;
        }
    }

    enum class Level { Or, And, Equality, Ordering, Sum, Product };

    static bool atLevel(Level level, Op op)
    {
        switch (level) {
        case Level::Or:
            return op == Op::Or;
        case Level::And:
            return op == Op::And;
        case Level::Equality:
            return op == Op::Eq || op == Op::Ne;
        case Level::Ordering:
            return op == Op::Lt || op == Op::Le || op == Op::Gt || op == Op::Ge;
        case Level::Sum:
            return op == Op::Add || op == Op::Sub;
        case Level::Product:
            return op == Op::Mul || op == Op::Div;
        }
        return false;
    }

    Parsed parseOr() { return parseLevel(Level::Or); }

    Parsed parseNext(Level level)
    {
        switch (level) {
        case Level::Or:
            return parseLevel(Level::And);
        case Level::And:
            return parseLevel(Level::Equality);
        case Level::Equality:
            return parseLevel(Level::Ordering);
        case Level::Ordering:
            return parseLevel(Level::Sum);
        case Level::Sum:
            return parseLevel(Level::Product);
        case Level::Product:
            return parseUnary();
        }
        return Parsed{};
    }

    // One precedence level: operand { op operand }. Only the levels below recurse (at most six
    // frames deep), the operands of one level loop.
    Parsed parseLevel(Level level)
    {
        Parsed left = parseNext(level);
        if (!left.ok)
            return left;
        const bool chainable = level != Level::Equality && level != Level::Ordering;
        bool first = true;
        for (;;) {
            const std::optional<Op> op = binaryOp(m_token.kind);
            if (!op || !atLevel(level, *op))
                return left;
            const Token opToken = m_token;
            if (!first && !chainable)
                return failed(
                    fail(opToken.column,
                         QStringLiteral("comparisons cannot be chained; combine them "
                                        "with && or ||, e.g. 10 < online && online < 20")));
            first = false;
            const QString opText = opToken.text.toString();
            const bool logical = level == Level::Or || level == Level::And;
            if (level != Level::Equality) {
                const Type wanted = logical ? Type::Boolean : Type::Number;
                if (left.type != wanted)
                    return failed(fail(
                        left.column, sideError(QStringLiteral("left"), opText, wanted, left.type)));
            }
            if (!countNode(opToken.column))
                return Parsed{};
            advance();
            const Parsed right = parseNext(level);
            if (!right.ok)
                return right;
            if (level == Level::Equality) {
                if (right.type != left.type)
                    return failed(fail(
                        right.column,
                        QStringLiteral("'%1' compares two values of the same type, but the left "
                                       "side is %2 and the right side is %3, e.g. online == 5")
                            .arg(opText, typeName(left.type), typeName(right.type))));
            } else {
                const Type wanted = logical ? Type::Boolean : Type::Number;
                if (right.type != wanted)
                    return failed(fail(right.column, sideError(QStringLiteral("right"), opText,
                                                               wanted, right.type)));
            }
            m_nodes.push_back(Node{*op});
            const bool arithmetic = level == Level::Sum || level == Level::Product;
            left = Parsed{true, arithmetic ? Type::Number : Type::Boolean, left.column};
        }
    }

    static QString sideError(const QString &side, const QString &op, Type wanted, Type got)
    {
        const QString example =
            wanted == Type::Boolean ? kExample : QStringLiteral("online * 2 > capacity");
        return QStringLiteral("the %1 side of '%2' must be %3, not %4, e.g. %5")
            .arg(side, op, typeName(wanted), typeName(got), example);
    }

    Parsed parseUnary()
    {
        if (m_token.kind != Tok::Bang && m_token.kind != Tok::Minus)
            return parsePrimary();
        const Token opToken = m_token;
        const bool isNot = opToken.kind == Tok::Bang;
        if (!enter(opToken.column) || !countNode(opToken.column))
            return Parsed{};
        advance();
        const Parsed operand = parseUnary();
        leave();
        if (!operand.ok)
            return operand;
        const Type wanted = isNot ? Type::Boolean : Type::Number;
        if (operand.type != wanted)
            return failed(fail(operand.column,
                               QStringLiteral("'%1' applies to %2, not %3, e.g. %4")
                                   .arg(opToken.text, typeName(wanted), typeName(operand.type),
                                        isNot ? QStringLiteral("!(online > 100)")
                                              : QStringLiteral("-online < 0"))));
        m_nodes.push_back(Node{isNot ? Op::Not : Op::Neg});
        return Parsed{true, wanted, opToken.column};
    }

    Parsed parsePrimary()
    {
        const Token t = m_token;
        switch (t.kind) {
        case Tok::Number:
            if (!countNode(t.column))
                return Parsed{};
            m_nodes.push_back(Node{Op::Number, t.number});
            advance();
            return Parsed{true, Type::Number, t.column};
        case Tok::True:
        case Tok::False:
            if (!countNode(t.column))
                return Parsed{};
            m_nodes.push_back(Node{Op::Number, t.kind == Tok::True ? 1.0 : 0.0});
            advance();
            return Parsed{true, Type::Boolean, t.column};
        case Tok::Name:
            return parseName(t);
        case Tok::LParen: {
            if (!enter(t.column))
                return Parsed{};
            advance();
            const Parsed inner = parseOr();
            leave();
            if (!inner.ok)
                return inner;
            if (m_token.kind != Tok::RParen)
                return failed(failAtToken(QStringLiteral("missing ')' to close the '(' at column "
                                                         "%1, found %2")
                                              .arg(t.column)
                                              .arg(describe(m_token))));
            advance();
            return Parsed{true, inner.type, t.column};
        }
        case Tok::End:
            return failed(fail(t.column, QStringLiteral("the expression ends too early: expected "
                                                        "a number, a metric name or '(', e.g. %1")
                                             .arg(kExample)));
        default:
            return failed(failAtToken(QStringLiteral("expected a number, a metric name or '(', "
                                                     "found %1, e.g. %2")
                                          .arg(describe(t), kExample)));
        }
    }

    Parsed parseName(const Token &t)
    {
        qsizetype after = m_pos;
        while (after < m_text.size() && isSpace(m_text[after]))
            ++after;
        if (after < m_text.size() && m_text[after] == u'(')
            return failed(fail(t.column, QStringLiteral("function calls are not supported "
                                                        "('%1(...)'); use operators, e.g. %2")
                                             .arg(shown(t.text), kExample)));
        const auto it = std::find_if(kMetrics.begin(), kMetrics.end(), [&](const Metric &m) {
            return t.text == QStringView(m.name);
        });
        if (it == kMetrics.end())
            return failed(fail(t.column, unknownName(t.text)));
        if (!countNode(t.column))
            return Parsed{};
        m_nodes.push_back(Node{Op::Metric, 0, it->field});
        const QString name = QString::fromUtf16(it->name);
        if (!m_identifiers.contains(name))
            m_identifiers.append(name);
        advance();
        return Parsed{true, Type::Number, t.column};
    }

    static bool isWordOperator(QStringView name)
    {
        return name.compare(u"and", Qt::CaseInsensitive) == 0 ||
               name.compare(u"or", Qt::CaseInsensitive) == 0 ||
               name.compare(u"not", Qt::CaseInsensitive) == 0;
    }

    static QString unknownName(QStringView name)
    {
        const QString known = AlertExpression::knownIdentifiers().join(QStringLiteral(", "));
        if (name.compare(u"and", Qt::CaseInsensitive) == 0)
            return QStringLiteral("'%1' is not an operator; use '&&', e.g. %2").arg(name, kExample);
        if (name.compare(u"or", Qt::CaseInsensitive) == 0)
            return QStringLiteral("'%1' is not an operator; use '||'").arg(name);
        if (name.compare(u"not", Qt::CaseInsensitive) == 0)
            return QStringLiteral("'%1' is not an operator; use '!', e.g. !(online > 100)")
                .arg(name);
        QString best;
        int bestDistance = 3;
        QStringList candidates = AlertExpression::knownIdentifiers();
        candidates << QStringLiteral("true") << QStringLiteral("false");
        for (const QString &candidate : std::as_const(candidates)) {
            const int distance = editDistance(name, candidate);
            if (distance < bestDistance) {
                bestDistance = distance;
                best = candidate;
            }
        }
        if (!best.isEmpty())
            return QStringLiteral("unknown name '%1', did you mean '%2'? known: %3")
                .arg(shown(name), best, known);
        return QStringLiteral("unknown name '%1'; known: %2").arg(shown(name), known);
    }

    QStringView m_text;
    qsizetype m_pos = 0;
    Token m_token;
    int m_depth = 0;
    int m_nodeCount = 0;
    std::vector<Node> m_nodes;
    QStringList m_identifiers;
    std::optional<Error> m_error;
};

inline bool finite2(double a, double b)
{
    return std::isfinite(a) && std::isfinite(b);
}

} // namespace

Result<AlertExpression> AlertExpression::parse(const QString &text)
{
    if (text.size() > MaxLength)
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("column %1: the expression is too long (%2 characters, at "
                                        "most %3)")
                             .arg(MaxLength + 1)
                             .arg(text.size())
                             .arg(MaxLength),
                         QStringLiteral("expression"));
    auto program = std::make_shared<Program>();
    QStringList identifiers;
    Parser parser(text);
    if (std::optional<Error> error = parser.run(program->nodes, identifiers))
        return *std::move(error);
    program->nodes.shrink_to_fit();
    AlertExpression expression;
    expression.m_text = text;
    expression.m_identifiers = std::move(identifiers);
    expression.m_program = std::move(program);
    return expression;
}

bool AlertExpression::evaluate(const RoomMetricValues &values) const
{
    if (!m_program)
        return false;
    // The program is postfix and type-checked, so the stack never underflows, and it holds at
    // most MaxNodes values.
    std::array<double, MaxNodes> stack;
    size_t top = 0; // number of values on the stack
    for (const Program::Node &node : m_program->nodes) {
        switch (node.op) {
        case Op::Number:
            stack[top++] = node.value;
            continue;
        case Op::Metric:
            stack[top++] = values.*node.field;
            continue;
        case Op::Not:
            stack[top - 1] = stack[top - 1] != 0 ? 0.0 : 1.0;
            continue;
        case Op::Neg:
            stack[top - 1] = -stack[top - 1];
            continue;
        default:
            break;
        }
        const double b = stack[--top];
        const double a = stack[top - 1];
        double r = 0;
        switch (node.op) {
        case Op::Or:
            r = (a != 0 || b != 0) ? 1.0 : 0.0;
            break;
        case Op::And:
            r = (a != 0 && b != 0) ? 1.0 : 0.0;
            break;
        case Op::Eq:
            r = finite2(a, b) && a == b ? 1.0 : 0.0;
            break;
        case Op::Ne:
            r = finite2(a, b) && a != b ? 1.0 : 0.0;
            break;
        case Op::Lt:
            r = finite2(a, b) && a < b ? 1.0 : 0.0;
            break;
        case Op::Le:
            r = finite2(a, b) && a <= b ? 1.0 : 0.0;
            break;
        case Op::Gt:
            r = finite2(a, b) && a > b ? 1.0 : 0.0;
            break;
        case Op::Ge:
            r = finite2(a, b) && a >= b ? 1.0 : 0.0;
            break;
        case Op::Add:
            r = a + b;
            break;
        case Op::Sub:
            r = a - b;
            break;
        case Op::Mul:
            r = a * b;
            break;
        case Op::Div:
            r = a / b; // x/0 is ±inf or NaN: every comparison with it is false
            break;
        case Op::Number:
        case Op::Metric:
        case Op::Not:
        case Op::Neg:
            break;
        }
        stack[top - 1] = r;
    }
    return top == 1 && stack[0] != 0;
}

QStringList AlertExpression::knownIdentifiers()
{
    QStringList names;
    for (const Metric &m : kMetrics)
        names.append(QString::fromUtf16(m.name));
    return names;
}

double AlertExpression::metricValue(const RoomMetricValues &values, QStringView name)
{
    for (const Metric &m : kMetrics) {
        if (name == QStringView(m.name))
            return values.*m.field;
    }
    return std::numeric_limits<double>::quiet_NaN();
}

} // namespace spidi
