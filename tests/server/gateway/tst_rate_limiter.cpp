// The per-connection token bucket with explicit timestamps: no test here reads a clock. Rates
// and steps are chosen so that every token count is an exact binary fraction, so the counts
// asserted are exact, not approximate.
#include "gateway/rate_limiter.h"

#include <QTest>

using spidi::RateLimiter;

namespace {

constexpr qint64 T0 = 1'700'000'000'000; // a realistic epoch-ms start

// How many of `attempts` calls at the same instant are admitted.
int acquireAt(RateLimiter &limiter, qint64 nowMs, int attempts)
{
    int admitted = 0;
    for (int i = 0; i < attempts; ++i)
        admitted += limiter.tryAcquire(nowMs) ? 1 : 0;
    return admitted;
}

} // namespace

class TestRateLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void startsWithAFullBurst()
    {
        RateLimiter limiter(10, 5);
        QCOMPARE(acquireAt(limiter, T0, 100), 5);
    }

    void defaultGatewayLimitsAdmitExactlyTheBurstAtOnce()
    {
        // GatewayLimits defaults: 50/s, burst 100.
        RateLimiter limiter(50, 100);
        QCOMPARE(acquireAt(limiter, T0, 1000), 100);
        // 20 ms at 50/s is exactly one token.
        QCOMPARE(acquireAt(limiter, T0 + 20, 10), 1);
        QCOMPARE(acquireAt(limiter, T0 + 30, 10), 0); // half a token
        QCOMPARE(acquireAt(limiter, T0 + 40, 10), 1);
        // One idle second gives back exactly 50.
        QCOMPARE(acquireAt(limiter, T0 + 1040, 1000), 50);
    }

    void refillsAtTheConfiguredRate()
    {
        RateLimiter limiter(10, 5); // one token per 100 ms
        QCOMPARE(acquireAt(limiter, T0, 5), 5);
        QVERIFY(!limiter.tryAcquire(T0));
        QVERIFY(!limiter.tryAcquire(T0 + 50)); // half a token
        QVERIFY(limiter.tryAcquire(T0 + 100)); // 0.5 + 0.5
        QVERIFY(!limiter.tryAcquire(T0 + 100));
        QCOMPARE(acquireAt(limiter, T0 + 400, 10), 3); // 300 ms: three tokens
    }

    void refillIsCappedAtTheBurst()
    {
        RateLimiter limiter(10, 5);
        QCOMPARE(acquireAt(limiter, T0, 5), 5);
        // An hour idle refills the bucket, but never beyond the burst.
        QCOMPARE(acquireAt(limiter, T0 + 3'600'000, 100), 5);
        // A bucket that was never drained does not grow either.
        RateLimiter idle(10, 5);
        QVERIFY(idle.tryAcquire(T0));
        QCOMPARE(acquireAt(idle, T0 + 3'600'000, 100), 5);
    }

    void sustainedRateOverEightSecondsIsExact()
    {
        // 125/s is 0.125 token per ms: exact in binary floating point. One attempt every ms for
        // 8 s admits the initial burst plus exactly 8 s worth of tokens.
        RateLimiter limiter(125, 10);
        int admitted = 0;
        for (qint64 t = 0; t <= 8000; ++t)
            admitted += limiter.tryAcquire(T0 + t) ? 1 : 0;
        QCOMPARE(admitted, 10 + 125 * 8);
        // And in any later second, exactly the rate.
        int nextSecond = 0;
        for (qint64 t = 8001; t <= 9000; ++t)
            nextSecond += limiter.tryAcquire(T0 + t) ? 1 : 0;
        QCOMPARE(nextSecond, 125);
    }

    void refusedAttemptsDoNotConsumeTokens()
    {
        RateLimiter limiter(10, 2);
        QCOMPARE(acquireAt(limiter, T0, 2), 2);
        // A thousand refused attempts within the next 99 ms...
        QCOMPARE(acquireAt(limiter, T0 + 99, 1000), 0);
        // ...do not delay the token that is due at 100 ms.
        QVERIFY(limiter.tryAcquire(T0 + 100));
    }

    void rateZeroIsUnlimited()
    {
        RateLimiter limiter(0, 1);
        QCOMPARE(acquireAt(limiter, T0, 100000), 100000);
        RateLimiter negative(-5, 1);
        QCOMPARE(acquireAt(negative, T0, 1000), 1000);
    }

    void burstBelowOneIsClampedToOne()
    {
        RateLimiter zero(10, 0);
        QCOMPARE(acquireAt(zero, T0, 10), 1);
        QCOMPARE(acquireAt(zero, T0 + 100, 10), 1);
        RateLimiter negative(10, -3);
        QCOMPARE(acquireAt(negative, T0, 10), 1);
    }

    void clockGoingBackwardsAddsNoTokens()
    {
        RateLimiter limiter(10, 5);
        QCOMPARE(acquireAt(limiter, T0, 5), 5);
        QCOMPARE(acquireAt(limiter, T0 - 60'000, 10), 0); // wall clock stepped back a minute
        // From the new (earlier) time on, tokens accrue at the normal rate again.
        QCOMPARE(acquireAt(limiter, T0 - 60'000 + 200, 10), 2);
    }

    void firstTimestampZeroStillRefills()
    {
        // Regression: the limiter used "last timestamp == 0" to mean "never called", so a caller
        // whose clock starts at 0 (a monotonic timer) never got a refill after its first call.
        RateLimiter limiter(10, 2);
        QCOMPARE(acquireAt(limiter, 0, 2), 2);
        QCOMPARE(acquireAt(limiter, 100, 10), 1);
        QCOMPARE(acquireAt(limiter, 1000, 10), 2);
    }
};

QTEST_APPLESS_MAIN(TestRateLimiter)
#include "tst_rate_limiter.moc"
