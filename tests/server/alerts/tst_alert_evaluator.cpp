// The alert state machine (SPEC section 7) on a virtual clock: forSec, no duplicate firing,
// auto-resolve, cooldown against flapping, manual resolution, MASS_DISCONNECT as one incident,
// scopes and tenants, and resolution when rules or rooms go away.
#include "alerts/alert_evaluator.h"
#include "presence/clock.h"

#include <QTest>

using namespace spidi;

namespace {

constexpr qint64 kSecond = 1000;

RoomSnapshot room(const QString &id, int online, int capacity = 100,
                  const QString &tenant = QStringLiteral("t1"),
                  const QString &type = QStringLiteral("CHAT"))
{
    RoomSnapshot r;
    r.tenantId = tenant;
    r.roomId = id;
    r.roomCode = id.toUpper();
    r.roomType = type;
    r.metrics.roomId = id;
    r.metrics.roomCode = r.roomCode;
    r.metrics.online = online;
    r.metrics.users = online;
    r.metrics.capacity = capacity;
    r.metrics.capacityPct = capacity > 0 ? 100.0 * online / capacity : 0.0;
    return r;
}

AlertRule capacityRule(const QString &id = QStringLiteral("rule-1"), int forSec = 0,
                       int cooldownSec = 300)
{
    AlertRule rule;
    rule.id = id;
    rule.tenantId = QStringLiteral("t1");
    rule.name = QStringLiteral("Almost full");
    rule.type = AlertRuleType::Capacity;
    rule.threshold = 0.8;
    rule.forSec = forSec;
    rule.cooldownSec = cooldownSec;
    rule.scope.all = true;
    rule.channels = {AlertChannel{}};
    return rule;
}

QList<AlertDecision> ofKind(const QList<AlertDecision> &decisions, AlertDecision::Kind kind)
{
    QList<AlertDecision> matching;
    for (const AlertDecision &d : decisions) {
        if (d.kind == kind)
            matching.append(d);
    }
    return matching;
}

} // namespace

class TestAlertEvaluator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firesOnceAfterForSec();
    void noDuplicateWhileFiring();
    void failedWriteIsRetried();
    void resolvesWhenConditionClears();
    void flappingWithinForSecNeverFires();
    void cooldownSuppressesNotificationsNotEvents();
    void manualResolveStaysQuietUntilClear();
    void massDisconnectIsOneIncident();
    void latencyAverageOrP95();
    void heartbeatSilence();
    void customExpression();
    void scopesAndTenants();
    void completeEvaluationResolvesWhatWentAway();
    void openEventsFromDatabaseAreAdopted();
    void nextDeadline();
};

void TestAlertEvaluator::firesOnceAfterForSec()
{
    ManualClock clock;
    AlertEvaluator evaluator(clock);
    evaluator.setRules({capacityRule(QStringLiteral("r"), 30)});

    QVERIFY(evaluator.evaluate({room(QStringLiteral("lobby"), 85)}, true).isEmpty());
    clock.advance(29 * kSecond);
    QVERIFY(evaluator.evaluate({room(QStringLiteral("lobby"), 90)}, true).isEmpty());
    clock.advance(1 * kSecond);
    const auto decisions = evaluator.evaluate({room(QStringLiteral("lobby"), 90)}, true);
    QCOMPARE(decisions.size(), 1);
    const AlertDecision &fire = decisions.constFirst();
    QVERIFY(fire.kind == AlertDecision::Kind::Fire);
    QCOMPARE(fire.roomId, QStringLiteral("lobby"));
    QCOMPARE(fire.tenantId, QStringLiteral("t1"));
    QVERIFY(fire.value.has_value());
    QCOMPARE(*fire.value, 0.9);
    QVERIFY(fire.notify);
    QCOMPARE(fire.message, QStringLiteral("LOBBY is at 90 % of its capacity (90 of 100 online), "
                                          "above 80 %"));
    // At exactly the threshold the condition does not hold ("above").
    ManualClock other;
    AlertEvaluator atThreshold(other);
    atThreshold.setRules({capacityRule()});
    QVERIFY(atThreshold.evaluate({room(QStringLiteral("lobby"), 80)}, true).isEmpty());
}

