#include "alert_events_model.h"

#include "services/editor_support.h"

#include <QJsonArray>

namespace spidi::desktop {

namespace {

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

QVariant time(const QJsonObject &o, const char *key)
{
    const QString s = str(o, key);
    if (s.isEmpty())
        return {};
    return QDateTime::fromString(s, Qt::ISODateWithMs);
}

} // namespace

AlertEventsModel::AlertEventsModel(QObject *parent) : QAbstractListModel(parent) {}

void AlertEventsModel::setRest(RestClient *rest)
{
    if (m_rest == rest)
        return;
    m_rest = rest;
    Q_EMIT restChanged();
}

int AlertEventsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

QVariant AlertEventsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QJsonObject &e = m_events.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case MessageRole:
        return str(e, "message");
    case EventIdRole:
        return str(e, "id");
    case RuleNameRole:
        return str(e, "ruleName");
    case RuleTypeRole:
        return str(e, "ruleType");
    case RoomCodeRole:
        return str(e, "roomCode");
    case SeverityRole:
        return str(e, "severity");
    case StateRole:
        return str(e, "state");
    case ValueRole: {
        const QJsonValue v = e.value(QLatin1String("value"));
        return v.isDouble() ? QVariant(v.toDouble()) : QVariant();
    }
    case FiredAtRole:
        return time(e, "firedAt");
    case AcknowledgedAtRole:
        return time(e, "acknowledgedAt");
    case AcknowledgedByRole:
        return str(e, "acknowledgedBy");
    case CommentRole:
        return str(e, "comment");
    case ResolvedAtRole:
        return time(e, "resolvedAt");
    case ResolvedByRole:
        return str(e, "resolvedBy");
    default:
        return {};
    }
}

QHash<int, QByteArray> AlertEventsModel::roleNames() const
{
    return {{EventIdRole, "eventId"},
            {RuleNameRole, "ruleName"},
            {RuleTypeRole, "ruleType"},
            {RoomCodeRole, "roomCode"},
            {SeverityRole, "severity"},
            {StateRole, "state"},
            {MessageRole, "message"},
            {ValueRole, "value"},
            {FiredAtRole, "firedAt"},
            {AcknowledgedAtRole, "acknowledgedAt"},
            {AcknowledgedByRole, "acknowledgedBy"},
            {CommentRole, "comment"},
            {ResolvedAtRole, "resolvedAt"},
            {ResolvedByRole, "resolvedBy"}};
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
