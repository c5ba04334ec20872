#include "duration.h"

#include <limits>

namespace spidi {

Result<qint64> parseDurationSeconds(QStringView text)
{
    const QStringView trimmed = text.trimmed();
    const auto invalid = [&] {
        return makeError(
            ErrorKind::Invalid,
            QStringLiteral("invalid duration '%1' (expected e.g. 90, 90s, 15m, 24h, 7d)")
                .arg(trimmed));
    };
    if (trimmed.isEmpty())
        return invalid();

    qint64 unit = 1;
    QStringView digits = trimmed;
    if (const QChar last = trimmed.back(); !last.isDigit()) {
        switch (last.unicode()) {
        case u's':
            unit = 1;
            break;
        case u'm':
            unit = 60;
            break;
        case u'h':
            unit = 3600;
            break;
        case u'd':
            unit = 86400;
            break;
        default:
            return invalid();
        }
        digits.chop(1);
    }
    // toLongLong would accept a sign and surrounding spaces; only plain digits are a duration.
    if (digits.isEmpty())
        return invalid();
    for (const QChar c : digits) {
        if (c < u'0' || c > u'9')
            return invalid();
    }
    bool ok = false;
    const qint64 value = digits.toLongLong(&ok);
    if (!ok || value > std::numeric_limits<qint64>::max() / unit)
        return invalid();
    return value * unit;
}

} // namespace spidi