void TestAlertEvaluator::noDuplicateWhileFiring()
{
    ManualClock clock;
    AlertEvaluator evaluator(clock);
    evaluator.setRules({capacityRule()});
    auto first = evaluator.evaluate({room(QStringLiteral("lobby"), 95)}, true);
    QCOMPARE(first.size(), 1);
    // The write is still in flight: a metric change must not fire it again.
    QVERIFY(evaluator.evaluate({room(QStringLiteral("lobby"), 96)}, false).isEmpty());
    evaluator.fired(first.constFirst(), QStringLiteral("event-1"), clock.nowMs());
    for (int i = 0; i < 20; ++i) {
        clock.advance(5 * kSecond);
        QVERIFY(evaluator.evaluate({room(QStringLiteral("lobby"), 95 + i % 3)}, true).isEmpty());
    }
    QCOMPARE(evaluator.openCount(), 1);
}

void TestAlertEvaluator::failedWriteIsRetried()
{
    ManualClock clock;
    AlertEvaluator evaluator(clock);
    evaluator.setRules({capacityRule()});
    auto first = evaluator.evaluate({room(QStringLiteral("lobby"), 95)}, true);
    QCOMPARE(first.size(), 1);
    evaluator.fireFailed(first.constFirst());
    clock.advance(5 * kSecond);
    auto again = evaluator.evaluate({room(QStringLiteral("lobby"), 95)}, true);
    QCOMPARE(again.size(), 1);
    QVERIFY(again.constFirst().kind == AlertDecision::Kind::Fire);
    QVERIFY(again.constFirst().notify); // nothing was notified the first time
}

void TestAlertEvaluator::resolvesWhenConditionClears()
{
    ManualClock clock;
    AlertEvaluator evaluator(clock);
    evaluator.setRules({capacityRule()});
    auto fire = evaluator.evaluate({room(QStringLiteral("lobby"), 95)}, true);
    evaluator.fired(fire.constFirst(), QStringLiteral("event-1"), clock.nowMs());
    clock.advance(10 * kSecond);
    auto decisions = evaluator.evaluate({room(QStringLiteral("lobby"), 40)}, false);
    QCOMPARE(decisions.size(), 1);
    QVERIFY(decisions.constFirst().kind == AlertDecision::Kind::Resolve);
    QCOMPARE(decisions.constFirst().eventId, QStringLiteral("event-1"));
    QCOMPARE(decisions.constFirst().reason, QStringLiteral("condition cleared"));
    QVERIFY(decisions.constFirst().notify); // the firing was notified, so is the resolution
    // Until the service confirms, the resolution is asked for again (the write may fail).
    QCOMPARE(evaluator.evaluate({room(QStringLiteral("lobby"), 40)}, true).size(), 1);
    evaluator.resolved(QStringLiteral("rule-1"), QStringLiteral("lobby"));
    QVERIFY(evaluator.evaluate({room(QStringLiteral("lobby"), 40)}, true).isEmpty());
    QCOMPARE(evaluator.openCount(), 0);
}

void TestAlertEvaluator::flappingWithinForSecNeverFires()
{
    ManualClock clock;
    AlertEvaluator evaluator(clock);
    evaluator.setRules({capacityRule(QStringLiteral("r"), 10)});
    for (int cycle = 0; cycle < 10; ++cycle) {
        QVERIFY(evaluator.evaluate({room(QStringLiteral("lobby"), 90)}, true).isEmpty());
        clock.advance(9 * kSecond);
        QVERIFY(evaluator.evaluate({room(QStringLiteral("lobby"), 90)}, true).isEmpty());
        clock.advance(1 * kSecond);
        QVERIFY(evaluator.evaluate({room(QStringLiteral("lobby"), 10)}, true).isEmpty());
        clock.advance(1 * kSecond);
    }
}

