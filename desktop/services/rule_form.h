#pragma once

#include "services/editor_form.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>
#include <QVariantList>
#include <QVariantMap>

namespace spidi::desktop {

// The alert rule editor's form (docs/desktop.md#alert-rules, docs/alerts.md#a-rule): every rule
// type's fields in the units the UI shows (a CAPACITY threshold in percent, stored as a share),
// scope, channels, the checks the server makes shown per field before sending, the CUSTOM
// expression validated by the server as it is typed (debounced), save/delete through
// RestClient, and a 409 turned into a field-by-field difference with reload or overwrite.
class RuleForm : public spidi::desktop::EditorForm
{
    Q_OBJECT
    Q_PROPERTY(QString ruleId READ ruleId NOTIFY changed)
    Q_PROPERTY(int version READ versionNumber NOTIFY changed)
    Q_PROPERTY(bool creating READ creating NOTIFY changed)

    Q_PROPERTY(QString name MEMBER m_name NOTIFY changed)
    // CAPACITY, LATENCY, HEARTBEAT, MASS_DISCONNECT or CUSTOM; switching resets threshold,
    // latencyStat and windowSec to the new type's defaults (like the server's PUT).
    Q_PROPERTY(QString type READ type WRITE setType NOTIFY changed)
    // In the unit of thresholdUnit: percent of capacity for CAPACITY (80 = a share of 0.8),
    // ms for LATENCY, s for HEARTBEAT, sessions for MASS_DISCONNECT; unused for CUSTOM.
    Q_PROPERTY(double threshold MEMBER m_threshold NOTIFY changed)
    Q_PROPERTY(QString thresholdUnit READ thresholdUnit NOTIFY changed)
    Q_PROPERTY(QString latencyStat MEMBER m_latencyStat NOTIFY changed) // AVG or P95
    Q_PROPERTY(int windowSec MEMBER m_windowSec NOTIFY changed)
    Q_PROPERTY(int forSec MEMBER m_forSec NOTIFY changed)
    Q_PROPERTY(QString severity MEMBER m_severity NOTIFY changed)
    // "room" (scopeRoom: a room id or code), "roomType" (scopeRoomType) or "all".
    Q_PROPERTY(QString scopeKind MEMBER m_scopeKind NOTIFY changed)
    Q_PROPERTY(QString scopeRoom MEMBER m_scopeRoom NOTIFY changed)
    Q_PROPERTY(QString scopeRoomType MEMBER m_scopeRoomType NOTIFY changed)
    Q_PROPERTY(int cooldownSec MEMBER m_cooldownSec NOTIFY changed)
    Q_PROPERTY(bool enabled MEMBER m_enabled NOTIFY changed)
    // Channels: in-app on/off, a webhook URL (empty: none), e-mail recipients separated by
    // commas, semicolons or spaces (empty: none).
    Q_PROPERTY(bool inapp MEMBER m_inapp NOTIFY changed)
    Q_PROPERTY(QString webhookUrl MEMBER m_webhookUrl NOTIFY changed)
    Q_PROPERTY(QString emailTo MEMBER m_emailTo NOTIFY changed)
    Q_PROPERTY(QString expression READ expression WRITE setExpression NOTIFY changed)

    // Field → message: the client-side checks and the server's 422 (`field` mapped to the
    // form's: channels[i].url → webhookUrl, channels[i].to → emailTo, scope.* → scope).
    // The server's verdict on the expression: "" (not asked), "checking" (typed since the last
    // answer, or asked), "valid", "invalid", "unknown" (the server could not be asked); the
    // message is the server's (with the column).
    Q_PROPERTY(QString expressionState READ expressionState NOTIFY expressionStateChanged)
    Q_PROPERTY(QString expressionMessage READ expressionMessage NOTIFY expressionStateChanged)
    Q_PROPERTY(
        QStringList expressionIdentifiers READ expressionIdentifiers NOTIFY expressionStateChanged)
    // A failure that belongs to no field, in words.
    // A 409: the rule changed on the server since it was loaded; conflictDiff lists
    // {field, mine, theirs} for every field that differs from the server's current rule.

public:
    explicit RuleForm(QObject *parent = nullptr);

