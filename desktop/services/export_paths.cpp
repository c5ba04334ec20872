#include "services/export_paths.h"

#include <QDateTime>
#include <QDir>
#include <QRegularExpression>

namespace spidi::desktop::exportPaths {

QString folderFor(QStandardPaths::StandardLocation location)
{
    const QString folder = QStandardPaths::writableLocation(location);
    // XDG may name a folder that was never created (a minimal session): fall back to home.
    return !folder.isEmpty() && QDir(folder).exists() ? folder : QDir::homePath();
}

QUrl suggestedFile(QStandardPaths::StandardLocation location, const QString &stem,
                   const QString &extension)
{
    static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9._-]+"));
    QString name = stem;
    name.replace(unsafe, QStringLiteral("-"));
    if (name.isEmpty())
        name = QStringLiteral("spidi");
    name += QLatin1Char('-') +
            QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmm")) +
            QLatin1Char('.') + extension;
    return QUrl::fromLocalFile(QDir(folderFor(location)).filePath(name));
}

} // namespace spidi::desktop::exportPaths
