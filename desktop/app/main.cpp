// spidi-desktop: the monitoring console (docs/desktop.md). Everything lives in the QML module
// Spidi.Ui and the library behind it; this only parses the command line and loads Main.qml.
#include "services/desktop_logging.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QQmlApplicationEngine>
#include <QQmlError>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTimer>
#include <QtQml/QQmlExtensionPlugin>

#include <cstdio>

Q_IMPORT_QML_PLUGIN(Spidi_UiPlugin)

using spidi::desktop::lcDesktop;

int main(int argc, char *argv[])
{
    // Qt Charts' QML types need a QApplication.
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Spidi"));
    QApplication::setApplicationName(QStringLiteral("spidi-desktop"));
    QApplication::setApplicationVersion(QStringLiteral(SPIDI_VERSION));
    QApplication::setApplicationDisplayName(QStringLiteral("Spidi"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Spidi monitoring console"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption serverOption(
        QStringLiteral("server"),
        QStringLiteral("Server URL (http://host:8080); overrides the remembered one."),
        QStringLiteral("URL"));
    const QCommandLineOption tokenOption(QStringLiteral("token"),
                                         QStringLiteral("Access token (JWT); not remembered."),
                                         QStringLiteral("T"));
    const QCommandLineOption tokenFileOption(QStringLiteral("token-file"),
                                             QStringLiteral("Read the access token from FILE."),
                                             QStringLiteral("FILE"));
    QCommandLineOption quitAfterOption(QStringLiteral("quit-after"),
                                       QStringLiteral("Quit after MS milliseconds (tests)."),
                                       QStringLiteral("MS"));
    quitAfterOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption grabOption(
        QStringLiteral("grab"), QStringLiteral("With --quit-after: save the window as PNG first."),
        QStringLiteral("FILE"));
    grabOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({serverOption, tokenOption, tokenFileOption, quitAfterOption, grabOption});
    parser.process(app);

    QString token = parser.value(tokenOption);
    if (parser.isSet(tokenOption) && parser.isSet(tokenFileOption)) {
        std::fprintf(stderr, "spidi-desktop: --token and --token-file exclude each other\n");
        return 2;
    }
    if (parser.isSet(tokenFileOption)) {
        QFile file(parser.value(tokenFileOption));
        if (!file.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "spidi-desktop: cannot read %s: %s\n", qPrintable(file.fileName()),
                         qPrintable(file.errorString()));
            return 2;
        }
        token = QString::fromUtf8(file.readAll().split('\n').value(0).trimmed());
    }

    QQuickStyle::setStyle(QStringLiteral("Material"));
    QQmlApplicationEngine engine;
    // Where qt_add_qml_module puts Spidi.Ui (RESOURCE_PREFIX /qt/qml); a default from Qt 6.5.
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    int qmlWarnings = 0;
    engine.setOutputWarningsToStandardError(false);
    QObject::connect(&engine, &QQmlEngine::warnings, &app,
                     [&qmlWarnings](const QList<QQmlError> &warnings) {
                         for (const QQmlError &w : warnings) {
                             ++qmlWarnings;
                             qCWarning(lcDesktop).noquote() << "qml.warning" << w.toString();
                         }
                     });
    QObject::connect(
        &engine, &QQmlApplicationEngine::objectCreationFailed, &app,
        [] { QCoreApplication::exit(1); }, Qt::QueuedConnection);
    engine.setInitialProperties({{QStringLiteral("serverOverride"), parser.value(serverOption)},
                                 {QStringLiteral("tokenOverride"), token}});
    // loadFromModule() arrives with Qt 6.5; 6.4 loads the file by its resource URL.
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Spidi/Ui/Main.qml")));
    if (engine.rootObjects().isEmpty())
        return 1;

    if (parser.isSet(quitAfterOption)) {
        bool ok = false;
        const int ms = parser.value(quitAfterOption).toInt(&ok);
        if (!ok || ms < 0) {
            std::fprintf(stderr, "spidi-desktop: --quit-after needs milliseconds\n");
            return 2;
        }
        const QString grabFile = parser.value(grabOption);
        QTimer::singleShot(ms, &app, [&engine, grabFile] {
            auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
            if (!grabFile.isEmpty() && window && !window->grabWindow().save(grabFile))
                qCWarning(lcDesktop).noquote() << "app.grab_failed"
                                               << "file=" + grabFile;
            QCoreApplication::quit();
        });
    }
    const int rc = QApplication::exec();
    qCInfo(lcDesktop).noquote() << "app.exit"
                                << "code=" + QString::number(rc)
                                << "qml_warnings=" + QString::number(qmlWarnings);
    return rc;
}
