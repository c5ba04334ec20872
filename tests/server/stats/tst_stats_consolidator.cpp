// The statistics consolidation (docs/schema.md, "Statistics") against both SQL dialects: a
// scripted session history and parts go in, the MINUTE, HOUR and DAY rows that come out are
// compared column by column with values computed by hand in the comments.
#include "db/database.h"
#include "db/migration_runner.h"
#include "db/session_history_repository.h"
#include "dialect_databases.h"
#include "presence/clock.h"
#include "stats/room_stats_repository.h"
#include "stats/stats_consolidator.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <cmath>
#include <memory>

using namespace spidi;
using spidi::stats::LatencyHistogram;
using spidi::test::DialectDatabases;

namespace {

constexpr qint64 kSec = 1000;
constexpr qint64 kMin = 60 * kSec;
constexpr qint64 kHour = 60 * kMin;
constexpr qint64 kDay = 24 * kHour;
constexpr qint64 D = 1'795'392'000'000; // 2026-11-23T00:00:00Z
constexpr qint64 T = D + 12 * kHour;    // 12:00:00

const QString kAcme = QStringLiteral("acme");
const QString kGlobex = QStringLiteral("globex");
// Rooms: R1 (acme) with the main script, R2 (globex) with heartbeats only, R3 (globex).
const QString R1 = QStringLiteral("11111111-1111-4111-8111-111111111111");
const QString R2 = QStringLiteral("22222222-2222-4222-8222-222222222222");
const QString R3 = QStringLiteral("33333333-3333-4333-8333-333333333333");

template <typename T_>
QByteArray describe(const Result<T_> &result)
{
    return result.ok() ? QByteArray("ok") : result.error().message.toUtf8();
}

SessionRecord session(const QString &tenant, const QString &room, const QString &user,
                      qint64 startMs, qint64 endMs)
{
    SessionRecord r;
    r.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    r.tenantId = tenant;
    r.roomId = room;
    r.roomCode = QStringLiteral("CODE");
    r.userId = user;
    r.connectedAtMs = startMs;
    r.lastHeartbeatAtMs = startMs;
    if (endMs > 0) {
        r.endedAtMs = endMs;
        r.endReason = SessionEndReason::Left;
    }
    return r;
}

StatsPart part(const QString &tenant, const QString &room, qint64 minute, const QString &instance,
               qint64 heartbeats, const QList<double> &latencies)
{
    StatsPart p;
    p.roomId = room;
    p.tenantId = tenant;
    p.minuteMs = minute;
    p.instanceId = instance;
    p.heartbeats = heartbeats;
    for (double l : latencies) {
        ++p.latencySamples;
        p.latencySumMs += l;
        p.latencyHist.add(l);
    }
    return p;
}

struct Expected
{
    QString room;
    qint64 ts;
    double onlineAvg;
    int onlinePeak;
    int usersPeak;
    int started;
    int ended;
    qint64 heartbeats;
    qint64 samples = 0;
    std::optional<double> latencyAvg = std::nullopt;
    std::optional<double> latencyP95 = std::nullopt;
};

// The value the histogram interpolates for rank `rank` (1-based fraction inside the bin).
double interpolated(double sample, double positionInBin)
{
    const int bin = LatencyHistogram::binOf(sample);
    const double lo = LatencyHistogram::lowerEdge(bin);
    return lo + (LatencyHistogram::upperEdge(bin) - lo) * positionInBin;
}

bool near(double a, double b)
{
    return std::abs(a - b) <= 1e-9 * qMax(1.0, std::abs(b));
}

QString describeRow(const RoomStatsRow &r)
{
    return QStringLiteral("%1 %2 %3 avg=%4 peak=%5 users=%6 started=%7 ended=%8 hb=%9 samples=%10 "
                          "lat=%11 p95=%12")
        .arg(toString(r.bucket), r.roomId.left(4))
        .arg(r.tsMs)
        .arg(r.onlineAvg)
        .arg(r.onlinePeak)
        .arg(r.usersPeak)
        .arg(r.sessionsStarted)
        .arg(r.sessionsEnded)
        .arg(r.heartbeats)
        .arg(r.latencySamples)
        .arg(r.latencyAvgMs ? QString::number(*r.latencyAvgMs) : QStringLiteral("null"))
        .arg(r.latencyP95Ms ? QString::number(*r.latencyP95Ms) : QStringLiteral("null"));
}

// Every row of `rows` matches exactly one of `expected`, and there are no others.
bool matches(const QList<RoomStatsRow> &rows, const QList<Expected> &expected, QString *why)
{
    if (rows.size() != expected.size()) {
        *why = QStringLiteral("%1 rows, expected %2:").arg(rows.size()).arg(expected.size());
        for (const RoomStatsRow &r : rows)
            *why += QStringLiteral("\n  ") + describeRow(r);
        return false;
    }
    for (const Expected &e : expected) {
        const RoomStatsRow *found = nullptr;
        for (const RoomStatsRow &r : rows)
            if (r.roomId == e.room && r.tsMs == e.ts)
                found = &r;
        if (!found) {
            *why = QStringLiteral("no row for room %1 at %2").arg(e.room.left(4)).arg(e.ts);
            return false;
        }
        const RoomStatsRow &r = *found;
        const bool latencyOk = r.latencyAvgMs.has_value() == e.latencyAvg.has_value() &&
                               r.latencyP95Ms.has_value() == e.latencyP95.has_value() &&
                               (!e.latencyAvg || near(*r.latencyAvgMs, *e.latencyAvg)) &&
                               (!e.latencyP95 || near(*r.latencyP95Ms, *e.latencyP95));
        if (!near(r.onlineAvg, e.onlineAvg) || r.onlinePeak != e.onlinePeak ||
            r.usersPeak != e.usersPeak || r.sessionsStarted != e.started ||
            r.sessionsEnded != e.ended || r.heartbeats != e.heartbeats ||
            r.latencySamples != e.samples || !latencyOk) {
            *why = QStringLiteral("mismatch: ") + describeRow(r);
            return false;
        }
    }
    return true;
}

bool sameRows(const QList<RoomStatsRow> &a, const QList<RoomStatsRow> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (describeRow(a[i]) != describeRow(b[i]) || !(a[i].latencyHist == b[i].latencyHist) ||
            a[i].tenantId != b[i].tenantId)
            return false;
    return true;
}

} // namespace

