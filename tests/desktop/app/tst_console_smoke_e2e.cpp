// The console's full smoke test (issue 6): a real spidi-server, two spidi-sim fleets (a few dozen
// devices in five rooms, and 1,000 sessions in one big room), and the console itself loaded as
// spidi-desktop loads it (QApplication, ConsoleEngine::loadMain with --server/--token, Material,
// offscreen, software Qt Quick). The test walks it as a person would, by objectName, clicks and
// keystrokes: the dashboard until its figures equal the server's, the big room's roster and a
// search in it, the room editor (create, then rename), an alert rule that fires, acknowledged
// from the inbox with a comment, the alert history, and the connect page. Every page is saved
// as a PNG in the build tree (SPIDI_SCREENSHOT_DIR) and checked to be a real picture; not a
// single QML warning over the whole run.
#include "app/console_engine.h"
#include "app/launch_options.h"
#include "models/fleet_breakdown.h"
#include "models/metrics_history.h"
#include "models/roster_model.h"
#include "server_process.h"
#include "services/connection_service.h"
#include "services/editors.h"
#include "services/room_detail_controller.h"

#include <QApplication>
#include <QDir>
#include <QJsonArray>
#include <QProcess>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/QQmlExtensionPlugin>

#include <sys/prctl.h>

#include <csignal>
#include <functional>
#include <memory>

Q_IMPORT_QML_PLUGIN(Spidi_UiPlugin)

using namespace spidi::desktop;
using namespace spidi::test;

namespace {

const QString kTenant = QStringLiteral("smoke");
const QString kBigRoom = QStringLiteral("MEGA-HALL");
const int kBigFleet = 1000;
const int kSmallFleet = 48;
// Generous: the machine runs other suites beside this one.
const int kSlow = 60000;

struct RoomSpec
{
    const char *code;
    const char *name;
    const char *type;
    int capacity;
};
const RoomSpec kRooms[] = {
    {"LOBBY", "Main lobby", "GENERIC", 60},
    {"SUPPORT-DESK", "Support desk", "SUPPORT", 40},
    {"DAILY-STANDUP", "Daily stand-up", "WEBRTC", 30},
    {"TOWN-HALL", "Town hall", "BROADCAST", 200},
    {"ARENA-42", "Arena 42", "GAMING", 50},
    {"MEGA-HALL", "Mega hall", "BROADCAST", 2000},
};

// Every object under `root`, by QObject children and by visual children (Loader pages, view
// delegates and popups are not always QObject children of what shows them).
void walk(QObject *root, const std::function<bool(QObject *)> &visit)
{
    QList<QObject *> queue{root};
    QSet<QObject *> seen;
    while (!queue.isEmpty()) {
        QObject *o = queue.takeFirst();
        if (!o || seen.contains(o))
            continue;
        seen.insert(o);
        if (visit(o))
            return;
        queue += o->children();
        if (auto *item = qobject_cast<QQuickItem *>(o))
            for (QQuickItem *child : item->childItems())
                queue.append(child);
    }
}

QQuickItem *findItem(QObject *root, const std::function<bool(QQuickItem *)> &match)
{
    QQuickItem *found = nullptr;
    walk(root, [&](QObject *o) {
        auto *item = qobject_cast<QQuickItem *>(o);
        if (item && match(item))
            found = item;
        return found != nullptr;
    });
    return found;
}

// Shown on screen: visible all the way up, so that a click or a screenshot means something.
bool onScreen(const QQuickItem *item)
{
    return item->isVisible() && item->window() && item->width() > 0 && item->height() > 0;
}

} // namespace