    QString ruleId() const { return m_ruleId; }
    qint64 version() const { return m_version; }
    int versionNumber() const { return int(m_version); }
    bool creating() const { return m_ruleId.isEmpty(); }
    QString type() const { return m_type; }
    void setType(const QString &type);
    QString thresholdUnit() const { return unitOf(m_type); }
    QString expression() const { return m_expression; }
    void setExpression(const QString &expression);
    QString expressionState() const { return m_expressionState; }
    QString expressionMessage() const { return m_expressionMessage; }
    QStringList expressionIdentifiers() const { return m_expressionIdentifiers; }

    // A new rule with the defaults (CAPACITY 80 %, WARNING, all rooms, in-app, cooldown 300 s).
    Q_INVOKABLE void newRule();
    // A rule as the server returns it.
    Q_INVOKABLE void load(const QVariantMap &rule);
    void loadJson(const QJsonObject &rule);
    // Runs the client-side checks; true when there is nothing to fix (errors set otherwise).
    Q_INVOKABLE bool validate();
    // The body of a POST (and, with `version`, of a PUT).
    QJsonObject toJson() const;
    // Creates (POST) or updates (PUT with the version); `saved` or errors/conflict follow.
    Q_INVOKABLE bool save();
    // DELETE; `removed` or message follow.
    Q_INVOKABLE void remove();
    // After a conflict: take the server's rule (discarding the edits) ...
    Q_INVOKABLE void reload();
    // ... or send the edits again based on the server's current version.
    Q_INVOKABLE void overwrite();
    // Asks the server about the expression now, without waiting for the debounce.
    Q_INVOKABLE void checkExpression();

    // The UI threshold of a type (CAPACITY 80 (%), LATENCY 500 (ms), HEARTBEAT 60 (s),
    // MASS_DISCONNECT 10 (sessions), CUSTOM 0).
    static double defaultThreshold(const QString &type);
    static QString unitOf(const QString &type);
    // Percent (the UI) ↔ share (the API): 80 ↔ 0.8, rounded to 1e-9.
    static double shareFromPercent(double percent);
    static double percentFromShare(double share);
    // The recipients of an e-mail field: split on commas, semicolons and white space.
    static QStringList splitRecipients(const QString &text);
    // The server's channel checks: "" when fine, else the message.
    static QString checkWebhookUrl(const QString &url);
    static QString checkRecipients(const QStringList &recipients);
    // The form field a server problem's `field` belongs to.
    static QString formField(const QString &problemField);
    // The fields compared on a conflict.
    static QStringList comparedFields();

    static constexpr int kDebounceMs = 350;

Q_SIGNALS:
    void changed();
    void expressionStateChanged();
    // A rule was created (`created`) or updated: as the server returned it.
    void saved(const QVariantMap &rule, bool created);
    void removed(const QString &ruleId);

private:
    QString formFieldOf(const QString &problemField) const override;
    void setExpressionState(const QString &state, const QString &message,
                            const QStringList &identifiers = {});
    void send(qint64 version);

    QString m_ruleId;
    qint64 m_version = 0;
    QString m_name;
    QString m_type = QStringLiteral("CAPACITY");
    double m_threshold = 80;
    QString m_latencyStat = QStringLiteral("P95");
    int m_windowSec = 60;
    int m_forSec = 0;
    QString m_severity = QStringLiteral("WARNING");
    QString m_scopeKind = QStringLiteral("all");
    QString m_scopeRoom;
    QString m_scopeRoomType;
    int m_cooldownSec = 300;
    bool m_enabled = true;
    bool m_inapp = true;
    QString m_webhookUrl;
    QString m_emailTo;
    QString m_expression;

    QString m_expressionState;
    QString m_expressionMessage;
    QStringList m_expressionIdentifiers;
    quint64 m_expressionSeq = 0;
    QTimer m_debounce;
    QJsonObject m_serverRule;
};

} // namespace spidi::desktop
