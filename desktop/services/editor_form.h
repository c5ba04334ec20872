#pragma once

#include "services/rest_client.h"

#include <QObject>
#include <QPointer>
#include <QVariantList>
#include <QVariantMap>

namespace spidi::desktop {

// What every editor form shares (RoomEditor, RuleForm): the REST client it saves through,
// per-field errors and a general message, a busy flag while a request runs, and the 409 state
// (a field-by-field difference with the server's current object, resolved by reload or
// overwrite).
class EditorForm : public QObject
{
    Q_OBJECT
    Q_PROPERTY(spidi::desktop::RestClient *rest READ rest WRITE setRest NOTIFY restChanged)
    // Field → message, and a message for what belongs to no field.
    Q_PROPERTY(QVariantMap errors READ errors NOTIFY errorsChanged)
    Q_PROPERTY(QString message READ message NOTIFY errorsChanged)
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(bool conflict READ conflict NOTIFY conflictChanged)
    // [{field, mine, theirs}]: the fields where the form differs from the server's object now.
    Q_PROPERTY(QVariantList conflictDiff READ conflictDiff NOTIFY conflictChanged)

public:
    using QObject::QObject;

    RestClient *rest() const { return m_rest; }
    void setRest(RestClient *rest);
    QVariantMap errors() const { return m_errors; }
    QString message() const { return m_message; }
    bool busy() const { return m_busy; }
    bool conflict() const { return m_conflict; }
    QVariantList conflictDiff() const { return m_conflictDiff; }

Q_SIGNALS:
    void restChanged();
    void errorsChanged();
    void busyChanged();
    void conflictChanged();

protected:
    void setBusy(bool busy);
    void setErrors(const QVariantMap &errors, const QString &message);
    void setConflict(bool conflict, const QVariantList &diff);
    // A server problem ({status, title, detail, field}) shown under its field, or as the message.
    void applyProblem(const QVariantMap &problem);
    // The form field a problem's `field` belongs to (default: editor_support's fieldKey()).
    virtual QString formFieldOf(const QString &problemField) const;

    QPointer<RestClient> m_rest;

private:
    QVariantMap m_errors;
    QString m_message;
    bool m_busy = false;
    bool m_conflict = false;
    QVariantList m_conflictDiff;
};

} // namespace spidi::desktop
