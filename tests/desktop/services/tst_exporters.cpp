// The exports: the roster as CSV (RFC 4180 quoting of commas, quotes and line breaks, the
// header, ISO 8601 UTC times, values of a real RosterModel seen through the page's filtered and
// sorted RosterFilterModel, spreadsheet formulas neutralised, errors in words), and a rendered
// Qt Quick item as PNG (offscreen; the file is a PNG of the item's size, not a blank one).
#include "models/roster_filter_model.h"
#include "models/roster_model.h"
#include "services/csv_exporter.h"
#include "services/image_exporter.h"

#include <QFile>
#include <QImageReader>
#include <QJsonArray>
#include <QQmlComponent>
#include <QQmlEngine>
#include <QQuickView>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace spidi::desktop;

namespace {

constexpr qint64 kT0 = 1795860000000; // 2026-11-28T10:00:00Z

QJsonObject session(const QString &id, const QString &user, const QString &device,
                    const QJsonValue &latency)
{
    return {{"sessionId", id},
            {"userId", user},
            {"clientId", QString("c-" + id)},
            {"device", device},
            {"os", "Linux 6.1"},
            {"appVersion", "2.4.1"},
            {"ip", "10.0.0.7"},
            {"latencyMs", latency},
            {"connectedAt", double(kT0)},
            {"lastHeartbeatAt", double(kT0 + 61500)}};
}

QJsonObject snapshot(const QList<QJsonObject> &sessions)
{
    QJsonArray users;
    for (const QJsonObject &s : sessions)
        users.append(QJsonObject{{"userId", s.value("userId")}, {"sessions", QJsonArray{s}}});
    return {{"type", "ROOM_ROSTER"}, {"roomCode", "LOBBY"}, {"users", users}};
}

} // namespace

