// RoomEditor without a server: every field check of the server (server/rest/room_json.cpp,
// server/db/room_repository.cpp) shown before sending, the type picker's defaults, tags and
// attributes, the body sent, and the conflict difference (which fields differ).
#include "services/editor_support.h"
#include "services/room_editor.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace spidi::desktop;

namespace {

QVariantList types()
{
    return {QVariantMap{{QStringLiteral("code"), QStringLiteral("CHAT")},
                        {QStringLiteral("defaultCapacity"), 500},
                        {QStringLiteral("defaultTtlSec"), 3600}},
            QVariantMap{{QStringLiteral("code"), QStringLiteral("WEBRTC")},
                        {QStringLiteral("defaultCapacity"), 50},
                        {QStringLiteral("defaultTtlSec"), 7200}}};
}

// A valid new room: code LOBBY-1, name, type CHAT (500 / 3600).
void fillValid(RoomEditor &editor)
{
    editor.setRoomTypes(types());
    editor.newRoom();
    editor.setProperty("code", QStringLiteral("LOBBY-1"));
    editor.setProperty("name", QStringLiteral("Main lobby"));
    editor.setTypeCode(QStringLiteral("CHAT"));
}

QString errorOf(const RoomEditor &editor, const char *field)
{
    return editor.errors().value(QLatin1String(field)).toString();
}

} // namespace

