#pragma once

#include <QObject>

namespace spidi::desktop {

// UI preferences remembered in QSettings("Spidi", "spidi-desktop"): the theme for now.
class Preferences : public QObject
{
    Q_OBJECT
    Q_PROPERTY(bool darkTheme READ darkTheme WRITE setDarkTheme NOTIFY darkThemeChanged)

public:
    explicit Preferences(QObject *parent = nullptr);

    bool darkTheme() const { return m_darkTheme; }
    void setDarkTheme(bool dark);

Q_SIGNALS:
    void darkThemeChanged();

private:
    bool m_darkTheme = true;
};

} // namespace spidi::desktop
