// STOMP frames at the byte level (common/protocol/stomp_frame.h), against the examples and
// rules of the STOMP 1.2 specification: EOLs, header escapes per version, repeated headers,
// content-length bodies holding NUL, frames split anywhere and packed together, heart-beats,
// and every malformed input the gateway must refuse.
#include "protocol/stomp_frame.h"

#include <QTest>

using namespace spidi::stomp;
using Kind = FrameParser::Item::Kind;

namespace {

// The literal's bytes, embedded NULs included (not its terminating one).
template <qsizetype N>
QByteArray raw(const char (&literal)[N])
{
    return QByteArray(literal, N - 1);
}

QList<FrameParser::Item> parseAll(FrameParser &parser, QByteArrayView bytes)
{
    parser.feed(bytes);
    QList<FrameParser::Item> items;
    for (;;) {
        FrameParser::Item item = parser.next();
        if (item.kind == Kind::NeedMore)
            return items;
        items.append(item);
        if (item.kind == Kind::Error)
            return items;
    }
}

QList<FrameParser::Item> parseAll(FrameParser &parser, const QByteArray &bytes)
{
    return parseAll(parser, QByteArrayView(bytes));
}

FrameParser::Item parseOne(QByteArrayView bytes, Version version = Version::V1_2)
{
    FrameParser parser;
    parser.setVersion(version);
    const QList<FrameParser::Item> items = parseAll(parser, bytes);
    return items.isEmpty() ? FrameParser::Item{} : items.first();
}

FrameParser::Item parseOne(const QByteArray &bytes, Version version = Version::V1_2)
{
    return parseOne(QByteArrayView(bytes), version);
}

} // namespace