class TestExporters : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void csvFieldQuoting()
    {
        QCOMPARE(CsvExporter::field("plain"), QStringLiteral("plain"));
        QCOMPARE(CsvExporter::field(""), QString());
        QCOMPARE(CsvExporter::field("a,b"), QStringLiteral("\"a,b\""));
        QCOMPARE(CsvExporter::field("say \"hi\""), QStringLiteral("\"say \"\"hi\"\"\""));
        QCOMPARE(CsvExporter::field("two\nlines"), QStringLiteral("\"two\nlines\""));
        QCOMPARE(CsvExporter::field("cr\rhere"), QStringLiteral("\"cr\rhere\""));
        QCOMPARE(CsvExporter::field(QStringLiteral("Zoë's Mac")), QStringLiteral("Zoë's Mac"));
        QCOMPARE(CsvExporter::record({"a", "b,c", ""}), QStringLiteral("a,\"b,c\",\r\n"));
    }

    void rosterCsvFromTheFilteredSortedRoster()
    {
        RosterModel roster;
        roster.applySnapshot(snapshot({
            session("s1", "bob", "Pixel, 8", 42.5),
            session("s2", "alice", "MacBook \"Air\"", QJsonValue(QJsonValue::Null)),
            session("s3", "carol", "=HYPERLINK(\"http://x\")", 7),
            session("s4", "dave", "line\nbreak", 12),
        }));
        QCOMPARE(roster.count(), 4);
        RosterFilterModel view;
        view.setSourceModel(&roster);
        view.setSortColumnRole(RosterModel::UserIdRole);
        view.setSearch(QString()); // all
        QCOMPARE(view.count(), 4);

        const QString csv = QString::fromUtf8(CsvExporter::rosterCsv(view));
        const QStringList records = csv.split(QStringLiteral("\r\n"));
        QCOMPARE(records.size(), 6); // header, 4 rows, "" after the last CRLF
        QCOMPARE(records.at(0),
                 QStringLiteral("User,Device,OS,App version,IP,Latency (ms),"
                                "Connected since (UTC),Last heartbeat (UTC),Session"));
        // Sorted by user as the table shows it.
        QCOMPARE(records.at(1), QStringLiteral("alice,\"MacBook \"\"Air\"\"\",Linux 6.1,2.4.1,"
                                               "10.0.0.7,,2026-11-28T10:00:00.000Z,"
                                               "2026-11-28T10:01:01.500Z,s2"));
        QCOMPARE(records.at(2),
                 QStringLiteral("bob,\"Pixel, 8\",Linux 6.1,2.4.1,10.0.0.7,42.5,"
                                "2026-11-28T10:00:00.000Z,2026-11-28T10:01:01.500Z,s1"));
        QVERIFY2(
            records.at(3).startsWith(QStringLiteral("carol,\"'=HYPERLINK(\"\"http://x\"\")\",")),
            qPrintable(records.at(3)));
        QVERIFY2(records.at(4).startsWith(QStringLiteral("dave,\"line\nbreak\",")),
                 qPrintable(records.at(4)));
        QCOMPARE(records.at(5), QString());

        // Filtered and sorted the other way: what the table shows, in its order.
        view.setSearch(QStringLiteral("a")); // alice, carol, dave (and "MacBook" etc.)
        view.setDescending(true);
        const QStringList filtered =
            QString::fromUtf8(CsvExporter::rosterCsv(view)).split(QStringLiteral("\r\n"));
        QStringList users;
        for (qsizetype i = 1; i < filtered.size() - 1; ++i)
            users.append(filtered.at(i).section(u',', 0, 0));
        QStringList expected;
        for (int row = 0; row < view.count(); ++row)
            expected.append(view.index(row, 0).data(RosterModel::UserIdRole).toString());
        QCOMPARE(users, expected);
        QCOMPARE(users, (QStringList{"dave", "carol", "alice"}));
    }

    void rosterExportWritesUtf8File()
    {
        RosterModel roster;
        roster.applySnapshot(snapshot({session("s1", QStringLiteral("zoë"), "Pixel", 9)}));
        QTemporaryDir dir;
        CsvExporter exporter;
        QSignalSpy finished(&exporter, &CsvExporter::finished);
        const QString path = dir.filePath("roster.csv");
        QVERIFY(exporter.exportRoster(&roster, QUrl::fromLocalFile(path)));
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).toBool(), true);
        QCOMPARE(exporter.lastError(), QString());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QVERIFY(bytes.startsWith("User,Device,"));
        QVERIFY(bytes.contains(QStringLiteral("zoë,Pixel").toUtf8()));

        // A folder that does not exist: refused, in words naming the file.
        const QString bad = dir.filePath("missing/roster.csv");
        QVERIFY(!exporter.exportRoster(&roster, QUrl::fromLocalFile(bad)));
        QVERIFY2(exporter.lastError().contains(bad), qPrintable(exporter.lastError()));
        QCOMPARE(finished.at(1).at(0).toBool(), false);
    }

    void suggestedFiles()
    {
        const CsvExporter csv;
        const QUrl file = csv.suggestedFile(QStringLiteral("LOBBY roster/x"));
        QVERIFY(file.isLocalFile());
        QVERIFY2(file.fileName().startsWith(QStringLiteral("LOBBY-roster-x-")),
                 qPrintable(file.fileName()));
        QVERIFY(file.fileName().endsWith(QStringLiteral(".csv")));
        const ImageExporter png;
        QVERIFY(png.suggestedFile(QStringLiteral("LOBBY-online")).fileName().endsWith(".png"));
    }

    void pngOfARenderedItem()
    {
        QQuickView view;
        QQmlComponent component(view.engine());
        component.setData(R"(
import QtQuick
Rectangle {
    width: 160; height: 90; color: "#204060"
    Rectangle { x: 10; y: 10; width: 60; height: 40; color: "orange" }
    Text { x: 80; y: 50; text: "42"; color: "white"; font.pixelSize: 24 }
})",
                          QUrl());
        auto *item = qobject_cast<QQuickItem *>(component.create());
        QVERIFY2(item, qPrintable(component.errorString()));
        item->setParentItem(view.contentItem());
        view.resize(300, 200);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));

        QTemporaryDir dir;
        const QString path = dir.filePath("tile.png");
        ImageExporter exporter;
        QSignalSpy finished(&exporter, &ImageExporter::finished);
        exporter.exportItem(item, QUrl::fromLocalFile(path));
        QTRY_COMPARE(finished.count(), 1);
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(2).toString()));
        QCOMPARE(finished.at(0).at(1).toString(), path);

        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.read(8), QByteArray("\x89PNG\r\n\x1a\n", 8));
        file.close();
        QImageReader reader(path);
        QCOMPARE(reader.format(), QByteArray("png"));
        const QImage image = reader.read();
        QVERIFY2(!image.isNull(), qPrintable(reader.errorString()));
        QCOMPARE(image.size(), QSize(160, 90));
        QCOMPARE(QColor(image.pixel(150, 5)), QColor("#204060"));
        QCOMPARE(QColor(image.pixel(30, 30)), QColor("orange"));
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 3)
            for (int x = 0; x < image.width(); x += 3)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() >= 3, "the image should show the item, not a blank");

        // Into a folder that does not exist: the error names the file.
        const QString bad = dir.filePath("missing/tile.png");
        exporter.exportItem(item, QUrl::fromLocalFile(bad));
        QTRY_COMPARE(finished.count(), 2);
        QCOMPARE(finished.at(1).at(0).toBool(), false);
        QVERIFY2(exporter.lastError().contains(bad), qPrintable(exporter.lastError()));
        // An item that is not shown cannot be grabbed.
        QQuickItem loose;
        exporter.exportItem(&loose, QUrl::fromLocalFile(path));
        QCOMPARE(finished.count(), 3);
        QCOMPARE(finished.at(2).at(0).toBool(), false);
        delete item;
    }
};

QTEST_MAIN(TestExporters)
#include "tst_exporters.moc"
