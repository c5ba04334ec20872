#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <QVariantList>
#include <QVariantMap>

namespace spidi::desktop {

// Helpers shared by the room and rule editors (docs/desktop.md#editors).

// A JSON value in words for a conflict dialog: strings as they are, arrays joined with ", ",
// objects as "key=value" pairs, null and absent as "—".
QString jsonToText(const QJsonValue &value);

// The fields (in the order given) whose values differ between `mine` (the editor's) and
// `theirs` (the server's current object): one {field, mine, theirs} map per difference, the
// values in words (jsonToText). A field absent on one side counts as null.
QVariantList diffFields(const QJsonObject &mine, const QJsonObject &theirs,
                        const QStringList &fields);

// A server problem ({status, title, detail, field}) in words: "detail" or "title: detail".
QString problemText(const QVariantMap &problem);

// The editor field a problem's `field` belongs to: "attributes.floor" → "attributes",
// "channels[1].url" → "channels", "scope.roomId" → "scope"; others unchanged.
QString fieldKey(const QString &problemField);

} // namespace spidi::desktop
