// The room detail page loaded for real (QApplication: Qt Charts needs one; offscreen, software
// Qt Quick): RoomDetailPage with its charts, roster table and controls builds without a single
// QML warning, the live chart and the roster follow the room's messages, and Esc closes it.
#include "app/console_engine.h"
#include "services/connection_service.h"
#include "services/room_detail_controller.h"

#include <QJsonArray>
#include <QtCharts/QXYSeries>

#include <QApplication>
#include <QQmlComponent>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTest>
#include <QtQml/QQmlExtensionPlugin>

Q_IMPORT_QML_PLUGIN(Spidi_UiPlugin)

using namespace spidi::desktop;

class TestRoomDetailPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loadsWithoutWarnings()
    {
        ConsoleEngine engine;
        QQmlComponent component(&engine);
        component.setData(R"(
import QtQuick
import Spidi.Ui
Window {
    width: 1300
    height: 900
    visible: true
    property alias loader: loader
    Component.onCompleted: RoomDetailState.open("LOBBY", "Main lobby", "CHAT")
    Loader {
        id: loader
        objectName: "loader"
        anchors.fill: parent
        active: RoomDetailState.roomCode !== ""
        source: "qrc:/qt/qml/Spidi/Ui/pages/RoomDetailPage.qml"
    }
}
)",
                          QUrl(QStringLiteral("qrc:/test/Window.qml")));
        std::unique_ptr<QObject> root(component.create());
        QVERIFY2(root, qPrintable(component.errorString()));
        auto *loader = root->findChild<QQuickItem *>(QStringLiteral("loader"));
        QVERIFY(loader);
        QTRY_VERIFY(loader->property("item").value<QQuickItem *>() != nullptr);
        auto *page = loader->property("item").value<QQuickItem *>();
        for (const char *name : {"onlineChart", "latencyChart", "historyChart", "rosterTable",
                                 "rosterSearch", "atField", "backButton", "roomTitle"}) {
            QVERIFY2(page->findChild<QObject *>(QLatin1String(name)), name);
        }
        QCOMPARE(
            page->findChild<QObject *>(QStringLiteral("roomTitle"))->property("text").toString(),
            QStringLiteral("Main lobby"));
        // Let bindings and the first frames settle, then: not one warning.
        QVERIFY(QTest::qWaitForWindowExposed(qobject_cast<QWindow *>(root.get())));
        QCOMPARE(engine.warningCount(), 0);

        // Messages of the room, as ConnectionService hands them on: the live chart's series
        // get the point (through replace()), and a 1,000-session roster fills the table.
        auto *controller =
            page->findChild<RoomDetailController *>(QStringLiteral("roomController"));
        QVERIFY(controller);
        QVERIFY(controller->connection());
        const qint64 ts = QDateTime::currentMSecsSinceEpoch();
        Q_EMIT controller->connection()->messageReceived(QStringLiteral("ROOM_METRICS"),
                                                         {{"type", "ROOM_METRICS"},
                                                          {"roomCode", "LOBBY"},
                                                          {"status", "ACTIVE"},
                                                          {"online", 3},
                                                          {"users", 2},
                                                          {"capacity", 10},
                                                          {"avgLatencyMs", 40},
                                                          {"p95LatencyMs", 90},
                                                          {"ts", double(ts)}});
        // Series belong to the chart, not to the QML tree: ChartView.series(index).
        const auto seriesOf = [page](const char *chart, int index) -> QXYSeries * {
            QAbstractSeries *series = nullptr;
            QMetaObject::invokeMethod(page->findChild<QObject *>(QLatin1String(chart)), "series",
                                      Q_RETURN_ARG(QAbstractSeries *, series), Q_ARG(int, index));
            return qobject_cast<QXYSeries *>(series);
        };
        QXYSeries *online = seriesOf("onlineChart", 0);
        QXYSeries *p95 = seriesOf("latencyChart", 1);
        QVERIFY(online);
        QVERIFY(p95);
        QCOMPARE(online->count(), 1);
        QCOMPARE(online->at(0).y(), 3.0);
        QCOMPARE(p95->at(0).y(), 90.0);

        QJsonArray users;
        for (int i = 0; i < 1000; ++i) {
            users.append(QJsonObject{
                {"userId", QStringLiteral("user%1").arg(i, 4, 10, QLatin1Char('0'))},
                {"sessions", QJsonArray{QJsonObject{{"sessionId", QStringLiteral("s%1").arg(i)},
                                                    {"device", "Pixel"},
                                                    {"os", i % 2 ? "Android" : "iOS"},
                                                    {"appVersion", "2.4"},
                                                    {"latencyMs", i}}}}});
        }
        Q_EMIT controller->connection()->messageReceived(
            QStringLiteral("ROOM_ROSTER"),
            {{"type", "ROOM_ROSTER"}, {"roomCode", "LOBBY"}, {"users", users}});
        auto *list = page->findChild<QQuickItem *>(QStringLiteral("rosterList"));
        QVERIFY(list);
        QTRY_COMPARE(list->property("count").toInt(), 1000);
        QCOMPARE(controller->fleet()->total(), 1000);
        QCOMPARE(engine.warningCount(), 0);
        // A screenshot in the build tree, to look at.
        auto *window = qobject_cast<QQuickWindow *>(root.get());
        QVERIFY(window);
        QVERIFY(window->grabWindow().save(QStringLiteral("room_detail_page.png")));

        // Esc in the roster search clears it first; then Esc closes the page.
        auto *search = page->findChild<QQuickItem *>(QStringLiteral("rosterSearch"));
        search->setProperty("text", QStringLiteral("user0001"));
        QTRY_COMPARE(list->property("count").toInt(), 1);
        search->forceActiveFocus();
        QTest::keyClick(window, Qt::Key_Escape);
        QTRY_COMPARE(list->property("count").toInt(), 1000);
        QVERIFY(loader->property("item").value<QQuickItem *>() != nullptr);
        QTest::keyClick(window, Qt::Key_Escape);
        QTRY_VERIFY(loader->property("item").value<QQuickItem *>() == nullptr);
        QCOMPARE(engine.warningCount(), 0);
    }
};

QTEST_MAIN(TestRoomDetailPage)
#include "tst_room_detail_page.moc"
