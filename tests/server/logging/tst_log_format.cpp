// Log line format (SPEC section 12): one JSON object per line with timestamp, level, category,
// event, message and the structured fields as top-level keys; or a readable text line.
#include "logging/json_log_handler.h"
#include "logging/log_categories.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QTimeZone>
#include <QUuid>

using namespace spidi;

namespace {

const QDateTime Ts = QDateTime(QDate(2024, 5, 1), QTime(12, 51, 30, 123), QTimeZone::utc());

LogRecord sessionJoined()
{
    LogRecord r;
    r.timestamp = Ts;
    r.level = QtInfoMsg;
    r.category = "spidi.presence";
    r.event = "session.joined";
    r.message = QStringLiteral("session joined");
    r.fields = {{"room_id", QStringLiteral("r-1")},
                {"user_id", QStringLiteral("alice")},
                {"session_id", QStringLiteral("s-1")}};
    return r;
}

QJsonObject parsedLine(const QByteArray &line)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        qWarning("not a JSON object line: %s", line.constData());
    return doc.object();
}

// Messages that reach Qt's handler while a test captures them.
QStringList g_captured;
QtMsgType g_capturedType = QtDebugMsg;
QByteArray g_capturedCategory;

void captureHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    g_captured << message;
    g_capturedType = type;
    g_capturedCategory = context.category;
}

} // namespace

class TestLogFormat : public QObject
{
    Q_OBJECT

private slots:
    void jsonExactLine();
    void jsonStructuredFieldsAreTopLevel();
    void jsonLevels_data();
    void jsonLevels();
    void jsonWithoutEvent();
    void jsonEscapesAndStaysOneLine();
    void jsonFieldTypes();
    void jsonReservedKeysAreNotOverwritten();
    void jsonTimestampIsUtc();
    void textExactLine();
    void textWithoutEvent();
    void textQuotesValues();
    void textMessageEqualToEventNotRepeated();
    void textStaysOneLine();
    void logEventWithoutInstalledHandler();
    void logEventRespectsCategoryLevel();
};

void TestLogFormat::jsonExactLine()
{
    QCOMPARE(formatLogLine(LogFormat::Json, sessionJoined()),
             QByteArray(R"({"timestamp":"2024-05-01T12:51:30.123Z","level":"INFO",)"
                        R"("category":"spidi.presence","event":"session.joined",)"
                        R"("message":"session joined","room_id":"r-1","user_id":"alice",)"
                        R"("session_id":"s-1"})"
                        "\n"));
}

void TestLogFormat::jsonStructuredFieldsAreTopLevel()
{
    const QByteArray line = formatLogLine(LogFormat::Json, sessionJoined());
    QVERIFY(line.endsWith('\n'));
    QCOMPARE(line.count('\n'), 1);
    const QJsonObject o = parsedLine(line);
    QCOMPARE(o.value("timestamp").toString(), QStringLiteral("2024-05-01T12:51:30.123Z"));
    QCOMPARE(o.value("level").toString(), QStringLiteral("INFO"));
    QCOMPARE(o.value("category").toString(), QStringLiteral("spidi.presence"));
    QCOMPARE(o.value("event").toString(), QStringLiteral("session.joined"));
    QCOMPARE(o.value("message").toString(), QStringLiteral("session joined"));
    QCOMPARE(o.value("room_id").toString(), QStringLiteral("r-1"));
    QCOMPARE(o.value("user_id").toString(), QStringLiteral("alice"));
    QCOMPARE(o.value("session_id").toString(), QStringLiteral("s-1"));
    QCOMPARE(o.size(), 8);
}

void TestLogFormat::jsonLevels_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("level");
    QTest::newRow("debug") << int(QtDebugMsg) << "DEBUG";
    QTest::newRow("info") << int(QtInfoMsg) << "INFO";
    QTest::newRow("warning") << int(QtWarningMsg) << "WARNING";
    QTest::newRow("critical") << int(QtCriticalMsg) << "ERROR";
    QTest::newRow("fatal") << int(QtFatalMsg) << "FATAL";
}

void TestLogFormat::jsonLevels()
{
    QFETCH(int, type);
    QFETCH(QString, level);
    LogRecord r = sessionJoined();
    r.level = QtMsgType(type);
    QCOMPARE(parsedLine(formatLogLine(LogFormat::Json, r)).value("level").toString(), level);
    // Text: the level is a separate word, even the longest one ("WARNING").
    const QByteArray text = formatLogLine(LogFormat::Text, r);
    QVERIFY2(text.startsWith(QByteArray("2024-05-01T12:51:30.123Z " + level.toUtf8() + ' ')),
             text.constData());
    QVERIFY2(text.contains(" spidi.presence: "), text.constData());
}

