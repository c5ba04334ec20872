#include "app/launch_options.h"

#include "services/desktop_logging.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QTimer>

#include <cstdio>

namespace spidi::desktop {

namespace {

const QString kServer = QStringLiteral("server");
const QString kToken = QStringLiteral("token");
const QString kTokenFile = QStringLiteral("token-file");
const QString kQuitAfter = QStringLiteral("quit-after");
const QString kGrab = QStringLiteral("grab");

} // namespace

void LaunchOptions::addOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral("Spidi monitoring console"));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption quitAfter(kQuitAfter, QStringLiteral("Quit after MS milliseconds (tests)."),
                                 QStringLiteral("MS"));
    quitAfter.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption grab(kGrab,
                            QStringLiteral("With --quit-after: save the window as PNG first."),
                            QStringLiteral("FILE"));
    grab.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions(
        {{kServer, QStringLiteral("Server URL (http://host:8080); overrides the remembered one."),
          QStringLiteral("URL")},
         {kToken, QStringLiteral("Access token (JWT); not remembered."), QStringLiteral("T")},
         {kTokenFile, QStringLiteral("Read the access token from FILE."), QStringLiteral("FILE")},
         quitAfter,
         grab});
}

LaunchOptions LaunchOptions::parse(const QStringList &arguments)
{
    LaunchOptions options;
    options.m_arguments = arguments;
    QCommandLineParser parser;
    addOptions(parser);
    if (!parser.parse(arguments)) {
        options.fail(1, parser.errorText());
        return options;
    }
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("help-all")) ||
        parser.isSet(QStringLiteral("version"))) {
        options.m_exitCode = 0;
        return options;
    }

    options.m_server = parser.value(kServer);
    options.m_token = parser.value(kToken);
    if (parser.isSet(kToken) && parser.isSet(kTokenFile)) {
        options.fail(2, QStringLiteral("--token and --token-file exclude each other"));
        return options;
    }
    if (parser.isSet(kTokenFile)) {
        QFile file(parser.value(kTokenFile));
        if (!file.open(QIODevice::ReadOnly)) {
            options.fail(
                2, QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString()));
            return options;
        }
        options.m_token = QString::fromUtf8(file.readAll().split('\n').value(0).trimmed());
    }
    if (parser.isSet(kQuitAfter)) {
        bool ok = false;
        options.m_quitAfterMs = parser.value(kQuitAfter).toInt(&ok);
        if (!ok || options.m_quitAfterMs < 0) {
            options.fail(2, QStringLiteral("--quit-after needs milliseconds"));
            return options;
        }
    }
    options.m_grabFile = parser.value(kGrab);
    return options;
}

void LaunchOptions::fail(int exitCode, const QString &error)
{
    m_exitCode = exitCode;
    m_error = error;
}

int LaunchOptions::report() const
{
    if (m_error.isEmpty()) {
        // --help, --help-all or --version: QCommandLineParser prints them and exits with 0.
        QCommandLineParser parser;
        addOptions(parser);
        parser.process(m_arguments);
        return m_exitCode;
    }
    std::fprintf(stderr, "spidi-desktop: %s\n", qPrintable(m_error));
    return m_exitCode;
}

void LaunchOptions::applyTo(QQmlApplicationEngine &engine) const
{
    engine.setInitialProperties(
        {{QStringLiteral("serverOverride"), m_server}, {QStringLiteral("tokenOverride"), m_token}});
}

void LaunchOptions::armTestHooks(QQmlApplicationEngine &engine) const
{
    if (m_quitAfterMs < 0)
        return;
    QTimer::singleShot(m_quitAfterMs, &engine, [&engine, grabFile = m_grabFile] {
        const QList<QObject *> roots = engine.rootObjects();
        auto *window = roots.isEmpty() ? nullptr : qobject_cast<QQuickWindow *>(roots.constFirst());
        if (!grabFile.isEmpty() && window && !window->grabWindow().save(grabFile))
            qCWarning(lcDesktop).noquote() << "app.grab_failed"
                                           << "file=" + grabFile;
        QCoreApplication::quit();
    });
}

} // namespace spidi::desktop
