#include "editor_support.h"

#include <QJsonArray>

namespace spidi::desktop {

QString jsonToText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return QStringLiteral("—");
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
    case QJsonValue::Double:
        return QString::number(value.toDouble(), 'g', 15);
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Array: {
        QStringList parts;
        for (const QJsonValue &item : value.toArray())
            parts.append(jsonToText(item));
        return parts.isEmpty() ? QStringLiteral("—") : parts.join(QStringLiteral(", "));
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        QStringList parts;
        for (auto it = object.constBegin(); it != object.constEnd(); ++it)
            parts.append(it.key() + QLatin1Char('=') + jsonToText(it.value()));
        return parts.isEmpty() ? QStringLiteral("—") : parts.join(QStringLiteral(", "));
    }
    }
    return {};
}

QVariantList diffFields(const QJsonObject &mine, const QJsonObject &theirs,
                        const QStringList &fields)
{
    QVariantList diff;
    for (const QString &field : fields) {
        QJsonValue a = mine.value(field);
        QJsonValue b = theirs.value(field);
        if (a.isUndefined())
            a = QJsonValue(QJsonValue::Null);
        if (b.isUndefined())
            b = QJsonValue(QJsonValue::Null);
        if (a == b)
            continue;
        diff.append(QVariantMap{{QStringLiteral("field"), field},
                                {QStringLiteral("mine"), jsonToText(a)},
                                {QStringLiteral("theirs"), jsonToText(b)}});
    }
    return diff;
}

QString problemText(const QVariantMap &problem)
{
    const QString title = problem.value(QStringLiteral("title")).toString();
    const QString detail = problem.value(QStringLiteral("detail")).toString();
    if (detail.isEmpty() || detail == title)
        return title;
    if (problem.value(QStringLiteral("status")).toInt() == 0)
        return title + QStringLiteral(": ") + detail;
    return detail;
}

QString fieldKey(const QString &problemField)
{
    qsizetype end = problemField.size();
    for (const QChar c : {QLatin1Char('.'), QLatin1Char('[')}) {
        const qsizetype at = problemField.indexOf(c);
        if (at > 0 && at < end)
            end = at;
    }
    return problemField.left(end);
}

} // namespace spidi::desktop
