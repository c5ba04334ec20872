#include "services/editor_form.h"

#include "services/editor_support.h"

namespace spidi::desktop {

void EditorForm::setRest(RestClient *rest)
{
    if (m_rest == rest)
        return;
    m_rest = rest;
    Q_EMIT restChanged();
}

void EditorForm::setBusy(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged();
}

void EditorForm::setErrors(const QVariantMap &errors, const QString &message)
{
    if (m_errors == errors && m_message == message)
        return;
    m_errors = errors;
    m_message = message;
    Q_EMIT errorsChanged();
}

void EditorForm::setConflict(bool conflict, const QVariantList &diff)
{
    if (m_conflict == conflict && m_conflictDiff == diff)
        return;
    m_conflict = conflict;
    m_conflictDiff = diff;
    Q_EMIT conflictChanged();
}

void EditorForm::applyProblem(const QVariantMap &problem)
{
    const QString field = problem.value(QStringLiteral("field")).toString();
    const QString text = problemText(problem);
    if (field.isEmpty())
        setErrors({}, text);
    else
        setErrors({{formFieldOf(field), text}}, {});
}

QString EditorForm::formFieldOf(const QString &problemField) const
{
    return fieldKey(problemField);
}

} // namespace spidi::desktop
