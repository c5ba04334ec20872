// spidi-desktop-bench: is the console's dashboard smooth with many rooms updating?
// (docs/desktop.md, "Smoke test and performance"; run-500-rooms.sh sets up the server and the
// simulated fleet). Loads the console exactly as spidi-desktop does (ConsoleEngine, Material,
// --server/--token-file), waits for the rooms, then measures on the GUI thread:
//   live:   N seconds of the dashboard following the server (frame intervals and costs, a 20 ms
//           timer's lateness, GUI-thread CPU, RSS, how old each ROOM_METRICS is when the model
//           has it, and at the end the tiles' online counts against REST);
//   scroll: the room grid scrolled from top to bottom and back, a step per frame.
// Run it with QT_QPA_PLATFORM=offscreen QT_QUICK_BACKEND=software (or on a display).
#include "app/console_engine.h"
#include "app/launch_options.h"
#include "gui_probe.h"
#include "models/room_list_model.h"
#include "proc_sampler.h"
#include "services/connection_service.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>
#include <QtQml/QQmlExtensionPlugin>

#include <cstdio>
#include <functional>

Q_IMPORT_QML_PLUGIN(Spidi_UiPlugin)

using namespace spidi::desktop;
using namespace spidi::desktopbench;

namespace {

// Runs the event loop until `done` holds or `timeoutMs` passed.
bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QEventLoop loop;
        QTimer::singleShot(50, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

void runFor(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

QQuickItem *findNamed(QQuickItem *root, const QString &name)
{
    if (root->objectName() == name)
        return root;
    for (QQuickItem *child : root->childItems())
        if (QQuickItem *found = findNamed(child, name))
            return found;
    return nullptr;
}

QJsonObject toJson(const Distribution &d)
{
    return {{"count", d.count}, {"p50", d.p50}, {"p95", d.p95},
            {"p99", d.p99},     {"max", d.max}, {"mean", d.mean}};
}

QString line(const char *what, const Distribution &d, const char *unit)
{
    return QStringLiteral("  %1 p50 %2 · p95 %3 · p99 %4 · max %5 %6 (n=%7)")
        .arg(QLatin1String(what))
        .arg(d.p50, 0, 'f', 1)
        .arg(d.p95, 0, 'f', 1)
        .arg(d.p99, 0, 'f', 1)
        .arg(d.max, 0, 'f', 1)
        .arg(QLatin1String(unit))
        .arg(d.count);
}

QJsonObject report(const char *phase, const UiProbe::Result &r, QStringList &text)
{
    text << QStringLiteral("%1 (%2 s, %3 frames, %4 frames/s):")
                .arg(QLatin1String(phase))
                .arg(r.seconds, 0, 'f', 1)
                .arg(r.frames)
                .arg(r.seconds > 0 ? double(r.frames) / r.seconds : 0.0, 0, 'f', 1)
         << line("frame interval", r.frameIntervalMs, "ms")
         << line("frame cost (sync+render)", r.frameCostMs, "ms")
         << line("GUI thread CPU per frame", r.frameCpuMs, "ms")
         << line("20 ms timer late by", r.timerLatenessMs, "ms")
         << line("GUI thread CPU per second", r.guiCpuPerSecond, "%")
         << QStringLiteral("  GUI thread CPU %1 % · process CPU %2 % (of one core)")
                .arg(r.guiCpuPercent, 0, 'f', 1)
                .arg(r.processCpuPercent, 0, 'f', 1);
    return {{"seconds", r.seconds},
            {"frames", r.frames},
            {"frameIntervalMs", toJson(r.frameIntervalMs)},
            {"frameCostMs", toJson(r.frameCostMs)},
            {"frameCpuMs", toJson(r.frameCpuMs)},
            {"timerLatenessMs", toJson(r.timerLatenessMs)},
            {"guiCpuPerSecond", toJson(r.guiCpuPerSecond)},
            {"guiCpuPercent", r.guiCpuPercent},
            {"processCpuPercent", r.processCpuPercent}};
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Spidi"));
    QApplication::setApplicationName(QStringLiteral("spidi-desktop-bench"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Measures the console's dashboard (frames, GUI thread, RSS, lag)."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("server"), QStringLiteral("Server URL."), QStringLiteral("URL")},
        {QStringLiteral("token-file"), QStringLiteral("Admin or monitor token."),
         QStringLiteral("FILE")},
        {QStringLiteral("rooms"), QStringLiteral("Wait until this many rooms have figures."),
         QStringLiteral("N"), QStringLiteral("500")},
        {QStringLiteral("warmup"), QStringLiteral("Seconds before measuring."), QStringLiteral("S"),
         QStringLiteral("10")},
        {QStringLiteral("duration"), QStringLiteral("Seconds of the live phase."),
         QStringLiteral("S"), QStringLiteral("30")},
        {QStringLiteral("scroll-step"), QStringLiteral("Pixels scrolled per frame."),
         QStringLiteral("PX"), QStringLiteral("40")},
        {QStringLiteral("json"), QStringLiteral("Also write the figures as JSON to FILE."),
         QStringLiteral("FILE")},
    });
    parser.process(app);
    if (!parser.isSet(QStringLiteral("server")) || !parser.isSet(QStringLiteral("token-file"))) {
        std::fprintf(stderr, "spidi-desktop-bench: --server and --token-file are needed\n");
        return 2;
    }
    const int wantedRooms = parser.value(QStringLiteral("rooms")).toInt();
    const int warmupMs = parser.value(QStringLiteral("warmup")).toInt() * 1000;
    const int durationMs = parser.value(QStringLiteral("duration")).toInt() * 1000;
    const qreal scrollStep = parser.value(QStringLiteral("scroll-step")).toDouble();

    // Settings of its own, empty: nothing remembered (window geometry, theme) changes what is
    // measured from one run to the next; the window opens at the console's default size.
    QTemporaryDir settingsDir;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());

    // The console, as main() of spidi-desktop makes it.
    const LaunchOptions options = LaunchOptions::parse(
        {QStringLiteral("spidi-desktop"), QStringLiteral("--server"),
         parser.value(QStringLiteral("server")), QStringLiteral("--token-file"),
         parser.value(QStringLiteral("token-file"))});
    if (options.exitRequested())
        return options.report();
    QQuickStyle::setStyle(QStringLiteral("Material"));
    ConsoleEngine engine;
    QElapsedTimer loadClock;
    loadClock.start();
    if (!engine.loadMain(options))
        return 1;
    QQuickWindow *window = engine.mainWindow();
    auto *connection = engine.singletonInstance<ConnectionService *>(
        qmlTypeId("Spidi.Ui", 1, 0, "ConnectionService"));
    if (!window || !connection)
        return 1;
    RoomListModel *rooms = connection->rooms();
    const auto roomsWithFigures = [rooms] {
        int n = 0;
        for (int row = 0; row < rooms->rowCount(); ++row)
            n += rooms->index(row).data(RoomListModel::HasMetricsRole).toBool() ? 1 : 0;
        return n;
    };
    if (!waitFor([&] { return connection->loaded() && roomsWithFigures() >= wantedRooms; },
                 120000)) {
        std::fprintf(stderr, "spidi-desktop-bench: %d of %d rooms after 120 s (state %d)\n",
                     roomsWithFigures(), wantedRooms, int(connection->state()));
        return 1;
    }
    const qint64 loadedMs = loadClock.elapsed();
    QQuickItem *grid = findNamed(window->contentItem(), QStringLiteral("roomGrid"));
    if (!grid) {
        std::fprintf(stderr, "spidi-desktop-bench: no roomGrid\n");
        return 1;
    }
    runFor(warmupMs);

    // Live: the dashboard following the server.
    UiProbe probe(window);
    QList<double> metricsAge;
    int metricsMessages = 0;
    bool live = false;
    QObject::connect(connection, &ConnectionService::messageReceived, &probe,
                     [&](const QString &type, const QJsonObject &message) {
                         if (!live || type != QLatin1String("ROOM_METRICS"))
                             return;
                         ++metricsMessages;
                         const double ts = message.value(QLatin1String("ts")).toDouble();
                         metricsAge.append(double(QDateTime::currentMSecsSinceEpoch()) - ts);
                     });
    const qint64 rssBefore = rssKiB();
    // The machine: on a shared one, other processes take cores the console would need.
    spidi::MachineSampler machine;
    machine.sample();
    const double loadBefore = spidi::MachineSampler::loadAverage1();
    live = true;
    probe.start();
    runFor(durationMs);
    probe.stop();
    const double machineBusy = machine.sample().value_or(-1);
    const double loadAfter = spidi::MachineSampler::loadAverage1();
    live = false;
    const UiProbe::Result liveResult = probe.result();
    const qint64 rssAfterLive = rssKiB();

    // The tiles against the server: every 5th room's online count over REST, compared with the
    // model when the answer arrives (the fleet keeps moving, so a few may differ by a join or
    // leave within the server's 500 ms coalescing window).
    QNetworkAccessManager http;
    QFile tokenFile(parser.value(QStringLiteral("token-file")));
    tokenFile.open(QIODevice::ReadOnly);
    const QByteArray token = tokenFile.readLine().trimmed();
    int compared = 0, equal = 0, pending = 0;
    int maxDiff = 0;
    for (int row = 0; row < rooms->rowCount(); row += 5) {
        const QString code = rooms->index(row).data(RoomListModel::CodeRole).toString();
        QNetworkRequest request(
            QUrl(parser.value(QStringLiteral("server")) +
                 QStringLiteral("/api/v1/rooms/%1/sessions?limit=1").arg(code)));
        request.setRawHeader("Authorization", "Bearer " + token);
        QNetworkReply *reply = http.get(request);
        ++pending;
        QObject::connect(reply, &QNetworkReply::finished, reply, [&, reply, code] {
            --pending;
            reply->deleteLater();
            if (reply->error() != QNetworkReply::NoError)
                return;
            const int server = QJsonDocument::fromJson(reply->readAll())
                                   .object()
                                   .value(QLatin1String("total"))
                                   .toInt();
            const int shown =
                rooms->index(rooms->rowOfCode(code)).data(RoomListModel::OnlineRole).toInt();
            ++compared;
            equal += server == shown ? 1 : 0;
            maxDiff = std::max(maxDiff, std::abs(server - shown));
        });
        // A few at a time: the server's REST rate limit and the GUI both stay unhurried.
        waitFor([&] { return pending < 4; }, 30000);
    }
    waitFor([&] { return pending == 0; }, 30000);

    // Scroll: the grid top to bottom and back, one step per frame.
    const qreal maxY = grid->property("contentHeight").toReal() - grid->height();
    grid->setProperty("contentY", 0);
    runFor(500);
    int direction = 1;
    bool scrolling = true;
    QObject::connect(
        &probe, &UiProbe::frameDone, grid,
        [&] {
            if (!scrolling)
                return;
            const qreal y = grid->property("contentY").toReal() + direction * scrollStep;
            if (direction > 0 && y >= maxY) {
                grid->setProperty("contentY", maxY);
                direction = -1;
            } else if (direction < 0 && y <= 0) {
                grid->setProperty("contentY", 0);
                scrolling = false;
            } else {
                grid->setProperty("contentY", y);
            }
        },
        Qt::QueuedConnection);
    probe.start();
    grid->setProperty("contentY", scrollStep);
    waitFor([&] { return !scrolling; }, 300000);
    probe.stop();
    const UiProbe::Result scrollResult = probe.result();

    QStringList text;
    text << QStringLiteral("spidi-desktop-bench: %1 rooms, loaded and all with figures in %2 ms, "
                           "%3 QML warnings")
                .arg(rooms->rowCount())
                .arg(loadedMs)
                .arg(engine.warningCount());
    QJsonObject json{{"rooms", rooms->rowCount()},
                     {"loadedMs", loadedMs},
                     {"qmlWarnings", engine.warningCount()}};
    json.insert(QStringLiteral("live"), report("live", liveResult, text));
    const Distribution age = Distribution::of(metricsAge);
    text << QStringLiteral("  machine: %1 % of all cores busy, load average %2 → %3")
                .arg(machineBusy, 0, 'f', 0)
                .arg(loadBefore, 0, 'f', 2)
                .arg(loadAfter, 0, 'f', 2)
         << QStringLiteral("  ROOM_METRICS: %1 per second; age when applied p50 %2 · p95 %3 · "
                           "max %4 ms")
                .arg(liveResult.seconds > 0 ? double(metricsMessages) / liveResult.seconds : 0, 0,
                     'f', 0)
                .arg(age.p50, 0, 'f', 0)
                .arg(age.p95, 0, 'f', 0)
                .arg(age.max, 0, 'f', 0)
         << QStringLiteral("  RSS %1 MiB before, %2 MiB after")
                .arg(double(rssBefore) / 1024, 0, 'f', 0)
                .arg(double(rssAfterLive) / 1024, 0, 'f', 0)
         << QStringLiteral("  tiles against REST: %1 of %2 rooms equal, largest difference %3")
                .arg(equal)
                .arg(compared)
                .arg(maxDiff);
    json.insert(QStringLiteral("metricsPerSecond"),
                liveResult.seconds > 0 ? double(metricsMessages) / liveResult.seconds : 0);
    json.insert(QStringLiteral("metricsAgeMs"), toJson(age));
    json.insert(QStringLiteral("machine"), QJsonObject{{"busyPercent", machineBusy},
                                                       {"loadBefore", loadBefore},
                                                       {"loadAfter", loadAfter}});
    json.insert(QStringLiteral("rssKiB"),
                QJsonObject{{"before", rssBefore}, {"after", rssAfterLive}});
    json.insert(QStringLiteral("restCheck"),
                QJsonObject{{"compared", compared}, {"equal", equal}, {"maxDiff", maxDiff}});
    json.insert(QStringLiteral("scroll"), report("scroll", scrollResult, text));
    const int columns = int(grid->width() / grid->property("cellWidth").toReal());
    text << QStringLiteral("  scrolled %1 px down and back, %2 px per frame; grid %3x%4 px, %5 "
                           "tiles a row; window %6x%7")
                .arg(maxY, 0, 'f', 0)
                .arg(scrollStep, 0, 'f', 0)
                .arg(grid->width(), 0, 'f', 0)
                .arg(grid->height(), 0, 'f', 0)
                .arg(columns)
                .arg(window->width())
                .arg(window->height());
    json.insert(QStringLiteral("grid"), QJsonObject{{"width", grid->width()},
                                                    {"height", grid->height()},
                                                    {"columns", columns},
                                                    {"scrolledPx", maxY}});
    std::printf("%s\n", qPrintable(text.join(QLatin1Char('\n'))));
    if (parser.isSet(QStringLiteral("json"))) {
        QFile out(parser.value(QStringLiteral("json")));
        if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(json).toJson()) < 0)
            std::fprintf(stderr, "spidi-desktop-bench: cannot write %s\n",
                         qPrintable(out.fileName()));
    }
    return engine.warningCount() == 0 ? 0 : 3;
}
