#pragma once

#include <QStandardPaths>
#include <QString>
#include <QUrl>

namespace spidi::desktop::exportPaths {

// <folder>/<stem>-<yyyyMMdd-HHmm>.<extension>: the user's `location` folder (Pictures for
// images, Documents for tables), or the home folder when it has none; `stem` with anything
// but letters, digits, '.', '_' and '-' replaced by '-'.
QUrl suggestedFile(QStandardPaths::StandardLocation location, const QString &stem,
                   const QString &extension);

// The folder part of suggestedFile (for a save dialog's currentFolder).
QString folderFor(QStandardPaths::StandardLocation location);

} // namespace spidi::desktop::exportPaths
