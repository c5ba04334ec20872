#pragma once

#include <QQmlApplicationEngine>

class QQuickWindow;

namespace spidi::desktop {

class LaunchOptions;

// The QML engine of spidi-desktop: finds the Spidi.Ui module where qt_add_qml_module put it,
// logs every QML warning as "qml.warning" and counts them (the smoke test expects none), and
// quits with 1 if Main.qml cannot be created.
class ConsoleEngine : public QQmlApplicationEngine
{
    Q_OBJECT

public:
    explicit ConsoleEngine(QObject *parent = nullptr);

    // Loads Main.qml with the command line's server and token; false if it failed.
    bool loadMain(const LaunchOptions &options);
    int warningCount() const { return m_warnings; }
    // The main window (Main.qml's ApplicationWindow), null before loadMain() succeeded; for the
    // --grab hook, the smoke test and the desktop benchmark.
    QQuickWindow *mainWindow() const;

private:
    int m_warnings = 0;
};

} // namespace spidi::desktop
