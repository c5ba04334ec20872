#include "preferences.h"

#include <QGuiApplication>
#include <QScreen>
#include <QSettings>

#include <algorithm>

namespace spidi::desktop {

namespace {
const QString kDarkTheme = QStringLiteral("ui/darkTheme");
const QString kWindowGeometry = QStringLiteral("ui/windowGeometry");
const QString kWindowMaximized = QStringLiteral("ui/windowMaximized");
// How much of the window must be on a screen for it to stay where it was.
constexpr int kMinVisible = 100;
} // namespace

Preferences::Preferences(QObject *parent) : QObject(parent)
{
    const QSettings s(QStringLiteral("Spidi"), QStringLiteral("spidi-desktop"));
    m_darkTheme = s.value(kDarkTheme, true).toBool();
    m_windowGeometry = s.value(kWindowGeometry).toRect();
    m_windowMaximized = s.value(kWindowMaximized, false).toBool();
}

void Preferences::setDarkTheme(bool dark)
{
    if (m_darkTheme == dark)
        return;
    m_darkTheme = dark;
    QSettings(QStringLiteral("Spidi"), QStringLiteral("spidi-desktop")).setValue(kDarkTheme, dark);
    Q_EMIT darkThemeChanged();
}

void Preferences::setWindowMaximized(bool maximized)
{
    if (m_windowMaximized == maximized)
        return;
    m_windowMaximized = maximized;
    QSettings(QStringLiteral("Spidi"), QStringLiteral("spidi-desktop"))
        .setValue(kWindowMaximized, maximized);
    Q_EMIT windowGeometryChanged();
}

void Preferences::saveWindowGeometry(int x, int y, int width, int height)
{
    const QRect geometry(x, y, width, height);
    if (geometry.isEmpty() || geometry == m_windowGeometry)
        return;
    m_windowGeometry = geometry;
    QSettings(QStringLiteral("Spidi"), QStringLiteral("spidi-desktop"))
        .setValue(kWindowGeometry, geometry);
    Q_EMIT windowGeometryChanged();
}

QRect Preferences::restoredGeometry() const
{
    if (!m_windowGeometry.isValid())
        return {};
    QList<QRect> screens;
    if (auto *app = qobject_cast<QGuiApplication *>(QCoreApplication::instance())) {
        if (QScreen *primary = app->primaryScreen())
            screens.append(primary->availableGeometry());
        for (QScreen *screen : QGuiApplication::screens()) {
            if (screen != app->primaryScreen())
                screens.append(screen->availableGeometry());
        }
    }
    return fitToScreens(m_windowGeometry, screens);
}

QRect Preferences::fitToScreens(const QRect &saved, const QList<QRect> &screens)
{
    if (!saved.isValid() || screens.isEmpty())
        return saved;
    // The screen holding most of the window.
    const QRect *best = nullptr;
    qint64 bestArea = 0;
    for (const QRect &screen : screens) {
        const QRect common = screen.intersected(saved);
        const qint64 area = qint64(common.width()) * common.height();
        if (area > bestArea) {
            bestArea = area;
            best = &screen;
        }
    }
    const QRect common = best ? best->intersected(saved) : QRect();
    if (!best || common.width() < std::min(kMinVisible, saved.width()) ||
        common.height() < std::min(kMinVisible, saved.height())) {
        const QRect &primary = screens.constFirst();
        QRect moved(QPoint(), saved.size().boundedTo(primary.size()));
        moved.moveCenter(primary.center());
        return moved;
    }
    QRect fitted(saved.topLeft(), saved.size().boundedTo(best->size()));
    // Keep it inside the screen once shrunk (the title bar within reach).
    if (fitted.right() > best->right())
        fitted.moveRight(best->right());
    if (fitted.bottom() > best->bottom())
        fitted.moveBottom(best->bottom());
    if (fitted.left() < best->left())
        fitted.moveLeft(best->left());
    if (fitted.top() < best->top())
        fitted.moveTop(best->top());
    return fitted;
}

} // namespace spidi::desktop
