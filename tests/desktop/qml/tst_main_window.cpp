// The console's main window (Main.qml) loaded for real as spidi-desktop loads it (QApplication,
// offscreen, software Qt Quick, a temporary XDG_CONFIG_HOME), connected with a well-formed
// token to a port where nothing listens:
// - the remembered window geometry is restored, and a resize is remembered;
// - a CRITICAL alert with notify puts "(1) " before the title and the badge on the Alerts
//   button (the channel is the badge: no tray, no session bus), a second makes it 2, toggling
//   the inbox on clears it; a notification activated shows its event in the inbox;
// - F1 opens the About box with this build's and Qt's versions;
// - on a room page Ctrl+E opens the export menu, a chart exports as a PNG of its size, Esc
//   goes back;
// - no QML warning at all.
#include "app/console_engine.h"
#include "app/launch_options.h"
#include "services/alert_notifier.h"
#include "services/app_info.h"
#include "services/connection_service.h"
#include "services/image_exporter.h"
#include "services/preferences.h"

#include <QApplication>
#include <QFile>
#include <QFileInfo>
#include <QQmlContext>
#include <QQmlExpression>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/QQmlExtensionPlugin>

Q_IMPORT_QML_PLUGIN(Spidi_UiPlugin)

using namespace spidi::desktop;