class TestStatsConsolidator : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void pureMinuteComputation();
    void minuteRowsFromScriptedHistory_data() { dialects(); }
    void minuteRowsFromScriptedHistory();
    void hourAndDayRollUps_data() { dialects(); }
    void hourAndDayRollUps();
    void runningTwiceIsIdempotent_data() { dialects(); }
    void runningTwiceIsIdempotent();
    void lateHistoryIsPickedUp_data() { dialects(); }
    void lateHistoryIsPickedUp();
    void retentionKeepsTheBoundary_data() { dialects(); }
    void retentionKeepsTheBoundary();
    void tenantIsolation_data() { dialects(); }
    void tenantIsolation();
    void catchUpIsBoundedPerRun_data() { dialects(); }
    void catchUpIsBoundedPerRun();

private:
    void dialects();
    Database freshDatabase();
    // The script of the comments in minuteRowsFromScriptedHistory().
    void writeScript(const Database &db);
    QList<RoomStatsRow> rows(const Database &db, StatsBucket bucket);
    StatsSettings settings() const;

    DialectDatabases m_databases;
};

void TestStatsConsolidator::initTestCase()
{
    QVERIFY2(m_databases.start(), qPrintable(m_databases.errorText()));
}

void TestStatsConsolidator::cleanupTestCase() {}

void TestStatsConsolidator::cleanup()
{
    m_databases.closeAll();
}

void TestStatsConsolidator::dialects()
{
    DialectDatabases::addDialectRows();
}

Database TestStatsConsolidator::freshDatabase()
{
    QFETCH(SqlDialect, dialect);
    return m_databases.open(dialect, QStringLiteral("stats"));
}

