#pragma once

#include <QList>
#include <QObject>
#include <QRect>

namespace spidi::desktop {

// UI preferences remembered in QSettings("Spidi", "spidi-desktop"): the theme and the main
// window's geometry (its normal position and size, and whether it was maximised).
class Preferences : public QObject
{
    Q_OBJECT
    Q_PROPERTY(bool darkTheme READ darkTheme WRITE setDarkTheme NOTIFY darkThemeChanged)
    // The window's last normal (not maximised) geometry; invalid before the first save.
    Q_PROPERTY(QRect windowGeometry READ windowGeometry NOTIFY windowGeometryChanged)
    Q_PROPERTY(bool windowMaximized READ windowMaximized WRITE setWindowMaximized NOTIFY
                   windowGeometryChanged)

public:
    explicit Preferences(QObject *parent = nullptr);

    bool darkTheme() const { return m_darkTheme; }
    void setDarkTheme(bool dark);
    QRect windowGeometry() const { return m_windowGeometry; }
    bool windowMaximized() const { return m_windowMaximized; }
    void setWindowMaximized(bool maximized);

    // Remembers the window's normal geometry (ignored when empty).
    Q_INVOKABLE void saveWindowGeometry(int x, int y, int width, int height);
    // The geometry to open the window with: the remembered one fitted to today's screens
    // (fitToScreens), or an invalid QRect when there is none (the window keeps its default).
    Q_INVOKABLE QRect restoredGeometry() const;

    // `saved` made usable on `screens` (their available geometries, the primary first): its
    // size capped to the screen it is on, and moved onto the primary screen (centred) when
    // too little of it is on any screen to grab it (a monitor since unplugged).
    static QRect fitToScreens(const QRect &saved, const QList<QRect> &screens);

Q_SIGNALS:
    void darkThemeChanged();
    void windowGeometryChanged();

private:
    bool m_darkTheme = true;
    QRect m_windowGeometry;
    bool m_windowMaximized = false;
};

} // namespace spidi::desktop