void TestAlertEvaluator::cooldownSuppressesNotificationsNotEvents()
{
    ManualClock clock;
    AlertEvaluator evaluator(clock);
    evaluator.setRules({capacityRule(QStringLiteral("r"), 0, 300)});
    const auto cycle = [&](int eventNumber) {
        auto fire = evaluator.evaluate({room(QStringLiteral("lobby"), 95)}, true);
        if (fire.size() != 1 || fire.constFirst().kind != AlertDecision::Kind::Fire)
            return std::optional<AlertDecision>{};
        evaluator.fired(fire.constFirst(), QStringLiteral("event-%1").arg(eventNumber),
                        clock.nowMs());
        clock.advance(20 * kSecond);
        auto resolve = evaluator.evaluate({room(QStringLiteral("lobby"), 10)}, true);
        if (resolve.size() != 1 || resolve.constFirst().kind != AlertDecision::Kind::Resolve ||
            resolve.constFirst().notify != fire.constFirst().notify)
            return std::optional<AlertDecision>{};
        evaluator.resolved(QStringLiteral("r"), QStringLiteral("lobby"));
        clock.advance(20 * kSecond);
        return std::optional<AlertDecision>{fire.constFirst()};
    };
    // t = 0: notified. Then every 40 s a new firing: recorded, but silent until 300 s passed.
    auto first = cycle(1);
    QVERIFY(first && first->notify);
    int notified = 1;
    int events = 1;
    for (int i = 2; i <= 8; ++i) { // t = 40 … 280 s
        auto next = cycle(i);
        QVERIFY(next.has_value());
        ++events;
        notified += next->notify ? 1 : 0;
    }
    QCOMPARE(events, 8);
    QCOMPARE(notified, 1);
    QCOMPARE(clock.nowMs() - ManualClock().nowMs(), 320 * kSecond);
    auto later = cycle(9); // t = 320 s: the cooldown has passed
    QVERIFY(later && later->notify);
}

void TestAlertEvaluator::manualResolveStaysQuietUntilClear()
{
    ManualClock clock;
    AlertEvaluator evaluator(clock);
    evaluator.setRules({capacityRule(QStringLiteral("r"), 0, 0)});
    auto fire = evaluator.evaluate({room(QStringLiteral("lobby"), 95)}, true);
    evaluator.fired(fire.constFirst(), QStringLiteral("event-1"), clock.nowMs());
    evaluator.resolvedByHand(QStringLiteral("r"), QStringLiteral("lobby"));
    for (int i = 0; i < 5; ++i) {
        clock.advance(5 * kSecond);
        QVERIFY(evaluator.evaluate({room(QStringLiteral("lobby"), 95)}, true).isEmpty());
    }
    QVERIFY(evaluator.evaluate({room(QStringLiteral("lobby"), 10)}, true).isEmpty());
    clock.advance(5 * kSecond);
    auto again = evaluator.evaluate({room(QStringLiteral("lobby"), 95)}, true);
    QCOMPARE(again.size(), 1);
    QVERIFY(again.constFirst().kind == AlertDecision::Kind::Fire);
}