void TestLogFormat::jsonWithoutEvent()
{
    // A plain qWarning() from Qt itself: no event, no fields.
    LogRecord r;
    r.timestamp = Ts;
    r.level = QtWarningMsg;
    r.category = "qt.network.ssl";
    r.message = QStringLiteral("no TLS backend");
    QCOMPARE(formatLogLine(LogFormat::Json, r),
             QByteArray(R"({"timestamp":"2024-05-01T12:51:30.123Z","level":"WARNING",)"
                        R"("category":"qt.network.ssl","message":"no TLS backend"})"
                        "\n"));
}

void TestLogFormat::jsonEscapesAndStaysOneLine()
{
    LogRecord r = sessionJoined();
    r.message = QStringLiteral("line one\nline \"two\"\t\\ é ✓");
    r.fields = {{"room_id", QStringLiteral("r\n1")}};
    const QByteArray line = formatLogLine(LogFormat::Json, r);
    QCOMPARE(line.count('\n'), 1);
    QVERIFY(line.endsWith('\n'));
    const QJsonObject o = parsedLine(line);
    QCOMPARE(o.value("message").toString(), r.message);
    QCOMPARE(o.value("room_id").toString(), QStringLiteral("r\n1"));
}

void TestLogFormat::jsonFieldTypes()
{
    const QUuid uuid = QUuid::fromString(u"{6f1c1f0e-0b7a-4e43-9a53-3e0e3c1f2a10}");
    LogRecord r = sessionJoined();
    r.fields = {
        {"count", 42},
        {"big", qint64(9007199254740991)},
        {"ratio", 0.25},
        {"ok", true},
        {"nothing", QVariant()},
        {"when", QDateTime(QDate(2024, 1, 2), QTime(3, 4, 5, 6), QTimeZone::utc())},
        {"id", uuid},
        {"bytes", QByteArray("raw")},
        {"list", QStringList{QStringLiteral("a"), QStringLiteral("b")}},
    };
    const QJsonObject o = parsedLine(formatLogLine(LogFormat::Json, r));
    QCOMPARE(o.value("count").toInt(), 42);
    QVERIFY(o.value("count").isDouble());
    QCOMPARE(o.value("big").toInteger(), qint64(9007199254740991));
    QCOMPARE(o.value("ratio").toDouble(), 0.25);
    QCOMPARE(o.value("ok").toBool(), true);
    QVERIFY(o.value("ok").isBool());
    QVERIFY(o.contains("nothing"));
    QVERIFY(o.value("nothing").isNull());
    QCOMPARE(o.value("when").toString(), QStringLiteral("2024-01-02T03:04:05.006Z"));
    QCOMPARE(o.value("id").toString(), QStringLiteral("6f1c1f0e-0b7a-4e43-9a53-3e0e3c1f2a10"));
    QCOMPARE(o.value("bytes").toString(), QStringLiteral("raw"));
    QCOMPARE(o.value("list").toArray(), (QJsonArray{"a", "b"}));
}

void TestLogFormat::jsonReservedKeysAreNotOverwritten()
{
    LogRecord r = sessionJoined();
    r.fields = {{"message", QStringLiteral("spoofed")},
                {"level", QStringLiteral("DEBUG")},
                {"timestamp", 0},
                {"room_id", QStringLiteral("r-1")}};
    const QByteArray line = formatLogLine(LogFormat::Json, r);
    const QJsonObject o = parsedLine(line);
    QCOMPARE(o.value("message").toString(), QStringLiteral("session joined"));
    QCOMPARE(o.value("level").toString(), QStringLiteral("INFO"));
    QCOMPARE(o.value("timestamp").toString(), QStringLiteral("2024-05-01T12:51:30.123Z"));
    QCOMPARE(o.value("field_message").toString(), QStringLiteral("spoofed"));
    QCOMPARE(o.value("field_level").toString(), QStringLiteral("DEBUG"));
    QCOMPARE(o.value("field_timestamp").toInt(), 0);
    QCOMPARE(o.value("room_id").toString(), QStringLiteral("r-1"));
    // Every key appears once.
    QCOMPARE(line.count("\"message\":"), 1);
    QCOMPARE(line.count("\"level\":"), 1);
}