namespace {

QByteArray base64Url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// Signed with nothing: the console reads the claims, the (absent) server would check them.
QString wellFormedToken()
{
    const QByteArray payload =
        QByteArrayLiteral(R"({"sub":"desk","tenant":"demo","perms":["spidi:admin"],"exp":)") +
        QByteArray::number(QDateTime::currentSecsSinceEpoch() + 3600) + '}';
    return QString::fromLatin1(base64Url(R"({"alg":"HS256","typ":"JWT"})") + '.' +
                               base64Url(payload) + '.' + base64Url("signature"));
}

QJsonObject criticalEvent(const QString &id)
{
    return {{"id", id},
            {"ruleId", "rule-1"},
            {"ruleName", "Lobby full"},
            {"ruleType", "CAPACITY"},
            {"roomId", "r1"},
            {"roomCode", "LOBBY"},
            {"severity", "CRITICAL"},
            {"state", "FIRING"},
            {"message", "occupancy 97 % over 90 %"},
            {"firedAt", "2026-11-23T10:00:00.000Z"}};
}

// An item by objectName in the visual tree (popups live in the overlay, not under the page).
QQuickItem *visualChild(QQuickItem *item, const QString &name)
{
    if (item->objectName() == name)
        return item;
    for (QQuickItem *child : item->childItems()) {
        if (QQuickItem *found = visualChild(child, name))
            return found;
    }
    return nullptr;
}

template <typename T>
T *singleton(QQmlEngine &engine, const char *name)
{
    return engine.singletonInstance<T *>(qmlTypeId("Spidi.Ui", 1, 0, name));
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

    QTemporaryDir m_config;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_config.isValid());
        // Before the first QSettings (the user's settings are never touched), and no session
        // bus: the badge is the only channel.
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_config.path()));
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/spidi-test-bus");
        // A geometry remembered by an earlier run.
        Preferences().saveWindowGeometry(30, 40, 700, 500);
    }

    void mainWindow()
    {
        QQuickStyle::setStyle(QStringLiteral("Material")); // as main() does
        ConsoleEngine engine;
        const LaunchOptions options = LaunchOptions::parse(
            {QStringLiteral("spidi-desktop"), QStringLiteral("--server"),
             QStringLiteral("http://127.0.0.1:1"), QStringLiteral("--token"), wellFormedToken()});
        QVERIFY(!options.exitRequested());
        QVERIFY(engine.loadMain(options));
        auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().value(0));
        QVERIFY(window);
        QVERIFY(QTest::qWaitForWindowExposed(window));

        // The remembered geometry (the offscreen screen is 800x600: it fits).
        QCOMPARE(window->size(), QSize(700, 500));
        QVERIFY2(qAbs(window->x() - 30) <= 2 && qAbs(window->y() - 40) <= 2,
                 qPrintable(QStringLiteral("%1,%2").arg(window->x()).arg(window->y())));
        window->resize(640, 480);
        QTRY_COMPARE(Preferences().windowGeometry().size(), QSize(640, 480));

        auto *connection = singleton<ConnectionService>(engine, "ConnectionService");
        auto *notifier = singleton<AlertNotifier>(engine, "AlertNotifier");
        QVERIFY(connection && notifier);
        QVERIFY(connection->configured());
        QCOMPARE(notifier->window(), window);
        QCOMPARE(notifier->channel(), QStringLiteral("badge"));
        const QString plainTitle = QStringLiteral("Spidi — http://127.0.0.1:1");
        QCOMPARE(window->title(), plainTitle);
        auto *badge = window->findChild<QQuickItem *>(QStringLiteral("alertsBadge"));
        auto *alertsButton = window->findChild<QQuickItem *>(QStringLiteral("alertsButton"));
        QVERIFY(badge && alertsButton);
        QVERIFY(!badge->isVisible());

        connection->alerts()->applyAlert(QStringLiteral("FIRED"), criticalEvent("e1"), true);
        QCOMPARE(notifier->deliveredCount(), 1);
        QCOMPARE(notifier->lastNotification().value("channel").toString(), QStringLiteral("badge"));
        // Whether the offscreen window counts as active decides if the inbox is in view; take
        // it out of view by toggling the inbox off first.
        QTest::mouseClick(
            window, Qt::LeftButton, Qt::NoModifier,
            alertsButton->mapToScene(QPointF(alertsButton->width() / 2, alertsButton->height() / 2))
                .toPoint());
        QVERIFY(!alertsButton->property("checked").toBool());
        connection->alerts()->applyAlert(QStringLiteral("FIRED"), criticalEvent("e2"), true);
        connection->alerts()->applyAlert(QStringLiteral("FIRED"), criticalEvent("e3"), true);
        QVERIFY(notifier->unseenCount() >= 2);
        const int unseen = notifier->unseenCount();
        QCOMPARE(window->title(), QStringLiteral("(%1) ").arg(unseen) + plainTitle);
        QTRY_VERIFY(badge->isVisible());
        // For a look (the build tree): the badge on Alerts.
        window->grabWindow().save(QStringLiteral("main_window_badge.png"));
        // The inbox toggled on: seen.
        QTest::mouseClick(
            window, Qt::LeftButton, Qt::NoModifier,
            alertsButton->mapToScene(QPointF(alertsButton->width() / 2, alertsButton->height() / 2))
                .toPoint());
        QVERIFY(alertsButton->property("checked").toBool());
        QCOMPARE(notifier->unseenCount(), 0);
        QCOMPARE(window->title(), plainTitle);
        QVERIFY(!badge->isVisible());

        // A notification activated: the inbox shows (and outlines) its event.
        auto *inbox = window->findChild<QQuickItem *>(QStringLiteral("alertInbox"));
        QVERIFY(inbox);
        notifier->activate(QStringLiteral("e2"));
        QCOMPARE(inbox->property("highlightedEventId").toString(), QStringLiteral("e2"));
        QVERIFY(inbox->isVisible());

        // F1: the About box with the versions.
        window->requestActivate();
        QTest::keyClick(window, Qt::Key_F1);
        auto *about = window->findChild<QObject *>(QStringLiteral("aboutDialog"));
        QVERIFY(about);
        QTRY_VERIFY(about->property("visible").toBool());
        auto *version = window->findChild<QObject *>(QStringLiteral("aboutVersion"));
        auto *qt = window->findChild<QObject *>(QStringLiteral("aboutQt"));
        QVERIFY(version && qt);
        QVERIFY(version->property("text").toString().contains(AppInfo::version()));
        QVERIFY(qt->property("text").toString().contains(AppInfo::qtRuntimeVersion()));
        QTRY_VERIFY(about->property("opened").toBool()); // its transition done, for the picture
        window->grabWindow().save(QStringLiteral("main_window_about.png"));
        QTest::keyClick(window, Qt::Key_Escape);
        QTRY_VERIFY(!about->property("visible").toBool());

        // A room page: Ctrl+E offers the exports, a chart exported as PNG is the chart as
        // shown, Esc goes back to the dashboard.
        // RoomDetailState is a QML singleton: reached through Main.qml's own imports.
        const auto qml = [window](const QString &code) {
            QQmlExpression expression(qmlContext(window), window, code);
            return expression.evaluate();
        };
        qml(QStringLiteral("RoomDetailState.open('LOBBY', 'Main lobby', 'CHAT')"));
        auto *roomLoader = window->findChild<QQuickItem *>(QStringLiteral("roomDetailLoader"));
        QVERIFY(roomLoader);
        QTRY_VERIFY(roomLoader->property("item").value<QQuickItem *>());
        auto *page = roomLoader->property("item").value<QQuickItem *>();
        QTest::keyClick(window, Qt::Key_E, Qt::ControlModifier);
        auto *exportMenu = page->findChild<QObject *>(QStringLiteral("exportMenu"));
        QVERIFY(exportMenu);
        QTRY_VERIFY(exportMenu->property("opened").toBool());
        QTest::keyClick(window, Qt::Key_Escape); // closes the menu, not the page
        QTRY_VERIFY(!exportMenu->property("visible").toBool());
        QVERIFY(roomLoader->property("item").value<QQuickItem *>());

        auto *chart = page->findChild<QQuickItem *>(QStringLiteral("onlineChart"));
        QVERIFY(chart && chart->width() > 0);
        auto *images = singleton<ImageExporter>(engine, "ImageExporter");
        QVERIFY(images);
        QSignalSpy exported(images, &ImageExporter::finished);
        const QString png = m_config.filePath(QStringLiteral("online.png"));
        images->exportItem(chart, QUrl::fromLocalFile(png));
        QTRY_COMPARE(exported.count(), 1);
        QVERIFY2(exported.at(0).at(0).toBool(), qPrintable(exported.at(0).at(2).toString()));
        const QImage image(png);
        QCOMPARE(image.size(), chart->size().toSize());
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 4)
            for (int x = 0; x < image.width(); x += 4)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() > 3, "the chart (title, axes) should be in the image");

        // The page's export dialog, as the user accepts it: the roster as CSV, a chart as PNG;
        // the outcome in words next to the page's buttons.
        auto *dialog = page->findChild<QObject *>(QStringLiteral("exportDialog"));
        QVERIFY(dialog);
        QCOMPARE(dialog->property("parentWindow").value<QWindow *>(), window);
        const QString csv = m_config.filePath(QStringLiteral("roster.csv"));
        // What the user does in Qt Quick's file dialog (there is no native one here): the
        // folder, then the name in its file name field (which the suggestion filled).
        const auto saveAs = [&](const QString &path) {
            const QFileInfo file(path);
            QQuickItem *nameField =
                visualChild(window->contentItem(), QStringLiteral("fileNameTextField"));
            QVERIFY(nameField);
            QVERIFY2(
                nameField->property("text").toString().startsWith(QStringLiteral("spidi-LOBBY-")),
                qPrintable(nameField->property("text").toString()));
            dialog->setProperty("currentFolder", QUrl::fromLocalFile(file.absolutePath()));
            nameField->forceActiveFocus();
            QVERIFY(nameField->hasActiveFocus());
            QTest::keyClick(window, Qt::Key_A, Qt::ControlModifier);
            for (const QChar c : file.fileName())
                QTest::keyClick(window, c.toLatin1());
            QCOMPARE(nameField->property("text").toString(), file.fileName());
        };
        const auto onPage = [dialog](const QString &code) {
            QQmlExpression expression(qmlContext(dialog), dialog, code); // the page's ids
            expression.evaluate();
            if (expression.hasError())
                qWarning("%s", qPrintable(expression.error().toString()));
            return !expression.hasError();
        };
        QVERIFY(
            onPage(QStringLiteral("exportDialog.exportRows(rosterView, 'spidi-LOBBY-roster')")));
        QTRY_VERIFY(dialog->property("visible").toBool());
        saveAs(csv);
        QVERIFY(QMetaObject::invokeMethod(dialog, "accept"));
        QTRY_VERIFY(QFile::exists(csv));
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        QVERIFY(csvFile.readAll().startsWith("User,Device,OS,App version,IP,"));
        auto *message = page->findChild<QObject *>(QStringLiteral("actionMessage"));
        QVERIFY(message);
        QVERIFY2(message->property("text").toString().contains(csv),
                 qPrintable(message->property("text").toString()));

        const QString historyPng = m_config.filePath(QStringLiteral("history.png"));
        QVERIFY(
            onPage(QStringLiteral("exportDialog.exportItem(historyChart, 'spidi-LOBBY-history')")));
        QTRY_VERIFY(dialog->property("visible").toBool());
        saveAs(historyPng);
        QVERIFY(QMetaObject::invokeMethod(dialog, "accept"));
        QTRY_VERIFY(message->property("text").toString().contains(historyPng));
        QVERIFY(!QImage(historyPng).isNull());

        QTest::keyClick(window, Qt::Key_Escape);
        QTRY_VERIFY(!roomLoader->property("item").value<QQuickItem *>());
        QCOMPARE(qml(QStringLiteral("RoomDetailState.roomCode")).toString(), QString());

        QCOMPARE(engine.warningCount(), 0);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