void TestAlertEvaluator::massDisconnectIsOneIncident()
{
    ManualClock clock;
    AlertEvaluator evaluator(clock);
    AlertRule rule;
    rule.id = QStringLiteral("mass");
    rule.tenantId = QStringLiteral("t1");
    rule.name = QStringLiteral("Mass disconnect");
    rule.type = AlertRuleType::MassDisconnect;
    rule.threshold = 10;
    rule.windowSec = 60;
    rule.scope.roomId = QStringLiteral("lobby");
    evaluator.setRules({rule});

    const RoomSnapshot lobby = room(QStringLiteral("lobby"), 5);
    // Leaves and kicks are not disconnects.
    for (int i = 0; i < 30; ++i)
        evaluator.recordSessionEnd(QStringLiteral("lobby"), SessionEndReason::Left, clock.nowMs());
    evaluator.recordSessionEnd(QStringLiteral("lobby"), SessionEndReason::Kicked, clock.nowMs());
    QVERIFY(evaluator.evaluate({lobby}, true).isEmpty());

    QList<AlertDecision> fired;
    for (int i = 0; i < 25; ++i) {
        clock.advance(1 * kSecond);
        evaluator.recordSessionEnd(
            QStringLiteral("lobby"),
            i % 2 ? SessionEndReason::Expired : SessionEndReason::Disconnected, clock.nowMs());
        for (const AlertDecision &d : evaluator.evaluate({lobby}, false)) {
            fired.append(d);
            evaluator.fired(d, QStringLiteral("incident"), clock.nowMs());
        }
    }
    QCOMPARE(fired.size(), 1); // 25 ends, one incident
    QVERIFY(fired.constFirst().kind == AlertDecision::Kind::Fire);
    QCOMPARE(*fired.constFirst().value, 11.0);
    QCOMPARE(fired.constFirst().message,
             QStringLiteral("11 sessions of LOBBY ended by expiry or disconnect within 60 s (more "
                            "than 10)"));
    // The ends age out of the window: resolved.
    clock.advance(35 * kSecond);
    QVERIFY(evaluator.evaluate({lobby}, true).isEmpty()); // 15 ends still within 60 s
    clock.advance(20 * kSecond);
    auto resolved = evaluator.evaluate({lobby}, true);
    QCOMPARE(resolved.size(), 1);
    QVERIFY(resolved.constFirst().kind == AlertDecision::Kind::Resolve);
    QCOMPARE(resolved.constFirst().eventId, QStringLiteral("incident"));
    // Another room's ends never count here.
    AlertEvaluator separate(clock);
    separate.setRules({rule});
    for (int i = 0; i < 50; ++i)
        separate.recordSessionEnd(QStringLiteral("other"), SessionEndReason::Expired,
                                  clock.nowMs());
    QVERIFY(separate.evaluate({lobby, room(QStringLiteral("other"), 0)}, true).isEmpty());
}

void TestAlertEvaluator::latencyAverageOrP95()
{
    ManualClock clock;
    AlertEvaluator evaluator(clock);
    AlertRule avg;
    avg.id = QStringLiteral("avg");
    avg.tenantId = QStringLiteral("t1");
    avg.type = AlertRuleType::Latency;
    avg.threshold = 500;
    avg.latencyStat = LatencyStat::Avg;
    avg.scope.all = true;
    AlertRule p95 = avg;
    p95.id = QStringLiteral("p95");
    p95.latencyStat = LatencyStat::P95;
    evaluator.setRules({avg, p95});

    RoomSnapshot slowTail = room(QStringLiteral("lobby"), 20);
    slowTail.metrics.avgLatencyMs = 120;
    slowTail.metrics.p95LatencyMs = 640;
    auto decisions = evaluator.evaluate({slowTail}, true);
    QCOMPARE(decisions.size(), 1);
    QCOMPARE(decisions.constFirst().rule.id, QStringLiteral("p95"));
    QCOMPARE(*decisions.constFirst().value, 640.0);
    QCOMPARE(decisions.constFirst().message,
             QStringLiteral("p95 latency in LOBBY is 640 ms, above 500 ms"));

    // An empty room has no latency to speak of, whatever the last figures were.
    ManualClock other;
    AlertEvaluator empty(other);
    empty.setRules({avg});
    RoomSnapshot nobody = room(QStringLiteral("lobby"), 0);
    nobody.metrics.avgLatencyMs = 900;
    QVERIFY(empty.evaluate({nobody}, true).isEmpty());
}

