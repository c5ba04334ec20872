// spidi-client-example: joins a room as one device and prints every state change until Ctrl-C
// or --duration. The smallest complete use of spidi::PresenceClient (docs/client.md).
#include "presence_client.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QSocketNotifier>
#include <QTextStream>
#include <QTimer>
#include <QVariant>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    // Nothing to do if the pipe is full: a close is already on its way.
    [[maybe_unused]] const auto written = ::write(signalPipe[1], &byte, 1);
}

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("spidi-client-example"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SPIDI_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Joins a Spidi room as one device and prints its state changes."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption urlOption(QStringLiteral("url"), QStringLiteral("WebSocket endpoint."),
                                       QStringLiteral("URL"),
                                       QStringLiteral("ws://127.0.0.1:8080/ws/presence"));
    const QCommandLineOption tokenOption(QStringLiteral("token"),
                                         QStringLiteral("Access token (spidi:user)."),
                                         QStringLiteral("JWT"));
    const QCommandLineOption tokenFileOption(QStringLiteral("token-file"),
                                             QStringLiteral("File holding the access token."),
                                             QStringLiteral("FILE"));
    const QCommandLineOption roomOption(QStringLiteral("room"), QStringLiteral("Room code."),
                                        QStringLiteral("CODE"), QStringLiteral("LOBBY"));
    const QCommandLineOption clientOption(QStringLiteral("client-id"),
                                          QStringLiteral("Client id of this device."),
                                          QStringLiteral("ID"), QStringLiteral("example-1"));
    const QCommandLineOption durationOption(
        QStringLiteral("duration"), QStringLiteral("Leave and exit after SECONDS (0: Ctrl-C)."),
        QStringLiteral("SECONDS"), QStringLiteral("0"));
    parser.addOptions(
        {urlOption, tokenOption, tokenFileOption, roomOption, clientOption, durationOption});
    parser.process(app);

    QByteArray token = parser.value(tokenOption).toUtf8();
    if (parser.isSet(tokenFileOption)) {
        QFile file(parser.value(tokenFileOption));
        if (!file.open(QIODevice::ReadOnly)) {
            qCritical("cannot read %s: %s", qPrintable(file.fileName()),
                      qPrintable(file.errorString()));
            return 2;
        }
        token = file.readAll().trimmed();
    }
    if (token.isEmpty()) {
        qCritical("a token is needed: --token or --token-file");
        return 2;
    }

    spidi::PresenceClient client;
    client.setUrl(QUrl(parser.value(urlOption)));
    client.setToken(token);
    client.setIdentity({parser.value(roomOption), parser.value(clientOption),
                        QCoreApplication::applicationVersion(), QStringLiteral("example"),
                        QStringLiteral("Linux")});

    QObject::connect(&client, &spidi::PresenceClient::stateChanged, &app,
                     [](spidi::PresenceClient::State state) {
                         out() << "state " << QVariant::fromValue(state).toString() << Qt::endl;
                     });
    QObject::connect(&client, &spidi::PresenceClient::joined, &app,
                     [](const QString &sessionId, bool resumed) {
                         out() << (resumed ? "resumed " : "joined ") << sessionId << Qt::endl;
                     });
    QObject::connect(&client, &spidi::PresenceClient::latencyMeasured, &app,
                     [](int ms) { out() << "latency " << ms << " ms" << Qt::endl; });
    QObject::connect(&client, &spidi::PresenceClient::errorOccurred, &app,
                     [](const QString &code, const QString &message) {
                         out() << "error " << code << ": " << message << Qt::endl;
                     });
    // Closed is the end: after our close() (exit 0), or when the join failed for good (1).
    bool closeRequested = false;
    const auto leave = [&client, &closeRequested] {
        closeRequested = true;
        client.close();
    };
    QObject::connect(&client, &spidi::PresenceClient::stateChanged, &app,
                     [&closeRequested](spidi::PresenceClient::State state) {
                         if (state == spidi::PresenceClient::State::Closed)
                             QCoreApplication::exit(closeRequested ? 0 : 1);
                     });

    // Ctrl-C and SIGTERM leave cleanly: the handler only wakes the event loop.
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0) {
        qCritical("socketpair failed");
        return 1;
    }
    QSocketNotifier notifier(signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &client, [&leave] {
        char byte = 0;
        [[maybe_unused]] const auto got = ::read(signalPipe[0], &byte, 1);
        leave();
    });
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);

    const int duration = parser.value(durationOption).toInt();
    if (duration > 0)
        QTimer::singleShot(duration * 1000, &client, leave);

    client.open();
    return app.exec();
}
