#include "alert_events_model.h"

#include "services/editor_support.h"

#include <QJsonArray>

namespace spidi::desktop {

AlertEventsModel::AlertEventsModel(QObject *parent) : AlertEventListModel(parent) {}

void AlertEventsModel::setRest(RestClient *rest)
{
    if (m_rest == rest)
        return;
    m_rest = rest;
    Q_EMIT restChanged();
}

QUrlQuery AlertEventsModel::query(int offset) const
{
    QUrlQuery q;
    if (!m_state.isEmpty())
        q.addQueryItem(QStringLiteral("state"), m_state);
    if (!m_severity.isEmpty())
        q.addQueryItem(QStringLiteral("severity"), m_severity);
    if (!m_roomId.isEmpty())
        q.addQueryItem(QStringLiteral("roomId"), m_roomId);
    // '+' would read as a space in a query: UTC with 'Z' only.
    if (m_from.isValid())
        q.addQueryItem(QStringLiteral("from"), m_from.toUTC().toString(Qt::ISODateWithMs));
    if (m_to.isValid())
        q.addQueryItem(QStringLiteral("to"), m_to.toUTC().toString(Qt::ISODateWithMs));
    q.addQueryItem(QStringLiteral("offset"), QString::number(offset));
    q.addQueryItem(QStringLiteral("limit"), QString::number(m_pageSize));
    return q;
}

void AlertEventsModel::refresh()
{
    load(0);
}

void AlertEventsModel::nextPage()
{
    if (hasNext())
        load(m_offset + m_pageSize);
}

void AlertEventsModel::previousPage()
{
    if (hasPrevious())
        load(qMax(0, m_offset - m_pageSize));
}

void AlertEventsModel::load(int offset)
{
    if (!m_rest)
        return;
    const quint64 seq = ++m_requestSeq;
    setLoading(true);
    m_rest->get(
        QStringLiteral("/api/v1/alerts/events"), query(offset),
        [this, guard = QPointer<AlertEventsModel>(this), seq, offset](const RestResult &result) {
            if (!guard || seq != m_requestSeq)
                return; // a newer request is on its way
            setLoading(false);
            if (!result.ok()) {
                setError(problemText(result.problem));
                return;
            }
            setError({});
            QList<QJsonObject> events;
            for (const QJsonValue &v : result.object().value(QLatin1String("items")).toArray())
                events.append(v.toObject());
            setPage(events, offset, result.object().value(QLatin1String("total")).toInt());
        });
}

void AlertEventsModel::setPage(const QList<QJsonObject> &events, int offset, int total)
{
    if (!m_events.isEmpty()) {
        beginRemoveRows({}, 0, int(m_events.size()) - 1);
        m_events.clear();
        endRemoveRows();
    }
    if (!events.isEmpty()) {
        beginInsertRows({}, 0, int(events.size()) - 1);
        m_events = events;
        endInsertRows();
    }
    m_offset = offset;
    m_total = total;
    Q_EMIT pageChanged();
}

void AlertEventsModel::setLoading(bool loading)
{
    if (m_loading == loading)
        return;
    m_loading = loading;
    Q_EMIT loadingChanged();
}

void AlertEventsModel::setError(const QString &error)
{
    if (m_error == error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}

} // namespace spidi::desktop
