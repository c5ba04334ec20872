// RuleForm without a server: the defaults a type switch brings, percent in the UI and a share
// in the API, the channel checks of the server, the per-field checks, the body of each type,
// loading a rule, and the conflict difference.
#include "services/editor_support.h"
#include "services/rule_form.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace spidi::desktop;

namespace {

QString errorOf(const RuleForm &form, const char *field)
{
    return form.errors().value(QLatin1String(field)).toString();
}

} // namespace

class TestRuleForm : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void newRuleDefaults()
    {
        RuleForm form;
        form.newRule();
        QVERIFY(form.creating());
        QCOMPARE(form.type(), QStringLiteral("CAPACITY"));
        QCOMPARE(form.property("threshold").toDouble(), 80.0);
        QCOMPARE(form.thresholdUnit(), QStringLiteral("%"));
        QCOMPARE(form.property("severity").toString(), QStringLiteral("WARNING"));
        QCOMPARE(form.property("cooldownSec").toInt(), 300);
        QCOMPARE(form.property("scopeKind").toString(), QStringLiteral("all"));
        QVERIFY(form.property("inapp").toBool());
        // The name is required.
        QVERIFY(!form.validate());
        QCOMPARE(errorOf(form, "name"), QStringLiteral("name must have 1 to 200 characters"));
        form.setProperty("name", QStringLiteral("Full"));
        QVERIFY(form.validate());
    }

    void typeSwitchDefaults_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<double>("threshold");
        QTest::addColumn<QString>("unit");
        QTest::newRow("LATENCY") << "LATENCY" << 500.0 << "ms";
        QTest::newRow("HEARTBEAT") << "HEARTBEAT" << 60.0 << "s";
        QTest::newRow("MASS_DISCONNECT") << "MASS_DISCONNECT" << 10.0 << "sessions";
        QTest::newRow("CUSTOM") << "CUSTOM" << 0.0 << "";
    }
    void typeSwitchDefaults()
    {
        QFETCH(QString, type);
        QFETCH(double, threshold);
        QFETCH(QString, unit);
        RuleForm form;
        form.newRule();
        form.setProperty("threshold", 95.0);
        form.setProperty("latencyStat", QStringLiteral("AVG"));
        form.setProperty("windowSec", 5);
        QSignalSpy changed(&form, &RuleForm::changed);
        form.setType(type);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(form.property("threshold").toDouble(), threshold);
        QCOMPARE(form.thresholdUnit(), unit);
        QCOMPARE(form.property("latencyStat").toString(), QStringLiteral("P95"));
        QCOMPARE(form.property("windowSec").toInt(), 60);
        // Back to CAPACITY: 80 %.
        form.setType(QStringLiteral("CAPACITY"));
        QCOMPARE(form.property("threshold").toDouble(), 80.0);
        // The same type again changes nothing.
        form.setProperty("threshold", 90.0);
        form.setType(QStringLiteral("CAPACITY"));
        QCOMPARE(form.property("threshold").toDouble(), 90.0);
    }

    void percentAndShare()
    {
        QCOMPARE(RuleForm::shareFromPercent(80), 0.8);
        QCOMPARE(RuleForm::shareFromPercent(12.5), 0.125);
        QCOMPARE(RuleForm::shareFromPercent(1000), 10.0);
        QCOMPARE(RuleForm::percentFromShare(0.8), 80.0);
        QCOMPARE(RuleForm::percentFromShare(0.07), 7.0);
        QCOMPARE(RuleForm::percentFromShare(0.333), 33.3);

        RuleForm form;
        form.newRule();
        form.setProperty("name", QStringLiteral("Full"));
        form.setProperty("threshold", 85.0);
        QCOMPARE(form.toJson().value(QStringLiteral("threshold")).toDouble(), 0.85);
        // Loaded from the server: the share shows as percent.
        form.loadJson({{QStringLiteral("id"), QStringLiteral("r1")},
                       {QStringLiteral("name"), QStringLiteral("Full")},
                       {QStringLiteral("type"), QStringLiteral("CAPACITY")},
                       {QStringLiteral("threshold"), 0.9},
                       {QStringLiteral("version"), 3}});
        QCOMPARE(form.property("threshold").toDouble(), 90.0);
        QCOMPARE(form.version(), qint64(3));
        QVERIFY(!form.creating());

        // The server's bounds: above 0 and at most 10 (1000 %).
        form.setProperty("threshold", 0.0);
        QVERIFY(!form.validate());
        QCOMPARE(errorOf(form, "threshold"),
                 QStringLiteral("the capacity threshold must be above 0 % and at most 1000 %"));
        form.setProperty("threshold", 1000.0);
        QVERIFY(form.validate());
        form.setProperty("threshold", 1000.5);
        QVERIFY(!form.validate());
    }

    void thresholdBoundsPerType()
    {
        RuleForm form;
        form.newRule();
        form.setProperty("name", QStringLiteral("r"));
        form.setType(QStringLiteral("LATENCY"));
        form.setProperty("threshold", 600000.0);
        QVERIFY(form.validate());
        form.setProperty("threshold", 600001.0);
        QVERIFY(!form.validate());
        QVERIFY(errorOf(form, "threshold").startsWith(QStringLiteral("a LATENCY threshold")));
        form.setType(QStringLiteral("HEARTBEAT"));
        form.setProperty("threshold", 0.5);
        QVERIFY(!form.validate());
        form.setProperty("threshold", 86400.0);
        QVERIFY(form.validate());
        form.setType(QStringLiteral("MASS_DISCONNECT"));
        form.setProperty("threshold", 2.5);
        QVERIFY(!form.validate());
        QVERIFY(errorOf(form, "threshold").contains(QStringLiteral("whole number")));
        form.setProperty("threshold", 3.0);
        form.setProperty("windowSec", 3601);
        QVERIFY(!form.validate());
        QCOMPARE(errorOf(form, "windowSec"),
                 QStringLiteral("windowSec must be between 1 and 3600"));
        form.setProperty("windowSec", 30);
        form.setProperty("forSec", 86401);
        form.setProperty("cooldownSec", -1);
        QVERIFY(!form.validate());
        QCOMPARE(errorOf(form, "forSec"), QStringLiteral("forSec must be between 0 and 86400"));
        QCOMPARE(errorOf(form, "cooldownSec"),
                 QStringLiteral("cooldownSec must be between 0 and 604800"));
    }

    void bodyPerType()
    {
        RuleForm form;
        form.newRule();
        form.setProperty("name", QStringLiteral("  Slow  "));
        form.setType(QStringLiteral("LATENCY"));
        form.setProperty("latencyStat", QStringLiteral("AVG"));
        QJsonObject body = form.toJson();
        QCOMPARE(body.value(QStringLiteral("name")).toString(), QStringLiteral("Slow"));
        QCOMPARE(body.value(QStringLiteral("threshold")).toDouble(), 500.0);
        QCOMPARE(body.value(QStringLiteral("latencyStat")).toString(), QStringLiteral("AVG"));
        QVERIFY(!body.contains(QStringLiteral("windowSec")));
        QVERIFY(!body.contains(QStringLiteral("expression")));
        QCOMPARE(body.value(QStringLiteral("scope")).toObject(),
                 (QJsonObject{{QStringLiteral("all"), true}}));

        form.setType(QStringLiteral("MASS_DISCONNECT"));
        form.setProperty("scopeKind", QStringLiteral("roomType"));
        form.setProperty("scopeRoomType", QStringLiteral("CHAT"));
        body = form.toJson();
        QCOMPARE(body.value(QStringLiteral("windowSec")).toInt(), 60);
        QVERIFY(!body.contains(QStringLiteral("latencyStat")));
        QCOMPARE(body.value(QStringLiteral("scope")).toObject(),
                 (QJsonObject{{QStringLiteral("roomType"), QStringLiteral("CHAT")}}));

        form.setType(QStringLiteral("CUSTOM"));
        form.setExpression(QStringLiteral("online > 5"));
        form.setProperty("scopeKind", QStringLiteral("room"));
        form.setProperty("scopeRoom", QString());
        QVERIFY(!form.validate());
        QCOMPARE(errorOf(form, "scope"), QStringLiteral("choose the room"));
        form.setProperty("scopeRoom", QStringLiteral("LOBBY"));
        body = form.toJson();
        QVERIFY(!body.contains(QStringLiteral("threshold")));
        QCOMPARE(body.value(QStringLiteral("expression")).toString(), QStringLiteral("online > 5"));
        QCOMPARE(body.value(QStringLiteral("scope")).toObject(),
                 (QJsonObject{{QStringLiteral("roomId"), QStringLiteral("LOBBY")}}));
        form.setExpression(QString());
        QVERIFY(!form.validate());
        QVERIFY(errorOf(form, "expression").startsWith(QStringLiteral("a CUSTOM rule needs")));
    }

    void channels()
    {
        QCOMPARE(RuleForm::checkWebhookUrl(QStringLiteral("https://hooks.example.org/x")),
                 QString());
        QCOMPARE(RuleForm::checkWebhookUrl(QStringLiteral("http://10.0.0.1:8080/hook")), QString());
        for (const char *bad : {"ftp://example.org/x", "hooks.example.org/x", "https://", "/x"})
            QVERIFY2(!RuleForm::checkWebhookUrl(QString::fromLatin1(bad)).isEmpty(), bad);
        QVERIFY(!RuleForm::checkWebhookUrl(QStringLiteral("https://e.org/") +
                                           QString(2048, QLatin1Char('a')))
                     .isEmpty());

        QCOMPARE(RuleForm::splitRecipients(QStringLiteral(" a@x.org, b@y.org;c@z.org  d@w.org ")),
                 (QStringList{QStringLiteral("a@x.org"), QStringLiteral("b@y.org"),
                              QStringLiteral("c@z.org"), QStringLiteral("d@w.org")}));
        QCOMPARE(RuleForm::checkRecipients({QStringLiteral("noc@example.org")}), QString());
        QCOMPARE(RuleForm::checkRecipients({QStringLiteral("noc@localhost")}),
                 QStringLiteral("'noc@localhost' is not an e-mail address"));
        QCOMPARE(RuleForm::checkRecipients({}),
                 QStringLiteral("an e-mail channel needs 1 to 20 recipients"));
        QStringList many;
        for (int i = 0; i < 21; ++i)
            many.append(QStringLiteral("a%1@example.org").arg(i));
        QCOMPARE(RuleForm::checkRecipients(many),
                 QStringLiteral("an e-mail channel needs 1 to 20 recipients"));

        RuleForm form;
        form.newRule();
        form.setProperty("name", QStringLiteral("r"));
        form.setProperty("webhookUrl", QStringLiteral("mailto:x@y.org"));
        form.setProperty("emailTo", QStringLiteral("ops@example.org, nope"));
        QVERIFY(!form.validate());
        QVERIFY(errorOf(form, "webhookUrl").startsWith(QStringLiteral("a webhook needs")));
        QCOMPARE(errorOf(form, "emailTo"), QStringLiteral("'nope' is not an e-mail address"));
        form.setProperty("webhookUrl", QStringLiteral("https://hooks.example.org/T0"));
        form.setProperty("emailTo", QStringLiteral("ops@example.org, noc@example.org"));
        form.setProperty("inapp", false);
        QVERIFY(form.validate());
        const QJsonArray channels = form.toJson().value(QStringLiteral("channels")).toArray();
        QCOMPARE(channels.size(), 2);
        QCOMPARE(
            channels.at(0).toObject(),
            (QJsonObject{{QStringLiteral("type"), QStringLiteral("webhook")},
                         {QStringLiteral("url"), QStringLiteral("https://hooks.example.org/T0")}}));
        QCOMPARE(
            channels.at(1).toObject().value(QStringLiteral("to")).toArray(),
            (QJsonArray{QStringLiteral("ops@example.org"), QStringLiteral("noc@example.org")}));

        // Loaded back: the channels become the fields again.
        QJsonObject rule = form.toJson();
        rule.insert(QStringLiteral("id"), QStringLiteral("r2"));
        form.loadJson(rule);
        QVERIFY(!form.property("inapp").toBool());
        QCOMPARE(form.property("webhookUrl").toString(),
                 QStringLiteral("https://hooks.example.org/T0"));
        QCOMPARE(form.property("emailTo").toString(),
                 QStringLiteral("ops@example.org, noc@example.org"));

        QCOMPARE(RuleForm::formField(QStringLiteral("channels[1].url")),
                 QStringLiteral("webhookUrl"));
        QCOMPARE(RuleForm::formField(QStringLiteral("channels[0].to")), QStringLiteral("emailTo"));
        QCOMPARE(RuleForm::formField(QStringLiteral("scope.roomId")), QStringLiteral("scope"));
        QCOMPARE(RuleForm::formField(QStringLiteral("threshold")), QStringLiteral("threshold"));
    }

    void conflictDiff()
    {
        RuleForm form;
        form.newRule();
        form.setProperty("name", QStringLiteral("Full"));
        form.setProperty("threshold", 85.0);
        QJsonObject theirs = form.toJson();
        QVERIFY(diffFields(form.toJson(), theirs, RuleForm::comparedFields()).isEmpty());
        theirs.insert(QStringLiteral("threshold"), 0.95);
        theirs.insert(QStringLiteral("severity"), QStringLiteral("CRITICAL"));
        theirs.insert(QStringLiteral("expression"), QJsonValue()); // null, as the server sends
        const QVariantList diff = diffFields(form.toJson(), theirs, RuleForm::comparedFields());
        QCOMPARE(diff.size(), 2);
        QCOMPARE(diff.at(0).toMap().value(QStringLiteral("field")).toString(),
                 QStringLiteral("threshold"));
        QCOMPARE(diff.at(0).toMap().value(QStringLiteral("mine")).toString(),
                 QStringLiteral("0.85"));
        QCOMPARE(diff.at(0).toMap().value(QStringLiteral("theirs")).toString(),
                 QStringLiteral("0.95"));
        QCOMPARE(diff.at(1).toMap().value(QStringLiteral("field")).toString(),
                 QStringLiteral("severity"));
    }

    void expressionWithoutServer()
    {
        RuleForm form;
        form.newRule();
        form.setType(QStringLiteral("CUSTOM"));
        form.setExpression(QStringLiteral("online > 1"));
        // No RestClient: the check cannot be made, which the form says.
        QCOMPARE(form.expressionState(), QStringLiteral("checking"));
        QTRY_COMPARE(form.expressionState(), QStringLiteral("unknown"));
        QCOMPARE(form.expressionMessage(), QStringLiteral("not connected"));
    }
};

QTEST_GUILESS_MAIN(TestRuleForm)
#include "tst_rule_form.moc"