StatsSettings TestStatsConsolidator::settings() const
{
    StatsSettings s;
    s.historyFlushIntervalSec = 30; // lag 90 s
    return s;
}

void TestStatsConsolidator::writeScript(const Database &db)
{
    // R1 (acme):
    //   A  u1  12:00:00 - 12:00:30
    //   B  u2  12:00:15 - 12:02:00
    //   C  u1  12:00:20 - 12:00:40   (u1's second device)
    //   D  u3  12:01:30 - open
    // R3 (globex):
    //   E  u9  11:58:00 - 12:00:00
    const QList<SessionRecord> history = {
        session(kAcme, R1, QStringLiteral("u1"), T, T + 30 * kSec),
        session(kAcme, R1, QStringLiteral("u2"), T + 15 * kSec, T + 2 * kMin),
        session(kAcme, R1, QStringLiteral("u1"), T + 20 * kSec, T + 40 * kSec),
        session(kAcme, R1, QStringLiteral("u3"), T + 90 * kSec, 0),
        session(kGlobex, R3, QStringLiteral("u9"), T - 2 * kMin, T),
    };
    auto written = SessionHistoryRepository(db).upsert(history);
    QVERIFY2(written.ok(), describe(written).constData());
    // Parts: R1 12:01 counted by an instance killed mid-minute ("old": 3 heartbeats, latencies
    // 100 and 140) and by its restarted successor ("new": 2 heartbeats, latency 60); R2 12:00
    // by one instance: 4 heartbeats without latency.
    const QList<StatsPart> parts = {
        part(kAcme, R1, T + kMin, QStringLiteral("old"), 3, {100, 140}),
        part(kAcme, R1, T + kMin, QStringLiteral("new"), 2, {60}),
        part(kGlobex, R2, T, QStringLiteral("new"), 4, {}),
    };
    auto partsWritten = RoomStatsRepository(db).upsertParts(parts);
    QVERIFY2(partsWritten.ok(), describe(partsWritten).constData());
}

QList<RoomStatsRow> TestStatsConsolidator::rows(const Database &db, StatsBucket bucket)
{
    auto all = RoomStatsRepository(db).rowsBetween(bucket, D - 30 * kDay, D + 30 * kDay);
    if (!all)
        qWarning("rowsBetween: %s", describe(all).constData());
    return all ? all.value() : QList<RoomStatsRow>{};
}

void TestStatsConsolidator::pureMinuteComputation()
{
    // Two sessions of one user back to back: B starts the instant A ends, so they never count
    // together (peak 1), and the minute is fully covered (avg 1).
    const QList<SessionSpan> spans = {
        {R1, kAcme, QStringLiteral("u1"), T, T + 30 * kSec},
        {R1, kAcme, QStringLiteral("u1"), T + 30 * kSec, T + kMin},
    };
    const QList<RoomStatsRow> out = stats::computeMinuteRows(spans, {}, T, T + 2 * kMin, T + kHour);
    QString why;
    // 12:00: avg (30+30)/60 = 1, peak 1, users 1, started 2, ended 1 (A at 12:00:30).
    // 12:01: B's end at 12:01:00 is in this minute: ended 1, nobody online.
    QVERIFY2(matches(out, {{R1, T, 1.0, 1, 1, 2, 1, 0}, {R1, T + kMin, 0.0, 0, 0, 0, 1, 0}}, &why),
             qPrintable(why));
}