class TestRoomEditor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validFormHasNoErrors()
    {
        RoomEditor editor;
        fillValid(editor);
        QVERIFY(editor.creating());
        QVERIFY(editor.validate());
        QVERIFY(editor.errors().isEmpty());
    }

    void typePickerFillsDefaults()
    {
        RoomEditor editor;
        fillValid(editor);
        QCOMPARE(editor.property("capacity").toInt(), 500);
        QCOMPARE(editor.property("ttlSec").toInt(), 3600);
        QSignalSpy changed(&editor, &RoomEditor::changed);
        editor.setTypeCode(QStringLiteral("WEBRTC"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(editor.property("capacity").toInt(), 50);
        QCOMPARE(editor.property("ttlSec").toInt(), 7200);
        QCOMPARE(editor.roomTypeCodes(),
                 (QStringList{QStringLiteral("CHAT"), QStringLiteral("WEBRTC")}));
    }

    void codeRules_data()
    {
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("valid");
        QTest::newRow("two characters") << "AB" << true;
        QTest::newRow("digits, dash, underscore") << "9_ROOM-2" << true;
        QTest::newRow("64 characters") << QString(64, QLatin1Char('A')) << true;
        QTest::newRow("65 characters") << QString(65, QLatin1Char('A')) << false;
        QTest::newRow("one character") << "A" << false;
        QTest::newRow("lower case") << "lobby" << false;
        QTest::newRow("starts with a dash") << "-LOBBY" << false;
        QTest::newRow("space") << "LOB BY" << false;
        QTest::newRow("empty") << "" << false;
    }
    void codeRules()
    {
        QFETCH(QString, code);
        QFETCH(bool, valid);
        RoomEditor editor;
        fillValid(editor);
        editor.setProperty("code", code);
        QCOMPARE(editor.validate(), valid);
        QCOMPARE(errorOf(editor, "code").isEmpty(), valid);
        if (code.isEmpty())
            QCOMPARE(errorOf(editor, "code"), QStringLiteral("code is required"));
        else if (!valid)
            QVERIFY(errorOf(editor, "code").startsWith(QStringLiteral("code must be 2 to 64")));
    }

    void nameRules_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("one character") << "x" << true;
        QTest::newRow("200 characters") << QString(200, QLatin1Char('n')) << true;
        QTest::newRow("200 after trimming") << "  " + QString(200, QLatin1Char('n')) + "  " << true;
        QTest::newRow("201 characters") << QString(201, QLatin1Char('n')) << false;
        QTest::newRow("blank") << "   " << false;
        QTest::newRow("empty") << "" << false;
    }
    void nameRules()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        RoomEditor editor;
        fillValid(editor);
        editor.setProperty("name", name);
        QCOMPARE(editor.validate(), valid);
        QCOMPARE(errorOf(editor, "name"),
                 valid ? QString() : QStringLiteral("name must be 1 to 200 characters"));
    }

    void typeStatusCapacityTtl()
    {
        RoomEditor editor;
        fillValid(editor);
        editor.setProperty("capacity", 0);
        editor.setProperty("ttlSec", -5);
        editor.setProperty("status", QStringLiteral("BROKEN"));
        QVERIFY(!editor.validate());
        QCOMPARE(errorOf(editor, "capacity"), QStringLiteral("capacity must be greater than 0"));
        QCOMPARE(errorOf(editor, "ttlSec"), QStringLiteral("ttlSec must be greater than 0"));
        QCOMPARE(errorOf(editor, "status"),
                 QStringLiteral("status must be ACTIVE, MAINTENANCE or CLOSED, not 'BROKEN'"));
        editor.setProperty("capacity", 1);
        editor.setProperty("ttlSec", 1);
        editor.setProperty("status", QStringLiteral("MAINTENANCE"));
        QVERIFY(editor.validate());

        editor.setTypeCode(QStringLiteral("NOPE"));
        QVERIFY(!editor.validate());
        QCOMPARE(errorOf(editor, "typeCode"), QStringLiteral("unknown room type 'NOPE'"));
        editor.setTypeCode(QString());
        QVERIFY(!editor.validate());
        QCOMPARE(errorOf(editor, "typeCode"), QStringLiteral("typeCode is required"));
    }

    void tagRules()
    {
        RoomEditor editor;
        fillValid(editor);
        editor.addTag(QStringLiteral(" eu "));
        editor.addTag(QStringLiteral("eu")); // a duplicate once trimmed: dropped when sent
        editor.addTag(QString(64, QLatin1Char('t')));
        QVERIFY(editor.validate());
        QCOMPARE(editor.toJson().value(QStringLiteral("tags")).toArray(),
                 (QJsonArray{QStringLiteral("eu"), QString(64, QLatin1Char('t'))}));

        editor.addTag(QString(65, QLatin1Char('t')));
        QVERIFY(!editor.validate());
        QCOMPARE(errorOf(editor, "tags"), QStringLiteral("each tag must be 1 to 64 characters"));
        editor.removeTag(3);
        editor.addTag(QStringLiteral("  "));
        QVERIFY(!editor.validate());
        QCOMPARE(errorOf(editor, "tags"), QStringLiteral("each tag must be 1 to 64 characters"));
        editor.removeTag(3);
        QVERIFY(editor.validate());

        // 32 distinct tags are fine, 33 are not; duplicates do not count.
        for (int i = 0; i < 30; ++i)
            editor.addTag(QStringLiteral("tag%1").arg(i));
        editor.addTag(QStringLiteral("tag0"));
        QCOMPARE(editor.tags().size(), 34);
        QVERIFY(editor.validate());
        editor.addTag(QStringLiteral("one-more"));
        QVERIFY(!editor.validate());
        QCOMPARE(errorOf(editor, "tags"), QStringLiteral("a room has at most 32 tags"));
    }

    void attributeRules()
    {
        RoomEditor editor;
        fillValid(editor);
        editor.addAttribute();
        editor.setAttribute(0, QStringLiteral("floor"), QStringLiteral("3"));
        editor.addAttribute();
        editor.setAttribute(1, QStringLiteral("owner"), QString(4096, QLatin1Char('v')));
        QVERIFY(editor.validate());
        QCOMPARE(editor.toJson()
                     .value(QStringLiteral("attributes"))
                     .toObject()
                     .value(QStringLiteral("floor")),
                 QJsonValue(QStringLiteral("3")));

        editor.setAttribute(1, QStringLiteral("owner"), QString(4097, QLatin1Char('v')));
        QVERIFY(!editor.validate());
        QCOMPARE(errorOf(editor, "attributes"),
                 QStringLiteral("attribute 'owner' is longer than 4096 characters"));
        editor.setAttribute(1, QStringLiteral("floor"), QStringLiteral("4"));
        QVERIFY(!editor.validate());
        QCOMPARE(errorOf(editor, "attributes"), QStringLiteral("attribute 'floor' appears twice"));
        editor.setAttribute(1, QStringLiteral(" "), QStringLiteral("4"));
        QVERIFY(!editor.validate());
        QCOMPARE(errorOf(editor, "attributes"),
                 QStringLiteral("attribute keys must be 1 to 128 characters"));
        editor.setAttribute(1, QString(129, QLatin1Char('k')), QStringLiteral("4"));
        QVERIFY(!editor.validate());
        editor.setAttribute(1, QString(128, QLatin1Char('k')), QStringLiteral("4"));
        QVERIFY(editor.validate());
        editor.removeAttribute(1);
        QCOMPARE(editor.attributes().size(), 1);

        for (int i = 1; i < 100; ++i) {
            editor.addAttribute();
            editor.setAttribute(i, QStringLiteral("k%1").arg(i), QString());
        }
        QVERIFY(editor.validate());
        editor.addAttribute();
        editor.setAttribute(100, QStringLiteral("k100"), QString());
        QVERIFY(!editor.validate());
        QCOMPARE(errorOf(editor, "attributes"),
                 QStringLiteral("a room has at most 100 attributes"));
    }

    void bodyForCreateAndUpdate()
    {
        RoomEditor editor;
        fillValid(editor);
        QJsonObject body = editor.toJson();
        QCOMPARE(body.value(QStringLiteral("code")).toString(), QStringLiteral("LOBBY-1"));
        QCOMPARE(body.value(QStringLiteral("capacity")).toInt(), 500);
        QVERIFY(!body.contains(QStringLiteral("version")));

        editor.loadJson({{QStringLiteral("id"), QStringLiteral("r1")},
                         {QStringLiteral("code"), QStringLiteral("LOBBY-1")},
                         {QStringLiteral("name"), QStringLiteral("Lobby")},
                         {QStringLiteral("typeCode"), QStringLiteral("CHAT")},
                         {QStringLiteral("status"), QStringLiteral("ACTIVE")},
                         {QStringLiteral("capacity"), 60},
                         {QStringLiteral("ttlSec"), 100},
                         {QStringLiteral("tags"), QJsonArray{QStringLiteral("eu")}},
                         {QStringLiteral("attributes"),
                          QJsonObject{{QStringLiteral("floor"), QStringLiteral("3")}}},
                         {QStringLiteral("version"), 4}});
        QVERIFY(!editor.creating());
        QCOMPARE(editor.version(), qint64(4));
        // Loading a room keeps its capacity: the type's defaults apply only when picking one.
        QCOMPARE(editor.property("capacity").toInt(), 60);
        body = editor.toJson();
        QVERIFY(!body.contains(QStringLiteral("code")));
        QCOMPARE(body.value(QStringLiteral("attributes")).toObject().value(QStringLiteral("floor")),
                 QJsonValue(QStringLiteral("3")));
        // The code cannot change on an update, so it is not checked.
        editor.setProperty("code", QStringLiteral("lower"));
        QVERIFY(editor.validate());
    }

    void conflictDiffNamesTheChangedFields()
    {
        const QJsonObject mine{{QStringLiteral("name"), QStringLiteral("Lobby (mine)")},
                               {QStringLiteral("typeCode"), QStringLiteral("CHAT")},
                               {QStringLiteral("status"), QStringLiteral("ACTIVE")},
                               {QStringLiteral("capacity"), 60},
                               {QStringLiteral("ttlSec"), 3600},
                               {QStringLiteral("tags"), QJsonArray{QStringLiteral("eu")}},
                               {QStringLiteral("attributes"), QJsonObject{}}};
        QJsonObject theirs = mine;
        theirs.insert(QStringLiteral("name"), QStringLiteral("Lobby (theirs)"));
        theirs.insert(QStringLiteral("tags"),
                      QJsonArray{QStringLiteral("eu"), QStringLiteral("public")});
        theirs.insert(QStringLiteral("attributes"),
                      QJsonObject{{QStringLiteral("floor"), QStringLiteral("4")}});
        theirs.insert(QStringLiteral("version"), 7); // not compared
        const QVariantList diff = diffFields(mine, theirs, RoomEditor::comparedFields());
        QCOMPARE(diff.size(), 3);
        const QVariantMap name = diff.at(0).toMap();
        QCOMPARE(name.value(QStringLiteral("field")).toString(), QStringLiteral("name"));
        QCOMPARE(name.value(QStringLiteral("mine")).toString(), QStringLiteral("Lobby (mine)"));
        QCOMPARE(name.value(QStringLiteral("theirs")).toString(), QStringLiteral("Lobby (theirs)"));
        QCOMPARE(diff.at(1).toMap().value(QStringLiteral("field")).toString(),
                 QStringLiteral("tags"));
        QCOMPARE(diff.at(1).toMap().value(QStringLiteral("theirs")).toString(),
                 QStringLiteral("eu, public"));
        QCOMPARE(diff.at(2).toMap().value(QStringLiteral("field")).toString(),
                 QStringLiteral("attributes"));
        QCOMPARE(diff.at(2).toMap().value(QStringLiteral("mine")).toString(), QStringLiteral("—"));
        QCOMPARE(diff.at(2).toMap().value(QStringLiteral("theirs")).toString(),
                 QStringLiteral("floor=4"));
        QVERIFY(diffFields(mine, mine, RoomEditor::comparedFields()).isEmpty());
    }

    void problemsInWords()
    {
        QCOMPARE(fieldKey(QStringLiteral("attributes.floor")), QStringLiteral("attributes"));
        QCOMPARE(fieldKey(QStringLiteral("channels[1].url")), QStringLiteral("channels"));
        QCOMPARE(fieldKey(QStringLiteral("code")), QStringLiteral("code"));
        QCOMPARE(problemText({{QStringLiteral("status"), 422},
                              {QStringLiteral("title"), QStringLiteral("Validation failed")},
                              {QStringLiteral("detail"), QStringLiteral("name is required")}}),
                 QStringLiteral("name is required"));
        QCOMPARE(problemText({{QStringLiteral("status"), 0},
                              {QStringLiteral("title"), QStringLiteral("Network error")},
                              {QStringLiteral("detail"), QStringLiteral("refused")}}),
                 QStringLiteral("Network error: refused"));
    }
};

QTEST_GUILESS_MAIN(TestRoomEditor)
#include "tst_room_editor.moc"
