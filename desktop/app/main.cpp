// spidi-desktop: the monitoring console (docs/desktop.md). Everything lives in the QML module
// Spidi.Ui and the libraries behind it; this only sets up the application and loads Main.qml.
#include "app/console_engine.h"
#include "app/launch_options.h"
#include "services/app_info.h"
#include "services/desktop_logging.h"

#include <QApplication>
#include <QQuickStyle>
#include <QtQml/QQmlExtensionPlugin>

Q_IMPORT_QML_PLUGIN(Spidi_UiPlugin)

using namespace spidi::desktop;

int main(int argc, char *argv[])
{
    // Qt Charts' QML types need a QApplication.
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Spidi"));
    QApplication::setApplicationName(QStringLiteral("spidi-desktop"));
    QApplication::setApplicationVersion(QStringLiteral(SPIDI_VERSION));
    QApplication::setApplicationDisplayName(QStringLiteral("Spidi"));
    // The installed menu entry (desktop/data): Wayland's app id, the icon the shell shows.
    QApplication::setDesktopFileName(QStringLiteral("org.spidi.Desktop"));
    QApplication::setWindowIcon(AppInfo::icon()); // X11 and the tray, where no entry is read

    const LaunchOptions options = LaunchOptions::parse(QApplication::arguments());
    if (options.exitRequested())
        return options.report();

    QQuickStyle::setStyle(QStringLiteral("Material"));
    ConsoleEngine engine;
    if (!engine.loadMain(options))
        return 1;
    options.armTestHooks(engine);

    const int rc = QApplication::exec();
    qCInfo(lcDesktop).noquote() << "app.exit"
                                << "code=" + QString::number(rc)
                                << "qml_warnings=" + QString::number(engine.warningCount());
    return rc;
}