void TestStatsConsolidator::minuteRowsFromScriptedHistory()
{
    const Database db = freshDatabase();
    writeScript(db);
    ManualClock clock(T + 3 * kMin + 20 * kSec); // now 12:03:20
    StatsConsolidator consolidator(db, clock, settings());
    const auto report = consolidator.runOnce();
    QVERIFY2(report.ok(), describe(report).constData());
    // No rows yet: it starts at the oldest activity (E at 11:58) and goes to the current minute.
    QCOMPARE(report->fromMs, T - 2 * kMin);
    QCOMPARE(report->toMs, T + 4 * kMin);
    QCOMPARE(report->rooms, 3);

    // R1 12:00: A 30 s + B 45 s + C 20 s = 95 s of presence -> avg 95/60; at 12:00:20-30
    //           A, B, C are online: peak 3 sessions, 2 users (u1 twice, u2); started A, B, C;
    //           ended A, C. No parts.
    // R1 12:01: B 60 s + D 30 s = 90 s -> 1.5; peak 2 (B, D from 12:01:30); users 2;
    //           started D. Parts of the killed and the restarted instance add up: 3 + 2 = 5
    //           heartbeats, 3 samples, avg (100 + 140 + 60) / 3 = 100; p95: rank 0.95 × 3 =
    //           2.85 falls in 140's bin, 0.85 of the way through it.
    // R1 12:02: B ends at 12:02:00 (ended 1, no presence in this minute); D 60 s -> 1.0,
    //           peak 1, users 1.
    // R1 12:03: D until now (12:03:20): 20 s -> 1/3 (the minute is averaged over its 60 s).
    // R2 12:00: nobody online, 4 heartbeats, no latency.
    // R3 11:58, 11:59: E alone -> avg 1, peak 1, users 1; started at 11:58.
    // R3 12:00: E ended at 12:00:00 -> ended 1, nobody online.
    const QList<Expected> expected = {
        {R1, T, 95.0 / 60.0, 3, 2, 3, 2, 0},
        {R1, T + kMin, 1.5, 2, 2, 1, 0, 5, 3, 100.0, interpolated(140, 0.85)},
        {R1, T + 2 * kMin, 1.0, 1, 1, 0, 1, 0},
        {R1, T + 3 * kMin, 20.0 / 60.0, 1, 1, 0, 0, 0},
        {R2, T, 0.0, 0, 0, 0, 0, 4},
        {R3, T - 2 * kMin, 1.0, 1, 1, 1, 0, 0},
        {R3, T - kMin, 1.0, 1, 1, 0, 0, 0},
        {R3, T, 0.0, 0, 0, 0, 1, 0},
    };
    QString why;
    const QList<RoomStatsRow> minutes = rows(db, StatsBucket::Minute);
    QVERIFY2(matches(minutes, expected, &why), qPrintable(why));
    // The p95 is within 5 % of the exact sample.
    QVERIFY(std::abs(interpolated(140, 0.85) - 140.0) / 140.0 <= 0.05);
    // Tenants are carried over.
    for (const RoomStatsRow &r : minutes)
        QCOMPARE(r.tenantId, r.roomId == R1 ? kAcme : kGlobex);
    // The histogram of R1 12:01 is the merge of both instances' parts.
    for (const RoomStatsRow &r : minutes)
        if (r.roomId == R1 && r.tsMs == T + kMin)
            QCOMPARE(r.latencyHist.count(), qint64(3));
}

void TestStatsConsolidator::hourAndDayRollUps()
{
    const Database db = freshDatabase();
    writeScript(db);
    ManualClock clock(T + 3 * kMin + 20 * kSec);
    StatsConsolidator consolidator(db, clock, settings());
    const auto report = consolidator.runOnce();
    QVERIFY2(report.ok(), describe(report).constData());

    // HOUR 12:00, R1: avg = (95/60 + 1.5 + 1 + 1/3) / 60 (the 56 missing minutes are nobody);
    //   peak max(3,2,1,1) = 3; users 2; started 3+1 = 4; ended 2+1 = 3; 5 heartbeats;
    //   3 samples, avg 100, p95 from the same merged histogram.
    // HOUR 12:00, R2: 4 heartbeats. R3: ended 1.
    // HOUR 11:00, R3: avg (1 + 1) / 60, peak 1, users 1, started 1.
    const double r1Hour = (95.0 / 60.0 + 1.5 + 1.0 + 1.0 / 3.0) / 60.0;
    const QList<Expected> hours = {
        {R1, T, r1Hour, 3, 2, 4, 3, 5, 3, 100.0, interpolated(140, 0.85)},
        {R2, T, 0.0, 0, 0, 0, 0, 4},
        {R3, T, 0.0, 0, 0, 0, 1, 0},
        {R3, T - kHour, 2.0 / 60.0, 1, 1, 1, 0, 0},
    };
    QString why;
    QVERIFY2(matches(rows(db, StatsBucket::Hour), hours, &why), qPrintable(why));

    // DAY 2026-11-23: hour averages / 24; R3 gets both hours: avg (2/60 + 0) / 24, started 1,
    // ended 1.
    const QList<Expected> days = {
        {R1, D, r1Hour / 24.0, 3, 2, 4, 3, 5, 3, 100.0, interpolated(140, 0.85)},
        {R2, D, 0.0, 0, 0, 0, 0, 4},
        {R3, D, 2.0 / 60.0 / 24.0, 1, 1, 1, 1, 0},
    };
    QVERIFY2(matches(rows(db, StatsBucket::Day), days, &why), qPrintable(why));
    QCOMPARE(report->rows, 8 + 4 + 3);
}