class TestStompFrame : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesTheSpecificationsSendExample()
    {
        const FrameParser::Item item =
            parseOne(raw("SEND\ndestination:/queue/a\ncontent-type:text/plain\n\n"
                         "hello queue a\0"));
        QVERIFY(item.kind == Kind::Frame);
        QCOMPARE(item.frame.command, QByteArray("SEND"));
        QCOMPARE(item.frame.headers.size(), 2);
        QCOMPARE(item.frame.headerOr("destination"), QByteArray("/queue/a"));
        QCOMPARE(item.frame.headerOr("content-type"), QByteArray("text/plain"));
        QCOMPARE(item.frame.body, QByteArray("hello queue a"));
    }

    void acceptsCrLfLineEndings()
    {
        const FrameParser::Item item =
            parseOne(raw("SUBSCRIBE\r\nid:0\r\ndestination:/topic/rooms\r\n\r\n\0"));
        QVERIFY(item.kind == Kind::Frame);
        QCOMPARE(item.frame.headerOr("id"), QByteArray("0"));
        QCOMPARE(item.frame.headerOr("destination"), QByteArray("/topic/rooms"));
        QVERIFY(item.frame.body.isEmpty());
    }

    void firstOfARepeatedHeaderWins()
    {
        const FrameParser::Item item = parseOne(raw("MESSAGE\nfoo:World\nfoo:Hello\n\n\0"));
        QVERIFY(item.kind == Kind::Frame);
        QCOMPARE(item.frame.headerOr("foo"), QByteArray("World"));
        QCOMPARE(item.frame.headers.size(), 2);
    }

    void decodesEscapesPerVersion()
    {
        const QByteArray frame = raw("SEND\nkey\\cname:a\\nb\\\\c\\rd\n\n\0");
        const FrameParser::Item v12 = parseOne(frame, Version::V1_2);
        QVERIFY(v12.kind == Kind::Frame);
        QCOMPARE(v12.frame.headers.first().first, QByteArray("key:name"));
        QCOMPARE(v12.frame.headers.first().second, QByteArray("a\nb\\c\rd"));
        // 1.1 has no \r escape: undefined, so an error.
        const FrameParser::Item v11 = parseOne(frame, Version::V1_1);
        QVERIFY(v11.kind == Kind::Error);
        QVERIFY(v11.error.contains(QLatin1String("\\r")));
        // 1.0 has no escapes at all: taken literally.
        const FrameParser::Item v10 = parseOne(frame, Version::V1_0);
        QVERIFY(v10.kind == Kind::Frame);
        QCOMPARE(v10.frame.headers.first().first, QByteArray("key\\cname"));
    }

    void connectFramesAreNeverUnescaped()
    {
        const FrameParser::Item item = parseOne(raw("CONNECT\npasscode:a\\b\n\n\0"));
        QVERIFY(item.kind == Kind::Frame);
        QCOMPARE(item.frame.headerOr("passcode"), QByteArray("a\\b"));
    }

    void refusesUndefinedEscapes()
    {
        for (const QByteArray &bad :
             {QByteArray("SEND\na:\\t\n\n"), QByteArray("SEND\na:b\\\n\n")}) {
            const FrameParser::Item item = parseOne(QByteArray(bad + '\0'));
            QVERIFY2(item.kind == Kind::Error, bad.constData());
        }
    }

    void contentLengthBodiesMayHoldNul()
    {
        const QByteArray body("a\0b\0c", 5);
        const QByteArray bytes = "SEND\ncontent-length:5\n\n" + body + '\0';
        const FrameParser::Item item = parseOne(bytes);
        QVERIFY(item.kind == Kind::Frame);
        QCOMPARE(item.frame.body, body);
    }

    void contentLengthMustBeFollowedByNul()
    {
        const FrameParser::Item item = parseOne(raw("SEND\ncontent-length:2\n\nabc\0"));
        QVERIFY(item.kind == Kind::Error);
        QVERIFY(item.error.contains(QLatin1String("NUL")));
    }

    void refusesMalformedContentLength()
    {
        for (const char *value : {"-1", "abc", "1e3", "", " 3", "99999999999999999999"}) {
            const QByteArray bytes = QByteArray("SEND\ncontent-length:") + value + "\n\nabc" + '\0';
            const FrameParser::Item item = parseOne(bytes);
            QVERIFY2(item.kind == Kind::Error, value);
        }
    }

    void eolsBetweenFramesAreHeartBeats()
    {
        FrameParser parser;
        const QList<FrameParser::Item> items =
            parseAll(parser, raw("\n\r\nSEND\n\nx\0\n\nSEND\n\ny\0\n"));
        QCOMPARE(items.size(), 7);
        QVERIFY(items[0].kind == Kind::HeartBeat);
        QVERIFY(items[1].kind == Kind::HeartBeat);
        QVERIFY(items[2].kind == Kind::Frame);
        QCOMPARE(items[2].frame.body, QByteArray("x"));
        QVERIFY(items[3].kind == Kind::HeartBeat);
        QVERIFY(items[4].kind == Kind::HeartBeat);
        QVERIFY(items[5].kind == Kind::Frame);
        QCOMPARE(items[5].frame.body, QByteArray("y"));
        QVERIFY(items[6].kind == Kind::HeartBeat);
    }

    void aFrameSplitAnywhereParsesTheSame()
    {
        const QByteArray bytes =
            raw("SEND\ndestination:/app/presence/hello\ncontent-length:4\n\n{\0}x\0"
                "SEND\n\nsecond\0");
        for (qsizetype cut = 0; cut <= bytes.size(); ++cut) {
            FrameParser parser;
            QList<FrameParser::Item> items = parseAll(parser, QByteArrayView(bytes).first(cut));
            items += parseAll(parser, QByteArrayView(bytes).sliced(cut));
            QCOMPARE(items.size(), 2);
            QVERIFY(items[0].kind == Kind::Frame);
            QCOMPARE(items[0].frame.body, raw("{\0}x"));
            QCOMPARE(items[1].frame.body, QByteArray("second"));
            QCOMPARE(parser.bufferedBytes(), 0);
        }
    }

    void boundsFrameSizeAndHeaderCount()
    {
        FrameParser small(64, 3);
        QVERIFY(parseAll(small, QByteArray("SEND\n\n" + QByteArray(100, 'x'))).last().kind ==
                Kind::Error);
        // Refused before the terminating NUL arrives: nothing unbounded is buffered.
        QVERIFY(small.failed());

        FrameParser headers(65536, 3);
        const QList<FrameParser::Item> items =
            parseAll(headers, raw("SEND\na:1\nb:2\nc:3\nd:4\n\n\0"));
        QVERIFY(items.last().kind == Kind::Error);
        QVERIFY(items.last().error.contains(QLatin1String("headers")));

        FrameParser length(64);
        QVERIFY(parseAll(length, QByteArrayView("SEND\ncontent-length:1000\n\n")).last().kind ==
                Kind::Error);
    }

    void refusesMalformedFrames()
    {
        const QList<QByteArray> bad{
            QByteArray("send\n\n"),          // lower-case command
            QByteArray("SE ND\n\n"),         // not a command
            QByteArray("SEND\nnocolon\n\n"), // header without ':'
            QByteArray("SEND\n:value\n\n"),  // empty header name
            QByteArray("\rX"),               // CR without LF between frames
        };
        for (const QByteArray &bytes : bad) {
            const FrameParser::Item item = parseOne(QByteArray(bytes + '\0'));
            QVERIFY2(item.kind == Kind::Error, bytes.constData());
            QVERIFY(!item.error.isEmpty());
        }
    }

    void staysFailedAfterAnError()
    {
        FrameParser parser;
        QVERIFY(parseAll(parser, QByteArrayView("bad\n\n")).last().kind == Kind::Error);
        parser.feed(raw("SEND\n\n\0"));
        QVERIFY(parser.next().kind == Kind::Error);
    }

    void encodesWithEscapesAndContentLength()
    {
        const Frame frame{"MESSAGE", {{"message", "a:b\nc\\d\re"}}, raw("x\0y")};
        const QByteArray v12 = encode(frame, Version::V1_2);
        QCOMPARE(v12, raw("MESSAGE\nmessage:a\\cb\\nc\\\\d\\re\ncontent-length:3\n\nx\0y\0"));
        // The round trip gives the frame back (plus the content-length header).
        const FrameParser::Item back = parseOne(v12);
        QVERIFY(back.kind == Kind::Frame);
        QCOMPARE(back.frame.headerOr("message"), QByteArray("a:b\nc\\d\re"));
        QCOMPARE(back.frame.body, frame.body);
        // 1.1 drops the CR it cannot carry; 1.0 turns line breaks into spaces.
        QVERIFY(encode(frame, Version::V1_1).startsWith("MESSAGE\nmessage:a\\cb\\nc\\\\de\n"));
        QVERIFY(encode(frame, Version::V1_0).startsWith("MESSAGE\nmessage:a:b c\\d e\n"));
        // CONNECTED is never escaped.
        QCOMPARE(encode(Frame{"CONNECTED", {{"server", "spidi/1:2"}}, {}}, Version::V1_2),
                 raw("CONNECTED\nserver:spidi/1:2\n\n\0"));
    }

    void negotiatesVersionNames()
    {
        QVERIFY(parseVersion("1.2") == Version::V1_2);
        QVERIFY(parseVersion("1.0") == Version::V1_0);
        QVERIFY(!parseVersion("2.0"));
        QCOMPARE(versionName(Version::V1_1), QByteArray("1.1"));
    }
};

QTEST_GUILESS_MAIN(TestStompFrame)
#include "tst_stomp_frame.moc"
