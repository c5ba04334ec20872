// The command line of spidi-desktop (LaunchOptions): --server, --token, --token-file (its first
// line, trimmed), the options that exclude or need each other, the hidden test hooks, and what
// ends the program before it starts (--help, --version, mistakes) with which exit code.
#include "app/launch_options.h"

#include <QTemporaryDir>
#include <QTest>

using spidi::desktop::LaunchOptions;

namespace {

LaunchOptions parse(QStringList arguments)
{
    arguments.prepend(QStringLiteral("spidi-desktop"));
    return LaunchOptions::parse(arguments);
}

} // namespace

class TestLaunchOptions : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString writeFile(const QString &name, const QByteArray &contents)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(contents) != contents.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void noOptions()
    {
        const LaunchOptions o = parse({});
        QVERIFY(!o.exitRequested());
        QCOMPARE(o.exitCode(), -1);
        QVERIFY(o.server().isEmpty());
        QVERIFY(o.token().isEmpty());
        QCOMPARE(o.quitAfterMs(), -1);
        QVERIFY(o.grabFile().isEmpty());
    }

    void serverAndToken()
    {
        const LaunchOptions o =
            parse({QStringLiteral("--server"), QStringLiteral("http://127.0.0.1:8080"),
                   QStringLiteral("--token"), QStringLiteral("a.b.c")});
        QVERIFY2(!o.exitRequested(), qPrintable(o.errorText()));
        QCOMPARE(o.server(), QStringLiteral("http://127.0.0.1:8080"));
        QCOMPARE(o.token(), QStringLiteral("a.b.c"));
        // The --option=value form too.
        const LaunchOptions eq = parse({QStringLiteral("--server=https://spidi.example")});
        QCOMPARE(eq.server(), QStringLiteral("https://spidi.example"));
    }

    void tokenFile_data()
    {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<QString>("token");
        QTest::newRow("one line") << QByteArray("a.b.c\n") << QStringLiteral("a.b.c");
        QTest::newRow("no newline") << QByteArray("a.b.c") << QStringLiteral("a.b.c");
        QTest::newRow("trimmed") << QByteArray("  a.b.c \r\n") << QStringLiteral("a.b.c");
        QTest::newRow("first line only")
            << QByteArray("first.t.k\nsecond.t.k\n") << QStringLiteral("first.t.k");
        QTest::newRow("empty") << QByteArray() << QString();
    }
    void tokenFile()
    {
        QFETCH(QByteArray, contents);
        QFETCH(QString, token);
        const QString path = writeFile(QStringLiteral("token"), contents);
        const LaunchOptions o = parse({QStringLiteral("--token-file"), path});
        QVERIFY2(!o.exitRequested(), qPrintable(o.errorText()));
        QCOMPARE(o.token(), token);
    }

    void tokenAndTokenFileExcludeEachOther()
    {
        const QString path = writeFile(QStringLiteral("both"), "a.b.c\n");
        const LaunchOptions o = parse(
            {QStringLiteral("--token"), QStringLiteral("x"), QStringLiteral("--token-file"), path});
        QVERIFY(o.exitRequested());
        QCOMPARE(o.exitCode(), 2);
        QVERIFY2(o.errorText().contains(u"exclude each other"), qPrintable(o.errorText()));
    }

    void unreadableTokenFile()
    {
        const QString missing = m_dir.filePath(QStringLiteral("missing"));
        const LaunchOptions o = parse({QStringLiteral("--token-file"), missing});
        QVERIFY(o.exitRequested());
        QCOMPARE(o.exitCode(), 2);
        QVERIFY2(o.errorText().startsWith(u"cannot read " + missing), qPrintable(o.errorText()));
        // A directory cannot be read as a token either.
        const LaunchOptions dir = parse({QStringLiteral("--token-file"), m_dir.path()});
        QVERIFY(dir.exitRequested());
        QCOMPARE(dir.exitCode(), 2);
    }

    void testHooks()
    {
        const LaunchOptions o = parse({QStringLiteral("--quit-after"), QStringLiteral("1500"),
                                       QStringLiteral("--grab"), QStringLiteral("/tmp/shot.png")});
        QVERIFY2(!o.exitRequested(), qPrintable(o.errorText()));
        QCOMPARE(o.quitAfterMs(), 1500);
        QCOMPARE(o.grabFile(), QStringLiteral("/tmp/shot.png"));
        QCOMPARE(parse({QStringLiteral("--quit-after"), QStringLiteral("0")}).quitAfterMs(), 0);
    }

    void quitAfterNeedsMilliseconds_data()
    {
        QTest::addColumn<QString>("value");
        QTest::newRow("word") << QStringLiteral("soon");
        QTest::newRow("unit") << QStringLiteral("15s");
        QTest::newRow("negative") << QStringLiteral("-1");
        QTest::newRow("empty") << QString();
    }
    void quitAfterNeedsMilliseconds()
    {
        QFETCH(QString, value);
        const LaunchOptions o = parse({QStringLiteral("--quit-after=") + value});
        QVERIFY(o.exitRequested());
        QCOMPARE(o.exitCode(), 2);
        QVERIFY2(o.errorText().contains(u"--quit-after"), qPrintable(o.errorText()));
    }

    void commandLineMistakes_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--colour")};
        QTest::newRow("missing value") << QStringList{QStringLiteral("--server")};
    }
    void commandLineMistakes()
    {
        QFETCH(QStringList, arguments);
        const LaunchOptions o = parse(arguments);
        QVERIFY(o.exitRequested());
        QCOMPARE(o.exitCode(), 1); // as QCommandLineParser::process()
        QVERIFY(!o.errorText().isEmpty());
    }

    void helpAndVersionEndWithZero_data()
    {
        QTest::addColumn<QString>("option");
        QTest::newRow("help") << QStringLiteral("--help");
        QTest::newRow("help-all") << QStringLiteral("--help-all");
        QTest::newRow("version") << QStringLiteral("--version");
    }
    void helpAndVersionEndWithZero()
    {
        QFETCH(QString, option);
        // Even next to options that would be refused: --help is honoured first.
        const LaunchOptions o =
            parse({option, QStringLiteral("--quit-after"), QStringLiteral("soon")});
        QVERIFY(o.exitRequested());
        QCOMPARE(o.exitCode(), 0);
        QVERIFY(o.errorText().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLaunchOptions)
#include "tst_launch_options.moc"