void TestStatsConsolidator::runningTwiceIsIdempotent()
{
    const Database db = freshDatabase();
    writeScript(db);
    ManualClock clock(T + 3 * kMin + 20 * kSec);
    StatsConsolidator first(db, clock, settings());
    QVERIFY(first.runOnce().ok());
    const QList<RoomStatsRow> minutes = rows(db, StatsBucket::Minute);
    const QList<RoomStatsRow> hours = rows(db, StatsBucket::Hour);
    const QList<RoomStatsRow> days = rows(db, StatsBucket::Day);
    QCOMPARE(minutes.size(), 8);

    // The same job again, then a new process (it starts from the latest MINUTE row minus the
    // lag): the same rows, nothing counted twice.
    QVERIFY(first.runOnce().ok());
    QVERIFY(sameRows(rows(db, StatsBucket::Minute), minutes));
    StatsConsolidator restarted(db, clock, settings());
    const auto again = restarted.runOnce();
    QVERIFY2(again.ok(), describe(again).constData());
    QCOMPARE(again->fromMs, T + 3 * kMin - 2 * kMin); // 12:03 - 90 s, floored to 12:01
    QVERIFY(sameRows(rows(db, StatsBucket::Minute), minutes));
    QVERIFY(sameRows(rows(db, StatsBucket::Hour), hours));
    QVERIFY(sameRows(rows(db, StatsBucket::Day), days));

    // A retried part write (same instance, same absolute values) changes nothing either.
    QVERIFY(RoomStatsRepository(db)
                .upsertParts({part(kAcme, R1, T + kMin, QStringLiteral("old"), 3, {100, 140})})
                .ok());
    QVERIFY(restarted.runOnce().ok());
    QVERIFY(sameRows(rows(db, StatsBucket::Minute), minutes));
}

void TestStatsConsolidator::lateHistoryIsPickedUp()
{
    const Database db = freshDatabase();
    writeScript(db);
    ManualClock clock(T + 3 * kMin + 20 * kSec);
    StatsConsolidator consolidator(db, clock, settings());
    QVERIFY(consolidator.runOnce().ok());

    // Written behind after the first run: F (u4) 12:02:10 - 12:02:40 in R1, and D's end at
    // 12:03:10. Next run at 12:03:50 recomputes from 12:03 - 90 s -> 12:01.
    SessionRecord f = session(kAcme, R1, QStringLiteral("u4"), T + 2 * kMin + 10 * kSec,
                              T + 2 * kMin + 40 * kSec);
    QVERIFY(SessionHistoryRepository(db).upsert({f}).ok());
    clock.set(T + 3 * kMin + 50 * kSec);
    const auto report = consolidator.runOnce();
    QVERIFY2(report.ok(), describe(report).constData());
    QCOMPARE(report->fromMs, T + kMin);

    // R1 12:02: D 60 s + F 30 s -> 1.5, peak 2, users 2 (u3, u4), started F, ended B and F.
    // R1 12:03: D until now 12:03:50 -> 50/60.
    QString why;
    QList<RoomStatsRow> r1;
    for (const RoomStatsRow &r : rows(db, StatsBucket::Minute))
        if (r.roomId == R1)
            r1.append(r);
    QVERIFY2(matches(r1,
                     {
                         {R1, T, 95.0 / 60.0, 3, 2, 3, 2, 0},
                         {R1, T + kMin, 1.5, 2, 2, 1, 0, 5, 3, 100.0, interpolated(140, 0.85)},
                         {R1, T + 2 * kMin, 1.5, 2, 2, 1, 2, 0},
                         {R1, T + 3 * kMin, 50.0 / 60.0, 1, 1, 0, 0, 0},
                     },
                     &why),
             qPrintable(why));
    // The hour follows: started 5, ended 4.
    for (const RoomStatsRow &r : rows(db, StatsBucket::Hour))
        if (r.roomId == R1) {
            QCOMPARE(r.sessionsStarted, 5);
            QCOMPARE(r.sessionsEnded, 4);
            QVERIFY(near(r.onlineAvg, (95.0 / 60.0 + 1.5 + 1.5 + 50.0 / 60.0) / 60.0));
        }
}