void TestAlertEvaluator::heartbeatSilence()
{
    ManualClock clock;
    AlertEvaluator evaluator(clock);
    AlertRule rule;
    rule.id = QStringLiteral("silent");
    rule.tenantId = QStringLiteral("t1");
    rule.type = AlertRuleType::Heartbeat;
    rule.threshold = 60;
    rule.scope.all = true;
    evaluator.setRules({rule});
    RoomSnapshot r = room(QStringLiteral("lobby"), 3);
    r.longestSilenceSec = 59.9;
    QVERIFY(evaluator.evaluate({r}, true).isEmpty());
    r.longestSilenceSec = 75.4;
    auto decisions = evaluator.evaluate({r}, true);
    QCOMPARE(decisions.size(), 1);
    QCOMPARE(*decisions.constFirst().value, 75.0);
    QCOMPARE(decisions.constFirst().message,
             QStringLiteral("A session in LOBBY has been silent for 75 s, longer than 60 s"));
}

void TestAlertEvaluator::customExpression()
{
    ManualClock clock;
    AlertEvaluator evaluator(clock);
    AlertRule rule;
    rule.id = QStringLiteral("custom");
    rule.tenantId = QStringLiteral("t1");
    rule.type = AlertRuleType::Custom;
    rule.expression = QStringLiteral("online > 100 && p95LatencyMs > 300");
    rule.scope.all = true;
    AlertRule broken = rule;
    broken.id = QStringLiteral("broken");
    broken.expression = QStringLiteral("online >");
    evaluator.setRules({rule, broken}); // the broken one is skipped, not fatal

    RoomSnapshot busyButFast = room(QStringLiteral("lobby"), 150, 500);
    busyButFast.metrics.p95LatencyMs = 120;
    QVERIFY(evaluator.evaluate({busyButFast}, true).isEmpty());
    RoomSnapshot busyAndSlow = busyButFast;
    busyAndSlow.metrics.p95LatencyMs = 340;
    auto decisions = evaluator.evaluate({busyAndSlow}, true);
    QCOMPARE(decisions.size(), 1);
    QCOMPARE(decisions.constFirst().rule.id, QStringLiteral("custom"));
    QVERIFY(!decisions.constFirst().value.has_value());
    QCOMPARE(decisions.constFirst().message,
             QStringLiteral("online > 100 && p95LatencyMs > 300 holds in LOBBY (online=150, "
                            "p95LatencyMs=340)"));
}

void TestAlertEvaluator::scopesAndTenants()
{
    ManualClock clock;
    AlertEvaluator evaluator(clock);
    AlertRule byRoom = capacityRule(QStringLiteral("by-room"));
    byRoom.scope = AlertScope{QStringLiteral("lobby"), {}, false};
    AlertRule byType = capacityRule(QStringLiteral("by-type"));
    byType.scope = AlertScope{{}, QStringLiteral("GAMING"), false};
    AlertRule everywhere = capacityRule(QStringLiteral("all"));
    AlertRule otherTenant = capacityRule(QStringLiteral("t2-all"));
    otherTenant.tenantId = QStringLiteral("t2");
    evaluator.setRules({byRoom, byType, everywhere, otherTenant});

    const QList<RoomSnapshot> rooms{
        room(QStringLiteral("lobby"), 90),
        room(QStringLiteral("arena"), 90, 100, QStringLiteral("t1"), QStringLiteral("GAMING")),
        room(QStringLiteral("quiet"), 10),
    };
    QStringList fired;
    for (const AlertDecision &d : evaluator.evaluate(rooms, true))
        fired.append(d.rule.id + QLatin1Char('@') + d.roomId);
    fired.sort();
    QCOMPARE(fired,
             (QStringList{QStringLiteral("all@arena"), QStringLiteral("all@lobby"),
                          QStringLiteral("by-room@lobby"), QStringLiteral("by-type@arena")}));
}

