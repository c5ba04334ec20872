#include "preferences.h"

#include <QSettings>

namespace spidi::desktop {

namespace {
const QString kDarkTheme = QStringLiteral("ui/darkTheme");
}

Preferences::Preferences(QObject *parent) : QObject(parent)
{
    QSettings settings(QStringLiteral("Spidi"), QStringLiteral("spidi-desktop"));
    m_darkTheme = settings.value(kDarkTheme, true).toBool();
}

void Preferences::setDarkTheme(bool dark)
{
    if (m_darkTheme == dark)
        return;
    m_darkTheme = dark;
    QSettings(QStringLiteral("Spidi"), QStringLiteral("spidi-desktop")).setValue(kDarkTheme, dark);
    Q_EMIT darkThemeChanged();
}

} // namespace spidi::desktop
