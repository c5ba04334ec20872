// Unit: the reconnect backoff's delays (doubling, cap, jitter bounds, reset, seeding).
#include "reconnect_backoff.h"

#include <QTest>

using spidi::ReconnectBackoff;
using namespace std::chrono_literals;

class TestReconnectBackoff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void withoutJitterDelaysDoubleUpToTheCap()
    {
        ReconnectBackoff backoff({100ms, 1000ms, 2.0, 0.0}, 1);
        QList<qint64> delays;
        for (int i = 0; i < 7; ++i)
            delays.append(backoff.nextDelay().count());
        QCOMPARE(delays, (QList<qint64>{100, 200, 400, 800, 1000, 1000, 1000}));
        QCOMPARE(backoff.attempts(), 7);
    }

    void jitterStaysWithinItsBoundsAndNeverPassesTheCap()
    {
        const double jitter = 0.3;
        ReconnectBackoff backoff({250ms, 8000ms, 2.0, jitter}, 42);
        for (int round = 0; round < 50; ++round) {
            backoff.reset();
            for (int attempt = 0; attempt < 12; ++attempt) {
                const qint64 base = backoff.baseDelay(attempt).count();
                const qint64 delay = backoff.nextDelay().count();
                QVERIFY2(
                    delay <= base,
                    qPrintable(
                        QStringLiteral("attempt %1: %2 > %3").arg(attempt).arg(delay).arg(base)));
                QVERIFY2(delay >= qint64(double(base) * (1.0 - jitter)),
                         qPrintable(QStringLiteral("attempt %1: %2 below the jitter bound of %3")
                                        .arg(attempt)
                                        .arg(delay)
                                        .arg(base)));
                QVERIFY(delay <= 8000);
            }
        }
    }

    void jitterActuallySpreadsTheDelays()
    {
        // A fleet that reconnects in lock step is what jitter exists to prevent.
        QSet<qint64> firstDelays;
        for (quint64 seed = 1; seed <= 20; ++seed) {
            ReconnectBackoff backoff({1000ms, 30000ms, 2.0, 0.5}, seed);
            firstDelays.insert(backoff.nextDelay().count());
        }
        QVERIFY2(firstDelays.size() >= 15,
                 qPrintable(QStringLiteral("only %1 distinct delays").arg(firstDelays.size())));
    }

    void sameSeedSameDelays()
    {
        ReconnectBackoff a({100ms, 5000ms, 2.0, 0.5}, 7);
        ReconnectBackoff b({100ms, 5000ms, 2.0, 0.5}, 7);
        ReconnectBackoff c({100ms, 5000ms, 2.0, 0.5}, 8);
        QList<qint64> da, db, dc;
        for (int i = 0; i < 10; ++i) {
            da.append(a.nextDelay().count());
            db.append(b.nextDelay().count());
            dc.append(c.nextDelay().count());
        }
        QCOMPARE(da, db);
        QVERIFY(da != dc);
    }

    void resetStartsOverFromTheInitialDelay()
    {
        ReconnectBackoff backoff({100ms, 10000ms, 2.0, 0.0}, 3);
        for (int i = 0; i < 5; ++i)
            backoff.nextDelay();
        QCOMPARE(backoff.nextDelay().count(), 3200); // sixth attempt: 100·2⁵
        backoff.reset();
        QCOMPARE(backoff.attempts(), 0);
        QCOMPARE(backoff.nextDelay().count(), 100);
    }

    void nonsenseSettingsAreClamped()
    {
        // A zero initial delay would be a reconnect storm; a cap below it would be ignored.
        ReconnectBackoff backoff({0ms, 0ms, 0.5, 7.0}, 1);
        QCOMPARE(backoff.config().initial.count(), 1);
        QCOMPARE(backoff.config().max.count(), 1);
        QCOMPARE(backoff.config().multiplier, 1.0);
        QCOMPARE(backoff.config().jitter, 1.0);
        QVERIFY(backoff.nextDelay().count() >= 1);
    }

    void hugeAttemptCountsDoNotOverflow()
    {
        ReconnectBackoff backoff({100ms, 60000ms, 2.0, 0.0}, 1);
        for (int i = 0; i < 5000; ++i)
            QVERIFY(backoff.nextDelay().count() <= 60000);
        QCOMPARE(backoff.nextDelay().count(), 60000);
    }
};

QTEST_GUILESS_MAIN(TestReconnectBackoff)
#include "tst_reconnect_backoff.moc"
