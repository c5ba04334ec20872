#include "app/console_engine.h"

#include "app/launch_options.h"
#include "services/desktop_logging.h"

#include <QCoreApplication>
#include <QQmlError>
#include <QQuickWindow>

namespace spidi::desktop {

ConsoleEngine::ConsoleEngine(QObject *parent) : QQmlApplicationEngine(parent)
{
    // Where qt_add_qml_module puts Spidi.Ui (RESOURCE_PREFIX /qt/qml); a default from Qt 6.5.
    addImportPath(QStringLiteral("qrc:/qt/qml"));
    setOutputWarningsToStandardError(false);
    connect(this, &QQmlEngine::warnings, this, [this](const QList<QQmlError> &warnings) {
        for (const QQmlError &w : warnings) {
            ++m_warnings;
            qCWarning(lcDesktop).noquote() << "qml.warning" << w.toString();
        }
    });
    connect(
        this, &QQmlApplicationEngine::objectCreationFailed, this, [] { QCoreApplication::exit(1); },
        Qt::QueuedConnection);
}

bool ConsoleEngine::loadMain(const LaunchOptions &options)
{
    options.applyTo(*this);
    // loadFromModule() arrives with Qt 6.5; 6.4 loads the file by its resource URL.
    load(QUrl(QStringLiteral("qrc:/qt/qml/Spidi/Ui/Main.qml")));
    return !rootObjects().isEmpty();
}

QQuickWindow *ConsoleEngine::mainWindow() const
{
    const QList<QObject *> roots = rootObjects();
    return roots.isEmpty() ? nullptr : qobject_cast<QQuickWindow *>(roots.constFirst());
}

} // namespace spidi::desktop