void TestStatsConsolidator::retentionKeepsTheBoundary()
{
    const Database db = freshDatabase();
    RoomStatsRepository repository(db);
    // Retention: MINUTE 2 h, HOUR 10 days, DAY 30 days, parts 1 day; now = 12:00.
    StatsSettings s = settings();
    s.retentionMinuteSec = 2 * 3600;
    s.retentionHourSec = 10 * 86400;
    s.retentionDaySec = 30 * 86400;
    const auto row = [](StatsBucket bucket, qint64 ts) {
        RoomStatsRow r;
        r.roomId = R1;
        r.tenantId = kAcme;
        r.bucket = bucket;
        r.tsMs = ts;
        r.onlineAvg = 1;
        r.onlinePeak = 1;
        return r;
    };
    // One row just past each cutoff, one exactly on it, one recent.
    QVERIFY(repository
                .replaceRows(StatsBucket::Minute, D, D + kDay,
                             {row(StatsBucket::Minute, T - 2 * kHour - kMin),
                              row(StatsBucket::Minute, T - 2 * kHour),
                              row(StatsBucket::Minute, T - kMin)})
                .ok());
    QVERIFY(
        repository
            .replaceRows(StatsBucket::Hour, D - 20 * kDay, D + kDay,
                         {row(StatsBucket::Hour, T - 10 * kDay - kHour),
                          row(StatsBucket::Hour, T - 10 * kDay), row(StatsBucket::Hour, T - kHour)})
            .ok());
    QVERIFY(repository
                .replaceRows(StatsBucket::Day, D - 40 * kDay, D + kDay,
                             {row(StatsBucket::Day, T - 31 * kDay),
                              row(StatsBucket::Day, T - 30 * kDay), row(StatsBucket::Day, D)})
                .ok());
    QVERIFY(repository
                .upsertParts({part(kAcme, R1, T - kDay - kMin, QStringLiteral("i"), 1, {}),
                              part(kAcme, R1, T - kDay, QStringLiteral("i"), 1, {}),
                              part(kAcme, R1, T - kMin, QStringLiteral("i"), 1, {})})
                .ok());

    ManualClock clock(T);
    StatsConsolidator consolidator(db, clock, s);
    const Result<int> purged = consolidator.applyRetention(T);
    QVERIFY2(purged.ok(), describe(purged).constData());
    QCOMPARE(*purged, 4);
    const auto tsOf = [this, &db](StatsBucket bucket) {
        QList<qint64> ts;
        for (const RoomStatsRow &r : rows(db, bucket))
            ts.append(r.tsMs);
        return ts;
    };
    QCOMPARE(tsOf(StatsBucket::Minute), (QList<qint64>{T - 2 * kHour, T - kMin}));
    QCOMPARE(tsOf(StatsBucket::Hour), (QList<qint64>{T - 10 * kDay, T - kHour}));
    QCOMPARE(tsOf(StatsBucket::Day), (QList<qint64>{T - 30 * kDay, D}));
    const auto parts = repository.partsBetween(D - 10 * kDay, D + 10 * kDay);
    QVERIFY(parts.ok());
    QCOMPARE(parts->size(), 2);
    QCOMPARE(parts->at(0).minuteMs, T - kDay);
    // Nothing left to purge: a second pass deletes nothing.
    QCOMPARE(*consolidator.applyRetention(T), 0);
}