void TestLogFormat::jsonTimestampIsUtc()
{
    LogRecord r = sessionJoined();
    r.timestamp = QDateTime(QDate(2024, 5, 1), QTime(14, 51, 30, 123), QTimeZone(2 * 3600));
    QCOMPARE(parsedLine(formatLogLine(LogFormat::Json, r)).value("timestamp").toString(),
             QStringLiteral("2024-05-01T12:51:30.123Z"));
    QVERIFY(formatLogLine(LogFormat::Text, r).startsWith("2024-05-01T12:51:30.123Z "));
}

void TestLogFormat::textExactLine()
{
    QCOMPARE(formatLogLine(LogFormat::Text, sessionJoined()),
             QByteArray("2024-05-01T12:51:30.123Z INFO    spidi.presence: session.joined - "
                        "session joined room_id=r-1 user_id=alice session_id=s-1\n"));
}

void TestLogFormat::textWithoutEvent()
{
    LogRecord r;
    r.timestamp = Ts;
    r.level = QtCriticalMsg;
    r.category = "default";
    r.message = QStringLiteral("something broke");
    QCOMPARE(formatLogLine(LogFormat::Text, r),
             QByteArray("2024-05-01T12:51:30.123Z ERROR   default: something broke\n"));
}

void TestLogFormat::textQuotesValues()
{
    LogRecord r = sessionJoined();
    r.fields = {{"reason", QStringLiteral("room is full")},
                {"expr", QStringLiteral("a=b")},
                {"empty", QString()},
                {"quote", QStringLiteral("say \"hi\"")},
                {"count", 3},
                {"nothing", QVariant()},
                {"plain", QStringLiteral("LOBBY")}};
    QCOMPARE(formatLogLine(LogFormat::Text, r),
             QByteArray("2024-05-01T12:51:30.123Z INFO    spidi.presence: session.joined - "
                        "session joined reason=\"room is full\" expr=\"a=b\" empty=\"\" "
                        "quote=\"say \\\"hi\\\"\" count=3 nothing=null plain=LOBBY\n"));
}

void TestLogFormat::textMessageEqualToEventNotRepeated()
{
    LogRecord r = sessionJoined();
    r.message = QString::fromUtf8(r.event);
    r.fields.clear();
    QCOMPARE(formatLogLine(LogFormat::Text, r),
             QByteArray("2024-05-01T12:51:30.123Z INFO    spidi.presence: session.joined\n"));
}

void TestLogFormat::textStaysOneLine()
{
    LogRecord r = sessionJoined();
    r.message = QStringLiteral("first\nsecond");
    r.fields = {{"detail", QStringLiteral("x\ny")}};
    const QByteArray line = formatLogLine(LogFormat::Text, r);
    QCOMPARE(line.count('\n'), 1);
    QVERIFY(line.endsWith('\n'));
    QVERIFY2(line.contains("first\\nsecond"), line.constData());
    QVERIFY2(line.contains("detail=\"x\\ny\""), line.constData());
}

void TestLogFormat::logEventWithoutInstalledHandler()
{
    g_captured.clear();
    const QtMessageHandler previous = qInstallMessageHandler(captureHandler);
    logEvent(lcPresence(), QtWarningMsg, "session.expired",
             {{"room_id", QStringLiteral("r-9")}, {"session_id", QStringLiteral("s-9")}});
    logEvent(lcPresence(), QtInfoMsg, "room.full", QStringLiteral("room is full"),
             {{"room_id", QStringLiteral("r-9")}});
    qInstallMessageHandler(previous);

    QCOMPARE(g_captured.size(), 2);
    QCOMPARE(g_captured.at(0), QStringLiteral("session.expired room_id=r-9 session_id=s-9"));
    QCOMPARE(g_captured.at(1), QStringLiteral("room.full - room is full room_id=r-9"));
    QCOMPARE(g_capturedType, QtInfoMsg);
    QCOMPARE(g_capturedCategory, QByteArray("spidi.presence"));
}

void TestLogFormat::logEventRespectsCategoryLevel()
{
    g_captured.clear();
    const QtMessageHandler previous = qInstallMessageHandler(captureHandler);
    // spidi.* categories log from info up by default; debug needs QT_LOGGING_RULES.
    QVERIFY(!lcDb().isDebugEnabled());
    logEvent(lcDb(), QtDebugMsg, "db.noise", {{"room_id", QStringLiteral("r")}});
    QCOMPARE(g_captured.size(), 0);
    logEvent(lcDb(), QtCriticalMsg, "db.down", {});
    qInstallMessageHandler(previous);
    QCOMPARE(g_captured, QStringList{QStringLiteral("db.down")});
    QCOMPARE(g_capturedType, QtCriticalMsg);
}

QTEST_APPLESS_MAIN(TestLogFormat)
#include "tst_log_format.moc"