class TestConsoleSmokeE2e : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_work;
    ServerProcess m_server;
    QByteArray m_admin;
    QNetworkAccessManager m_http;
    std::vector<std::unique_ptr<QProcess>> m_sims;
    QHash<QString, QString> m_roomIds;
    std::unique_ptr<ConsoleEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    ConnectionService *m_connection = nullptr;
    Editors *m_editors = nullptr;
    QString m_screenshots;
    QString m_alertEventId;

    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.port()); }

    HttpReply rest(const QByteArray &verb, const QString &path, const QJsonObject &body = {})
    {
        return httpRequest(m_http, verb, QUrl(baseUrl() + path), m_admin, body);
    }

    QJsonObject liveSummary()
    {
        return rest("GET", QStringLiteral("/api/v1/stats/summary"))
            .json()
            .value(QStringLiteral("live"))
            .toObject();
    }

    // The room's live sessions over REST (one page: at most 1,000).
    QJsonArray sessionsOf(const QString &code)
    {
        return rest("GET", QStringLiteral("/api/v1/rooms/%1/sessions?limit=1000").arg(code))
            .json()
            .value(QStringLiteral("items"))
            .toArray();
    }

    static int distinctUsers(const QJsonArray &sessions)
    {
        QSet<QString> users;
        for (const QJsonValue &s : sessions)
            users.insert(s.toObject().value(QStringLiteral("userId")).toString());
        return int(users.size());
    }

    QByteArray writeTokens(const QString &file, const QString &prefix, int count)
    {
        QByteArray all;
        for (int i = 1; i <= count; ++i) {
            const QByteArray token =
                m_server.token(QStringLiteral("%1-%2").arg(prefix).arg(i, 3, 10, QLatin1Char('0')),
                               kTenant, {QStringLiteral("spidi:user")});
            if (token.isEmpty())
                return {};
            all += token + '\n';
        }
        QFile out(m_work.filePath(file));
        if (!out.open(QIODevice::WriteOnly) || out.write(all) != all.size())
            return {};
        return all;
    }

    // A spidi-sim fleet that stays put once joined (no churn, no faults), so that every figure
    // the console shows has one right value; it dies with the test process.
    void startSim(const QString &name, const QString &tokenFile, const QStringList &rooms,
                  int devices, int heartbeatSec, int rampUpSec)
    {
        auto sim = std::make_unique<QProcess>();
        sim->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        sim->setStandardOutputFile(m_work.filePath(name + QStringLiteral(".log")));
        sim->setStandardErrorFile(m_work.filePath(name + QStringLiteral(".log")),
                                  QIODevice::Append);
        sim->start(qEnvironmentVariable("SPIDI_SIM_BIN"), {QStringLiteral("--url"),
                                                           m_server.wsUrl().toString(),
                                                           QStringLiteral("--token-file"),
                                                           m_work.filePath(tokenFile),
                                                           QStringLiteral("--room-codes"),
                                                           rooms.join(QLatin1Char(',')),
                                                           QStringLiteral("--devices"),
                                                           QString::number(devices),
                                                           QStringLiteral("--churn"),
                                                           QStringLiteral("0"),
                                                           QStringLiteral("--silent-share"),
                                                           QStringLiteral("0"),
                                                           QStringLiteral("--reconnect-share"),
                                                           QStringLiteral("0"),
                                                           QStringLiteral("--heartbeat-interval"),
                                                           QString::number(heartbeatSec),
                                                           QStringLiteral("--duration"),
                                                           QStringLiteral("0"),
                                                           QStringLiteral("--ramp-up"),
                                                           QString::number(rampUpSec),
                                                           QStringLiteral("--status-interval"),
                                                           QStringLiteral("30"),
                                                           QStringLiteral("--seed"),
                                                           QString::number(devices)});
        QVERIFY2(sim->waitForStarted(10000), qPrintable(sim->errorString()));
        m_sims.push_back(std::move(sim));
    }

    QObject *named(const QString &name)
    {
        QObject *found = nullptr;
        walk(m_window, [&](QObject *o) {
            if (o->objectName() == name &&
                (!qobject_cast<QQuickItem *>(o) || qobject_cast<QQuickItem *>(o)->isVisible()))
                found = o;
            return found != nullptr;
        });
        return found;
    }
    QQuickItem *namedItem(const QString &name) { return qobject_cast<QQuickItem *>(named(name)); }

    // A control by what it says (buttons without an objectName: Connection…, Acknowledge, OK).
    QQuickItem *byText(QObject *root, const QString &text)
    {
        return findItem(root, [&](QQuickItem *item) {
            return onScreen(item) && item->inherits("QQuickAbstractButton") &&
                   item->property("text").toString() == text;
        });
    }

    void click(QQuickItem *item)
    {
        const QPointF centre = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
        QTest::mouseClick(m_window, Qt::LeftButton, Qt::NoModifier, centre.toPoint());
    }

    // Focus the field, select what it holds (when asked) and type, as a person would: the
    // fields' onTextEdited handlers only follow keystrokes.
    bool type(QQuickItem *field, const QString &text, bool replace)
    {
        field->forceActiveFocus();
        if (!QTest::qWaitFor([field] { return field->hasActiveFocus(); }))
            return false;
        if (replace)
            QTest::keyClick(m_window, Qt::Key_A, Qt::ControlModifier);
        // QTest::keyClicks() takes a QWidget; one click per character on the window instead.
        for (const QChar c : text)
            QTest::keyClick(m_window, c.toLatin1());
        return true;
    }

    // The popup dialog shown now (a QQuickDialog is a QObject, its items are under the overlay).
    QObject *openDialog() { return openPopup("QQuickDialog"); }
    QObject *openPopup(const char *className)
    {
        QObject *found = nullptr;
        walk(m_window, [&](QObject *o) {
            if (o->inherits(className) && o->property("visible").toBool())
                found = o;
            return found != nullptr;
        });
        return found;
    }

    QQuickItem *tileOf(const QString &code)
    {
        QQuickItem *grid = namedItem(QStringLiteral("roomGrid"));
        if (!grid)
            return nullptr;
        return findItem(grid, [&](QQuickItem *item) {
            return onScreen(item) && item->property("roomId").isValid() &&
                   item->property("code").toString() == code;
        });
    }

    // A tile's property; invalid while no tile shows the room (a view re-laying out).
    QVariant tileProperty(const QString &code, const char *name)
    {
        QQuickItem *tile = tileOf(code);
        return tile ? tile->property(name) : QVariant();
    }

    static bool hasText(QQuickItem *root, const QString &text)
    {
        return findItem(root, [&](QQuickItem *item) {
                   return item->isVisible() && item->property("text").toString() == text;
               }) != nullptr;
    }

    static QString count(int n) { return QLocale().toString(double(n), 'f', 0); }

    // The window as a PNG in the build tree; a real picture: the window's size, many colours.
    QString screenshot(const QString &page)
    {
        // Let what was just changed settle into a frame; grabWindow() then renders the scene.
        QSignalSpy frame(m_window, &QQuickWindow::frameSwapped);
        m_window->update();
        frame.wait(2000);
        const QImage image = m_window->grabWindow();
        if (image.isNull())
            return QStringLiteral("grabWindow() gave nothing for ") + page;
        if (image.size() != m_window->size() * m_window->devicePixelRatio())
            return QStringLiteral("%1: %2x%3, the window is %4x%5")
                .arg(page)
                .arg(image.width())
                .arg(image.height())
                .arg(m_window->width())
                .arg(m_window->height());
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        if (colours.size() < 16)
            return QStringLiteral("%1 has only %2 colours").arg(page).arg(colours.size());
        const QString file = QDir(m_screenshots).filePath(page + QStringLiteral(".png"));
        if (!image.save(file))
            return QStringLiteral("cannot save ") + file;
        qInfo("screenshot %s", qPrintable(file));
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        QVERIFY(m_work.isValid());
        // Nobody's remembered server or token: the settings live in a fresh directory.
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        m_screenshots = qEnvironmentVariable("SPIDI_SCREENSHOT_DIR", QStringLiteral("screenshots"));
        QVERIFY(QDir().mkpath(m_screenshots));
        QVERIFY2(!qEnvironmentVariableIsEmpty("SPIDI_SIM_BIN"), "SPIDI_SIM_BIN is not set");

        QVERIFY2(m_server.start(), qPrintable(m_server.errorText()));
        m_admin =
            m_server.token(QStringLiteral("smoke-admin"), kTenant, {QStringLiteral("spidi:admin")});
        QVERIFY(!m_admin.isEmpty());
        for (const RoomSpec &room : kRooms) {
            const HttpReply created = rest("POST", QStringLiteral("/api/v1/rooms"),
                                           {{QStringLiteral("code"), room.code},
                                            {QStringLiteral("name"), room.name},
                                            {QStringLiteral("typeCode"), room.type},
                                            {QStringLiteral("capacity"), room.capacity},
                                            {QStringLiteral("tags"), QJsonArray{"smoke"}}});
            QVERIFY2(created.status == 201, created.body.constData());
            m_roomIds.insert(QString::fromLatin1(room.code),
                             created.json().value(QStringLiteral("id")).toString());
        }

        // Two fleets: a few dozen devices of 12 users over five rooms, heartbeating every 3 s
        // (the tiles' latencies move), and 1,000 sessions of 40 users in the big room.
        QVERIFY(!writeTokens(QStringLiteral("small.tokens"), QStringLiteral("desk-user"), 12)
                     .isEmpty());
        QVERIFY(
            !writeTokens(QStringLiteral("big.tokens"), QStringLiteral("hall-user"), 40).isEmpty());
        QStringList small;
        for (const RoomSpec &room : kRooms)
            if (QString::fromLatin1(room.code) != kBigRoom)
                small.append(QString::fromLatin1(room.code));
        startSim(QStringLiteral("sim-small"), QStringLiteral("small.tokens"), small, kSmallFleet, 3,
                 2);
        startSim(QStringLiteral("sim-big"), QStringLiteral("big.tokens"), {kBigRoom}, kBigFleet, 10,
                 8);
        QTRY_VERIFY2_WITH_TIMEOUT(
            liveSummary().value(QStringLiteral("online")).toInt() == kBigFleet + kSmallFleet,
            qPrintable(QStringLiteral("online %1 of %2")
                           .arg(liveSummary().value(QStringLiteral("online")).toInt())
                           .arg(kBigFleet + kSmallFleet)),
            kSlow);
    }

    void loadsTheConsole()
    {
        // As main() does: the Material style, then Main.qml with the command line's server and
        // token (not remembered).
        QQuickStyle::setStyle(QStringLiteral("Material"));
        m_engine = std::make_unique<ConsoleEngine>();
        const LaunchOptions options = LaunchOptions::parse(
            {QStringLiteral("spidi-desktop"), QStringLiteral("--server"), baseUrl(),
             QStringLiteral("--token"), QString::fromUtf8(m_admin)});
        QVERIFY(!options.exitRequested());
        QVERIFY(m_engine->loadMain(options));
        m_window = m_engine->mainWindow();
        QVERIFY(m_window);
        QVERIFY(QTest::qWaitForWindowExposed(m_window));
        m_window->requestActivate();
        m_connection = m_engine->singletonInstance<ConnectionService *>(
            qmlTypeId("Spidi.Ui", 1, 0, "ConnectionService"));
        m_editors = m_engine->singletonInstance<Editors *>(qmlTypeId("Spidi.Ui", 1, 0, "Editors"));
        QVERIFY(m_connection);
        QVERIFY(m_editors);
        QTRY_COMPARE_WITH_TIMEOUT(m_connection->state(), ConnectionService::Connected, kSlow);
        QVERIFY(m_connection->canAdmin());
        QCOMPARE(m_engine->warningCount(), 0);
    }

    // The dashboard shows what the server knows: rooms, online sessions, users (summed over the
    // rooms, as the card says) in the totals, and each room's figures on its tile.
    void dashboardMatchesTheServer()
    {
        const QJsonObject live = liveSummary();
        const int rooms = live.value(QStringLiteral("rooms")).toInt();
        const int online = live.value(QStringLiteral("online")).toInt();
        QCOMPARE(rooms, int(std::size(kRooms)));
        QCOMPARE(online, kBigFleet + kSmallFleet);
        QHash<QString, QJsonArray> sessions;
        int usersOverRooms = 0;
        for (const RoomSpec &room : kRooms) {
            const QString code = QString::fromLatin1(room.code);
            sessions.insert(code, sessionsOf(code));
            usersOverRooms += distinctUsers(sessions.value(code));
        }
        QCOMPARE(sessions.value(kBigRoom).size(), kBigFleet);
        // Users are distinct per room; a user with devices in two rooms counts in both.
        QVERIFY(usersOverRooms >= live.value(QStringLiteral("users")).toInt());

        const auto card = [this](const char *name) { return namedItem(QLatin1String(name)); };
        QTRY_VERIFY_WITH_TIMEOUT(card("totalRooms"), kSlow);
        QTRY_COMPARE_WITH_TIMEOUT(card("totalRooms")->property("value").toInt(), rooms, kSlow);
        QTRY_COMPARE_WITH_TIMEOUT(card("totalOnline")->property("value").toInt(), online, kSlow);
        QTRY_COMPARE_WITH_TIMEOUT(card("totalUsers")->property("value").toInt(), usersOverRooms,
                                  kSlow);
        QCOMPARE(card("totalFiring")->property("value").toInt(), 0);
        // What the cards say, as text in the system's locale.
        QVERIFY(hasText(card("totalRooms"), count(rooms)));
        QVERIFY(hasText(card("totalOnline"), count(online)));
        QVERIFY(hasText(card("totalUsers"), count(usersOverRooms)));

        for (const RoomSpec &room : kRooms) {
            const QString code = QString::fromLatin1(room.code);
            const int roomOnline = int(sessions.value(code).size());
            QTRY_COMPARE_WITH_TIMEOUT(tileProperty(code, "online").toInt(), roomOnline, kSlow);
            QQuickItem *tile = tileOf(code);
            QCOMPARE(tile->property("users").toInt(), distinctUsers(sessions.value(code)));
            QCOMPARE(tile->property("capacity").toInt(), room.capacity);
            QCOMPARE(tile->property("name").toString(), QString::fromUtf8(room.name));
            QVERIFY2(hasText(tile, count(roomOnline) + QStringLiteral(" / ") +
                                       count(room.capacity) + QStringLiteral(" online")),
                     qPrintable(code));
        }
        // Heartbeats have reported latencies: the tiles show them.
        for (const RoomSpec &room : kRooms)
            QTRY_VERIFY_WITH_TIMEOUT(
                tileProperty(QString::fromLatin1(room.code), "p95LatencyMs").toDouble() > 0, kSlow);
        QCOMPARE(m_engine->warningCount(), 0);
        const QString shot = screenshot(QStringLiteral("dashboard"));
        QVERIFY2(shot.isEmpty(), qPrintable(shot));
    }

    // A click on the big room's tile opens it; the roster holds the server's 1,000 sessions, and
    // a search for one user leaves exactly that user's sessions.
    void roomDetailOfTheBigRoom()
    {
        QQuickItem *tile = tileOf(kBigRoom);
        QVERIFY(tile);
        click(tile);
        QTRY_VERIFY(named(QStringLiteral("roomController")));
        auto *controller =
            qobject_cast<RoomDetailController *>(named(QStringLiteral("roomController")));
        QVERIFY(controller);
        QCOMPARE(controller->roomCode(), kBigRoom);
        QCOMPARE(namedItem(QStringLiteral("roomTitle"))->property("text").toString(),
                 QStringLiteral("Mega hall"));

        const QJsonArray sessions = sessionsOf(kBigRoom);
        QCOMPARE(sessions.size(), kBigFleet);
        QQuickItem *list = namedItem(QStringLiteral("rosterList"));
        QVERIFY(list);
        QTRY_COMPARE_WITH_TIMEOUT(list->property("count").toInt(), kBigFleet, kSlow);
        QCOMPARE(controller->roster()->count(), kBigFleet);
        QVERIFY(hasText(m_window->contentItem(),
                        QStringLiteral("Roster · %1 sessions").arg(count(kBigFleet))));
        QTRY_COMPARE_WITH_TIMEOUT(
            namedItem(QStringLiteral("onlineLabel"))->property("text").toString(),
            QStringLiteral("%1 online of %2 · %3 users")
                .arg(count(kBigFleet), count(2000), count(distinctUsers(sessions))),
            kSlow);
        // The live chart has a few points (one per second at most, as metrics change).
        QTRY_VERIFY_WITH_TIMEOUT(controller->metrics()->count() >= 3, kSlow);
        QCOMPARE(controller->fleet()->total(), kBigFleet);
        QString shot = screenshot(QStringLiteral("room_detail"));
        QVERIFY2(shot.isEmpty(), qPrintable(shot));

        // One user of the 40, from the server's list: the search leaves exactly their sessions.
        QHash<QString, QSet<QString>> byUser;
        for (const QJsonValue &v : sessions) {
            const QJsonObject s = v.toObject();
            byUser[s.value(QStringLiteral("userId")).toString()].insert(
                s.value(QStringLiteral("sessionId")).toString());
        }
        const QString user = QStringLiteral("hall-user-007");
        QVERIFY2(byUser.contains(user), "the big fleet has no hall-user-007");
        const QSet<QString> expected = byUser.value(user);
        QQuickItem *search = namedItem(QStringLiteral("rosterSearch"));
        QVERIFY(search);
        // Scroll the page down to the roster, as a person would to use it.
        for (QQuickItem *p = search->parentItem(); p; p = p->parentItem()) {
            if (p->inherits("QQuickFlickable")) {
                const qreal y =
                    search
                        ->mapToItem(p->property("contentItem").value<QQuickItem *>(), QPointF(0, 0))
                        .y();
                const qreal maxY = p->property("contentHeight").toReal() - p->height();
                p->setProperty("contentY", std::max<qreal>(0, std::min(y - 16, maxY)));
                break;
            }
        }
        QVERIFY(type(search, user, false));
        QTRY_COMPARE_WITH_TIMEOUT(list->property("count").toInt(), int(expected.size()), kSlow);
        auto *view = list->property("model").value<QAbstractItemModel *>();
        QVERIFY(view);
        const int sessionIdRole = view->roleNames().key("sessionId", -1);
        const int userIdRole = view->roleNames().key("userId", -1);
        QSet<QString> shown;
        for (int row = 0; row < view->rowCount(); ++row) {
            shown.insert(view->index(row, 0).data(sessionIdRole).toString());
            QCOMPARE(view->index(row, 0).data(userIdRole).toString(), user);
        }
        QCOMPARE(shown, expected);
        shot = screenshot(QStringLiteral("room_roster_search"));
        QVERIFY2(shot.isEmpty(), qPrintable(shot));

        click(namedItem(QStringLiteral("backButton")));
        QTRY_VERIFY(!named(QStringLiteral("roomController")));
        QCOMPARE(m_engine->warningCount(), 0);
    }

    // New room from the dashboard, then renamed through the tile's menu; checked over REST.
    void roomEditorCreatesAndEdits()
    {
        // Ctrl+N, not the "New room" button: at the window's default size the dashboard's filter
        // row is wider than the room left beside the alert inbox, which covers the button.
        QVERIFY(namedItem(QStringLiteral("newRoomButton")));
        QTest::keyClick(m_window, Qt::Key_N, Qt::ControlModifier);
        QTRY_COMPARE(m_editors->page(), QStringLiteral("roomEditor"));
        QTRY_VERIFY(namedItem(QStringLiteral("codeField")));
        QTRY_COMPARE(m_editors->room()->property("creating").toBool(), true);
        QVERIFY(type(namedItem(QStringLiteral("codeField")), QStringLiteral("SMOKE-NEW"), true));
        QVERIFY(type(namedItem(QStringLiteral("nameField")), QStringLiteral("Smoke room"), true));
        // The type picker's choice, as its onActivated hands it on (fills capacity and TTL).
        QTRY_VERIFY(!m_editors->room()->property("roomTypeCodes").toStringList().isEmpty());
        m_editors->room()->setProperty("typeCode", QStringLiteral("GENERIC"));
        QVERIFY(m_editors->room()->validate());
        QVERIFY(m_editors->room()->errors().isEmpty());
        QCOMPARE(m_editors->room()->property("code").toString(), QStringLiteral("SMOKE-NEW"));
        QCOMPARE(m_editors->room()->property("name").toString(), QStringLiteral("Smoke room"));
        QString shot = screenshot(QStringLiteral("room_editor_new"));
        QVERIFY2(shot.isEmpty(), qPrintable(shot));
        click(namedItem(QStringLiteral("saveRoom")));
        QTRY_COMPARE_WITH_TIMEOUT(m_editors->page(), QString(), kSlow);
        HttpReply room = rest("GET", QStringLiteral("/api/v1/rooms/SMOKE-NEW"));
        QCOMPARE(room.status, 200);
        QCOMPARE(room.json().value(QStringLiteral("name")).toString(),
                 QStringLiteral("Smoke room"));
        QCOMPARE(room.json().value(QStringLiteral("typeCode")).toString(),
                 QStringLiteral("GENERIC"));

        // Its tile's "⋯" menu → Edit…
        QTRY_VERIFY_WITH_TIMEOUT(tileOf(QStringLiteral("SMOKE-NEW")), kSlow);
        QQuickItem *menuButton = findItem(tileOf(QStringLiteral("SMOKE-NEW")), [](QQuickItem *i) {
            return i->objectName() == QLatin1String("tileMenuButton") && onScreen(i);
        });
        QVERIFY(menuButton);
        click(menuButton);
        QTRY_VERIFY(openPopup("QQuickMenu") &&
                    openPopup("QQuickMenu")->property("opened").toBool());
        QTRY_VERIFY(byText(m_window->contentItem(), QStringLiteral("Edit…")));
        click(byText(m_window->contentItem(), QStringLiteral("Edit…")));
        QTRY_COMPARE(m_editors->page(), QStringLiteral("roomEditor"));
        QTRY_VERIFY(!openPopup("QQuickMenu"));
        QTRY_COMPARE_WITH_TIMEOUT(m_editors->room()->property("version").toInt(), 1, kSlow);
        QTRY_COMPARE(namedItem(QStringLiteral("nameField"))->property("text").toString(),
                     QStringLiteral("Smoke room"));
        QVERIFY(type(namedItem(QStringLiteral("nameField")), QStringLiteral("Smoke room renamed"),
                     true));
        QCOMPARE(m_editors->room()->property("name").toString(),
                 QStringLiteral("Smoke room renamed"));
        shot = screenshot(QStringLiteral("room_editor_edit"));
        QVERIFY2(shot.isEmpty(), qPrintable(shot));
        click(namedItem(QStringLiteral("saveRoom")));
        QTRY_COMPARE_WITH_TIMEOUT(m_editors->page(), QString(), kSlow);
        room = rest("GET", QStringLiteral("/api/v1/rooms/SMOKE-NEW"));
        QCOMPARE(room.status, 200);
        QCOMPARE(room.json().value(QStringLiteral("name")).toString(),
                 QStringLiteral("Smoke room renamed"));
        QCOMPARE(room.json().value(QStringLiteral("version")).toInt(), 2);
        // The dashboard knows at once.
        QTRY_COMPARE(tileProperty(QStringLiteral("SMOKE-NEW"), "name").toString(),
                     QStringLiteral("Smoke room renamed"));
        QCOMPARE(m_engine->warningCount(), 0);
    }

    // A CAPACITY rule at 5 % on the lobby, made on the rules page, fires into the inbox; it is
    // acknowledged there with a comment, and the server has the comment.
    void alertRuleFiresAndIsAcknowledged()
    {
        click(namedItem(QStringLiteral("rulesButton")));
        QTRY_VERIFY(namedItem(QStringLiteral("ruleName")));
        QTRY_COMPARE(m_editors->rule()->property("creating").toBool(), true);
        QVERIFY(type(namedItem(QStringLiteral("ruleName")), QStringLiteral("Lobby busy"), true));
        QVERIFY(type(namedItem(QStringLiteral("thresholdField")), QStringLiteral("5"), true));
        QCOMPARE(m_editors->rule()->property("threshold").toDouble(), 5.0);
        QCOMPARE(m_editors->rule()->property("type").toString(), QStringLiteral("CAPACITY"));
        // Scope: one room, the lobby (the scope pickers' onActivated hand these on).
        m_editors->rule()->setProperty("scopeKind", QStringLiteral("room"));
        m_editors->rule()->setProperty("scopeRoom", m_roomIds.value(QStringLiteral("LOBBY")));
        QTRY_VERIFY(namedItem(QStringLiteral("scopeRoom")));
        QTRY_COMPARE(namedItem(QStringLiteral("scopeRoom"))->property("currentText").toString(),
                     QStringLiteral("LOBBY"));
        click(namedItem(QStringLiteral("saveRule")));
        QTRY_COMPARE_WITH_TIMEOUT(m_editors->rule()->property("creating").toBool(), false, kSlow);
        QTRY_COMPARE_WITH_TIMEOUT(m_editors->rules()->count(), 1, kSlow);
        const QJsonArray rules = rest("GET", QStringLiteral("/api/v1/alerts/rules"))
                                     .json()
                                     .value(QStringLiteral("items"))
                                     .toArray();
        QCOMPARE(rules.size(), 1);
        const QJsonObject rule = rules.first().toObject();
        QCOMPARE(rule.value(QStringLiteral("name")).toString(), QStringLiteral("Lobby busy"));
        QCOMPARE(rule.value(QStringLiteral("type")).toString(), QStringLiteral("CAPACITY"));
        QCOMPARE(rule.value(QStringLiteral("threshold")).toDouble(), 0.05);
        QCOMPARE(rule.value(QStringLiteral("scope"))
                     .toObject()
                     .value(QStringLiteral("roomId"))
                     .toString(),
                 m_roomIds.value(QStringLiteral("LOBBY")));
        QString shot = screenshot(QStringLiteral("alert_rules"));
        QVERIFY2(shot.isEmpty(), qPrintable(shot));

        // Esc closes the page; the inbox shows the event firing, the lobby's tile too.
        QTest::keyClick(m_window, Qt::Key_Escape);
        QTRY_COMPARE(m_editors->page(), QString());
        QQuickItem *inbox = namedItem(QStringLiteral("alertList"));
        QVERIFY(inbox);
        QTRY_VERIFY_WITH_TIMEOUT(findItem(inbox,
                                          [](QQuickItem *i) {
                                              return onScreen(i) &&
                                                     i->property("eventId").isValid() &&
                                                     i->property("state").toString() ==
                                                         QLatin1String("FIRING");
                                          }),
                                 kSlow);
        QQuickItem *row = findItem(
            inbox, [](QQuickItem *i) { return onScreen(i) && i->property("eventId").isValid(); });
        QCOMPARE(row->property("roomCode").toString(), QStringLiteral("LOBBY"));
        QCOMPARE(row->property("ruleName").toString(), QStringLiteral("Lobby busy"));
        m_alertEventId = row->property("eventId").toString();
        QTRY_COMPARE(tileProperty(QStringLiteral("LOBBY"), "firingAlerts").toInt(), 1);
        QTRY_COMPARE(namedItem(QStringLiteral("totalFiring"))->property("value").toInt(), 1);
        QCOMPARE(rest("GET", QStringLiteral("/api/v1/alerts/events/") + m_alertEventId)
                     .json()
                     .value(QStringLiteral("state"))
                     .toString(),
                 QStringLiteral("FIRING"));
        shot = screenshot(QStringLiteral("alert_inbox_firing"));
        QVERIFY2(shot.isEmpty(), qPrintable(shot));

        // Acknowledge, with a comment.
        QQuickItem *ack = byText(row, QStringLiteral("Acknowledge"));
        QVERIFY(ack);
        click(ack);
        QQuickItem *comment = nullptr;
        QTRY_VERIFY((comment = findItem(m_window->contentItem(), [](QQuickItem *i) {
                         return onScreen(i) && i->property("placeholderText").toString() ==
                                                   QLatin1String("Comment (optional)");
                     })));
        QVERIFY(type(comment, QStringLiteral("on it, smoke test"), false));
        QTRY_VERIFY(byText(m_window->contentItem(), QStringLiteral("OK")));
        // The screenshot once the dialog has faded in.
        QTRY_VERIFY(openDialog() && openDialog()->property("opened").toBool());
        shot = screenshot(QStringLiteral("alert_ack_dialog"));
        QVERIFY2(shot.isEmpty(), qPrintable(shot));
        click(byText(m_window->contentItem(), QStringLiteral("OK")));
        // Modal until it has faded out: nothing else takes a click before.
        QTRY_VERIFY(!openDialog());
        QTRY_COMPARE_WITH_TIMEOUT(
            rest("GET", QStringLiteral("/api/v1/alerts/events/") + m_alertEventId)
                .json()
                .value(QStringLiteral("state"))
                .toString(),
            QStringLiteral("ACKNOWLEDGED"), kSlow);
        const QJsonObject event =
            rest("GET", QStringLiteral("/api/v1/alerts/events/") + m_alertEventId).json();
        QCOMPARE(event.value(QStringLiteral("comment")).toString(),
                 QStringLiteral("on it, smoke test"));
        QCOMPARE(event.value(QStringLiteral("acknowledgedBy")).toString(),
                 QStringLiteral("smoke-admin"));
        QTRY_VERIFY_WITH_TIMEOUT(
            findItem(inbox,
                     [this](QQuickItem *i) {
                         return onScreen(i) &&
                                i->property("eventId").toString() == m_alertEventId &&
                                i->property("state").toString() == QLatin1String("ACKNOWLEDGED");
                     }),
            kSlow);
        QTRY_COMPARE(namedItem(QStringLiteral("totalFiring"))->property("value").toInt(), 0);
        shot = screenshot(QStringLiteral("alert_inbox_acknowledged"));
        QVERIFY2(shot.isEmpty(), qPrintable(shot));
        QCOMPARE(m_engine->warningCount(), 0);
    }

    void alertHistoryListsTheEvent()
    {
        QVERIFY(!m_alertEventId.isEmpty());
        click(namedItem(QStringLiteral("historyButton")));
        QTRY_COMPARE(m_editors->page(), QStringLiteral("history"));
        QTRY_VERIFY(namedItem(QStringLiteral("eventList")));
        QTRY_COMPARE_WITH_TIMEOUT(m_editors->events()->count(), 1, kSlow);
        QTRY_COMPARE(namedItem(QStringLiteral("eventList"))->property("count").toInt(), 1);
        // The row says what the server has: rule, room, state, who and the comment (once the
        // page's own request has answered: the model may hold an older page until then).
        const auto row = [this] {
            return findItem(namedItem(QStringLiteral("eventList")), [](QQuickItem *i) {
                return i->property("ruleName").toString() == QLatin1String("Lobby busy");
            });
        };
        QTRY_VERIFY(row());
        QTRY_COMPARE_WITH_TIMEOUT(row()->property("state").toString(),
                                  QStringLiteral("ACKNOWLEDGED"), kSlow);
        QCOMPARE(row()->property("roomCode").toString(), QStringLiteral("LOBBY"));
        QCOMPARE(row()->property("acknowledgedBy").toString(), QStringLiteral("smoke-admin"));
        QCOMPARE(row()->property("comment").toString(), QStringLiteral("on it, smoke test"));
        const QString shot = screenshot(QStringLiteral("alert_history"));
        QVERIFY2(shot.isEmpty(), qPrintable(shot));
        QTest::keyClick(m_window, Qt::Key_Escape);
        QTRY_COMPARE(m_editors->page(), QString());
        QCOMPARE(m_engine->warningCount(), 0);
    }

    // "Connection…" leads to the connect page (the server filled in, the token not remembered);
    // the token typed and Enter connect again, to the same figures.
    void connectPageAndBack()
    {
        QQuickItem *connection = byText(m_window->contentItem(), QStringLiteral("Connection…"));
        if (!connection)
            connection = byText(m_window, QStringLiteral("Connection…"));
        QVERIFY(connection);
        click(connection);
        QTRY_VERIFY(namedItem(QStringLiteral("tokenField")));
        QCOMPARE(m_connection->configured(), false);
        QCOMPARE(namedItem(QStringLiteral("serverUrlField"))->property("text").toString(),
                 baseUrl());
        QCOMPARE(namedItem(QStringLiteral("tokenField"))->property("text").toString(), QString());
        QString shot = screenshot(QStringLiteral("connect"));
        QVERIFY2(shot.isEmpty(), qPrintable(shot));

        QVERIFY(type(namedItem(QStringLiteral("tokenField")), QString::fromUtf8(m_admin), false));
        QTest::keyClick(m_window, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(m_connection->state(), ConnectionService::Connected, kSlow);
        QTRY_VERIFY(namedItem(QStringLiteral("totalOnline")));
        QTRY_COMPARE_WITH_TIMEOUT(
            namedItem(QStringLiteral("totalOnline"))->property("value").toInt(),
            liveSummary().value(QStringLiteral("online")).toInt(), kSlow);
        QTRY_COMPARE_WITH_TIMEOUT(
            namedItem(QStringLiteral("totalRooms"))->property("value").toInt(),
            int(std::size(kRooms)) + 1, kSlow);
        shot = screenshot(QStringLiteral("dashboard_after_reconnect"));
        QVERIFY2(shot.isEmpty(), qPrintable(shot));
        QCOMPARE(m_engine->warningCount(), 0);
    }

    void cleanupTestCase()
    {
        const int warnings = m_engine ? m_engine->warningCount() : 0;
        m_engine.reset();
        // The fleets leave (SIGTERM: a LEAVE per session), then the server stops.
        for (auto &sim : m_sims) {
            sim->terminate();
            if (!sim->waitForFinished(15000))
                sim->kill();
        }
        m_sims.clear();
        QCOMPARE(m_server.terminate(), 0);
        QCOMPARE(warnings, 0);
    }
};

int main(int argc, char *argv[])
{
    // Qt Charts' QML types need a QApplication (QTEST_MAIN would make one too, but the
    // application's names must be set before QSettings is used).
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Spidi"));
    QApplication::setApplicationName(QStringLiteral("spidi-desktop-smoke"));
    TestConsoleSmokeE2e test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_console_smoke_e2e.moc"