void TestStatsConsolidator::tenantIsolation()
{
    const Database db = freshDatabase();
    writeScript(db);
    ManualClock clock(T + 3 * kMin + 20 * kSec);
    StatsConsolidator consolidator(db, clock, settings());
    QVERIFY(consolidator.runOnce().ok());

    const RoomStatsRepository repository(db);
    const qint64 from = D - kDay;
    const qint64 to = D + kDay;
    const auto acme = repository.rowsForTenant(kAcme, {}, StatsBucket::Minute, from, to);
    QVERIFY2(acme.ok(), describe(acme).constData());
    QCOMPARE(acme->size(), 4);
    for (const RoomStatsRow &r : acme.value())
        QCOMPARE(r.roomId, R1);
    const auto globex = repository.rowsForTenant(kGlobex, {}, StatsBucket::Hour, from, to);
    QVERIFY(globex.ok());
    QCOMPARE(globex->size(), 3); // R2 12:00, R3 11:00 and 12:00
    for (const RoomStatsRow &r : globex.value())
        QVERIFY(r.roomId == R2 || r.roomId == R3);
    // Another tenant's room reads as empty, whatever the bucket.
    for (StatsBucket bucket : {StatsBucket::Minute, StatsBucket::Hour, StatsBucket::Day}) {
        const auto foreign = repository.rowsForTenant(kGlobex, R1, bucket, from, to);
        QVERIFY(foreign.ok());
        QVERIFY(foreign->isEmpty());
        const auto own = repository.rowsForTenant(kAcme, R1, bucket, from, to);
        QVERIFY(own.ok());
        QVERIFY(!own->isEmpty());
    }
    // Malformed room id or no tenant: nothing, no error.
    QVERIFY(repository.rowsForTenant(kAcme, QStringLiteral("nope"), StatsBucket::Day, from, to)
                ->isEmpty());
    QVERIFY(repository.rowsForTenant({}, {}, StatsBucket::Day, from, to)->isEmpty());
}

void TestStatsConsolidator::catchUpIsBoundedPerRun()
{
    const Database db = freshDatabase();
    // One session open for three days; now is three days later. Each run covers 24 h.
    QVERIFY(SessionHistoryRepository(db)
                .upsert({session(kAcme, R1, QStringLiteral("u1"), T - 3 * kDay, 0)})
                .ok());
    ManualClock clock(T);
    StatsConsolidator consolidator(db, clock, settings());
    const auto first = consolidator.runOnce();
    QVERIFY2(first.ok(), describe(first).constData());
    QCOMPARE(first->fromMs, T - 3 * kDay);
    QCOMPARE(first->toMs, T - 2 * kDay);
    QCOMPARE(first->rows, 1440 + 24 + 2); // minutes, hours, two days touched
    const auto second = consolidator.runOnce();
    QVERIFY(second.ok());
    QCOMPARE(second->fromMs, T - 2 * kDay - 2 * kMin); // the lag (90 s) floored to the minute
    QVERIFY(consolidator.runOnce().ok());
    const auto last = consolidator.runOnce();
    QVERIFY(last.ok());
    QCOMPARE(last->toMs, T + kMin);
    // 3 days of minutes, every one of them full.
    const QList<RoomStatsRow> minutes = rows(db, StatsBucket::Minute);
    QCOMPARE(minutes.size(), 3 * 1440);
    for (const RoomStatsRow &r : minutes)
        QVERIFY(near(r.onlineAvg, 1.0) && r.onlinePeak == 1);
}

QTEST_GUILESS_MAIN(TestStatsConsolidator)
#include "tst_stats_consolidator.moc"
