// Preferences: the theme and the window geometry remembered across instances (a temporary
// XDG_CONFIG_HOME, never the user's settings), and fitting a remembered geometry to the
// screens there are now.
#include "services/preferences.h"

#include <QFile>
#include <QGuiApplication>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace spidi::desktop;

class TestPreferences : public QObject
{
    Q_OBJECT

    QTemporaryDir m_config;

    QString settingsFile() const
    {
        return m_config.filePath(QStringLiteral("Spidi/spidi-desktop.conf"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_config.isValid());
        // Before the first QSettings: it reads where the configuration lives once.
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_config.path()));
    }

    void defaultsWithoutSettings()
    {
        const Preferences prefs;
        QVERIFY(prefs.darkTheme());
        QVERIFY(!prefs.windowGeometry().isValid());
        QVERIFY(!prefs.windowMaximized());
        QVERIFY(!prefs.restoredGeometry().isValid());
    }

    void themeAndGeometryRemembered()
    {
        {
            Preferences prefs;
            QSignalSpy changed(&prefs, &Preferences::windowGeometryChanged);
            prefs.setDarkTheme(false);
            prefs.saveWindowGeometry(40, 30, 700, 500);
            prefs.setWindowMaximized(true);
            QCOMPARE(changed.count(), 2);
            // Unchanged or empty geometries are not saved.
            prefs.saveWindowGeometry(40, 30, 700, 500);
            prefs.saveWindowGeometry(0, 0, 0, 0);
            QCOMPARE(changed.count(), 2);
            QCOMPARE(prefs.windowGeometry(), QRect(40, 30, 700, 500));
        }
        QVERIFY2(QFile::exists(settingsFile()), qPrintable(settingsFile()));
        const Preferences again;
        QVERIFY(!again.darkTheme());
        QCOMPARE(again.windowGeometry(), QRect(40, 30, 700, 500));
        QVERIFY(again.windowMaximized());
        // The offscreen screen (800x600) holds it as it was.
        QCOMPARE(again.restoredGeometry(), QRect(40, 30, 700, 500));

        Preferences third;
        third.setWindowMaximized(false);
        third.saveWindowGeometry(10, 20, 5000, 4000); // larger than the screen
        const Preferences fourth;
        QVERIFY(!fourth.windowMaximized());
        QCOMPARE(fourth.windowGeometry(), QRect(10, 20, 5000, 4000));
        const QRect screen = QGuiApplication::primaryScreen()->availableGeometry();
        QCOMPARE(fourth.restoredGeometry(), screen);
    }

    void fitToScreens()
    {
        const QRect primary(0, 0, 1920, 1080);
        const QRect right(1920, 0, 1280, 1024);
        const QList<QRect> both{primary, right};

        // On a screen: unchanged.
        QCOMPARE(Preferences::fitToScreens(QRect(100, 80, 1200, 800), both),
                 QRect(100, 80, 1200, 800));
        QCOMPARE(Preferences::fitToScreens(QRect(2000, 50, 1000, 700), both),
                 QRect(2000, 50, 1000, 700));
        // Mostly off the edge but on the screen: moved inside it.
        QCOMPARE(Preferences::fitToScreens(QRect(-900, 100, 1000, 700), {primary}),
                 QRect(0, 100, 1000, 700));
        // On a monitor since unplugged: centred on the primary screen.
        QCOMPARE(Preferences::fitToScreens(QRect(2000, 50, 1000, 700), {primary}),
                 QRect(460, 190, 1000, 700));
        // Only a sliver visible: moved too.
        QCOMPARE(Preferences::fitToScreens(QRect(1900, 50, 1000, 700), {primary}),
                 QRect(460, 190, 1000, 700));
        // Larger than its screen: capped to it and moved inside.
        QCOMPARE(Preferences::fitToScreens(QRect(1950, 10, 1600, 1200), both), right);
        // Nothing remembered, or no screens known: as given.
        QVERIFY(!Preferences::fitToScreens(QRect(), both).isValid());
        QCOMPARE(Preferences::fitToScreens(QRect(1, 2, 3, 4), {}), QRect(1, 2, 3, 4));
    }
};

QTEST_MAIN(TestPreferences)
#include "tst_preferences.moc"
