#include "app/server_main.h"

#include "app/server_application.h"
#include "auth/token_command.h"
#include "config/server_config.h"
#include "core/event_dispatcher.h"
#include "core/signal_watcher.h"
#include "db/migration_runner.h"
#include "logging/json_log_handler.h"
#include "logging/log_categories.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

namespace spidi {

namespace {

int printError(const Error &error, int exitCode)
{
    QTextStream(stderr) << "spidi-server: " << error.message << '\n';
    return exitCode;
}

int migrate(const ServerConfig &config)
{
    auto database = Database::open(DatabaseConfig{config.databaseUrl, config.dataDir},
                                   QStringLiteral("spidi-migrate"));
    if (!database)
        return printError(database.error(), 1);
    Database db = *database;
    auto applied = applyMigrations(db);
    db.close();
    if (!applied)
        return printError(applied.error(), 1);
    QTextStream(stdout) << "applied " << applied.value() << " migration(s)\n";
    return 0;
}

} // namespace

int serverMain(int argc, char *argv[])
{
    preferUnixEventDispatcher();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("spidi-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SPIDI_VERSION));

    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() > 1 && arguments.at(1) == QLatin1String("token"))
        return runTokenCommand(arguments);

    auto parsed = parseCommandLine(arguments, QProcessEnvironment::systemEnvironment());
    if (!parsed)
        return printError(parsed.error(), 2);
    switch (parsed->action) {
    case ParsedCommandLine::Action::Help:
    case ParsedCommandLine::Action::Version:
        QTextStream(stdout) << parsed->text;
        return 0;
    case ParsedCommandLine::Action::Token:
        return runTokenCommand(arguments);
    case ParsedCommandLine::Action::Migrate:
        installLogHandler(parsed->config.logFormat);
        return migrate(parsed->config);
    case ParsedCommandLine::Action::Run:
        break;
    }

    installLogHandler(parsed->config.logFormat);
    ServerApplication server(parsed->config);
    SignalWatcher signalWatcher;
    bool flushed = true;
    QObject::connect(
        &signalWatcher, &SignalWatcher::terminationRequested, &app, [&](int signalNumber) {
            logEvent(lcServer(), QtInfoMsg, "server.signal", {{"signal", signalNumber}});
            flushed = server.stop();
            QCoreApplication::exit(flushed ? 0 : 1);
        });
    if (Status started = server.start(); !started) {
        logEvent(lcServer(), QtCriticalMsg, "server.start_failed", started.error().message, {});
        return printError(started.error(), 1);
    }
    const int code = QCoreApplication::exec();
    server.stop();
    return code;
}

} // namespace spidi