void TestAlertEvaluator::completeEvaluationResolvesWhatWentAway()
{
    ManualClock clock;
    AlertEvaluator evaluator(clock);
    AlertRule a = capacityRule(QStringLiteral("a"));
    AlertRule b = capacityRule(QStringLiteral("b"));
    AlertRule c = capacityRule(QStringLiteral("c"));
    evaluator.setRules({a, b, c});
    const QList<RoomSnapshot> rooms{room(QStringLiteral("lobby"), 95),
                                    room(QStringLiteral("hall"), 95)};
    int n = 0;
    for (const AlertDecision &d : evaluator.evaluate(rooms, true))
        evaluator.fired(d, QStringLiteral("e%1").arg(++n), clock.nowMs());
    QCOMPARE(evaluator.openCount(), 6);

    // a disabled, c deleted, hall removed from the directory.
    a.enabled = false;
    evaluator.setRules({a, b});
    // An evaluation of some rooms only (a metric change) cannot know what went away.
    for (const AlertDecision &d : evaluator.evaluate({rooms.constFirst()}, false))
        QVERIFY(d.kind == AlertDecision::Kind::Fire || d.kind == AlertDecision::Kind::Resolve);
    QStringList reasons;
    for (const AlertDecision &d : evaluator.evaluate({rooms.constFirst()}, true)) {
        QVERIFY(d.kind == AlertDecision::Kind::Resolve);
        reasons.append(d.rule.id + QLatin1Char('@') + d.roomId + QLatin1Char(':') + d.reason);
        evaluator.resolved(d.rule.id, d.roomId);
    }
    reasons.sort();
    QCOMPARE(reasons, (QStringList{QStringLiteral("a@hall:rule disabled"),
                                   QStringLiteral("a@lobby:rule disabled"),
                                   QStringLiteral("b@hall:room no longer in the rule's scope"),
                                   QStringLiteral("c@hall:rule deleted"),
                                   QStringLiteral("c@lobby:rule deleted")}));
    QCOMPARE(evaluator.openCount(), 1); // b@lobby still holds
}

void TestAlertEvaluator::openEventsFromDatabaseAreAdopted()
{
    ManualClock clock;
    AlertEvaluator evaluator(clock);
    evaluator.setRules({capacityRule(QStringLiteral("r"), 0, 300)});
    // A previous leader fired it 100 s ago and notified.
    evaluator.setOpenEvents({{QStringLiteral("old-event"), QStringLiteral("r"),
                              QStringLiteral("lobby"), clock.nowMs() - 100 * kSecond, true}});
    QVERIFY(evaluator.evaluate({room(QStringLiteral("lobby"), 95)}, true).isEmpty());
    clock.advance(5 * kSecond);
    auto resolve = evaluator.evaluate({room(QStringLiteral("lobby"), 5)}, true);
    QCOMPARE(resolve.size(), 1);
    QCOMPARE(resolve.constFirst().eventId, QStringLiteral("old-event"));
    evaluator.resolved(QStringLiteral("r"), QStringLiteral("lobby"));
    // The cooldown counts from the old firing: a new one 105 s later stays silent.
    auto fire = evaluator.evaluate({room(QStringLiteral("lobby"), 95)}, true);
    QCOMPARE(fire.size(), 1);
    QVERIFY(!fire.constFirst().notify);
}

void TestAlertEvaluator::nextDeadline()
{
    ManualClock clock;
    AlertEvaluator evaluator(clock);
    evaluator.setRules({capacityRule(QStringLiteral("r"), 30)});
    QCOMPARE(evaluator.nextDeadlineMs(), -1);
    const qint64 start = clock.nowMs();
    QVERIFY(evaluator.evaluate({room(QStringLiteral("lobby"), 95)}, true).isEmpty());
    QCOMPARE(evaluator.nextDeadlineMs(), start + 30 * kSecond);
    clock.set(evaluator.nextDeadlineMs());
    QCOMPARE(ofKind(evaluator.evaluate({room(QStringLiteral("lobby"), 95)}, true),
                    AlertDecision::Kind::Fire)
                 .size(),
             1);
    QCOMPARE(evaluator.nextDeadlineMs(), -1); // firing: nothing pending
}

QTEST_GUILESS_MAIN(TestAlertEvaluator)
#include "tst_alert_evaluator.moc"
