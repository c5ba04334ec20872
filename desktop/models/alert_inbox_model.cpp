#include "alert_inbox_model.h"

#include <QJsonDocument>

namespace spidi::desktop {

namespace {

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

bool isOpen(const QJsonObject &event)
{
    const QString state = str(event, "state");
    return state == QLatin1String("FIRING") || state == QLatin1String("ACKNOWLEDGED");
}

} // namespace

AlertInboxModel::AlertInboxModel(QObject *parent) : AlertEventListModel(parent) {}

int AlertInboxModel::severityRank(const QString &severity)
{
    if (severity == QLatin1String("CRITICAL"))
        return 0;
    if (severity == QLatin1String("WARNING"))
        return 1;
    if (severity == QLatin1String("INFO"))
        return 2;
    return 3;
}

int AlertInboxModel::firingCount() const
{
    int n = 0;
    for (const QJsonObject &e : m_events)
        n += str(e, "state") == QLatin1String("FIRING") ? 1 : 0;
    return n;
}

int AlertInboxModel::criticalCount() const
{
    int n = 0;
    for (const QJsonObject &e : m_events)
        n += str(e, "severity") == QLatin1String("CRITICAL") ? 1 : 0;
    return n;
}

QHash<QString, int> AlertInboxModel::firingByRoom() const
{
    QHash<QString, int> counts;
    for (const QJsonObject &e : m_events) {
        if (str(e, "state") == QLatin1String("FIRING"))
            ++counts[str(e, "roomId")];
    }
    return counts;
}

int AlertInboxModel::rowOf(const QString &eventId) const
{
    for (int i = 0; i < m_events.size(); ++i) {
        if (str(m_events.at(i), "id") == eventId)
            return i;
    }
    return -1;
}

bool AlertInboxModel::before(const QJsonObject &a, const QJsonObject &b) const
{
    const int ra = severityRank(str(a, "severity"));
    const int rb = severityRank(str(b, "severity"));
    if (ra != rb)
        return ra < rb;
    // ISO-8601 UTC with milliseconds sorts as text; newest first.
    const QString fa = str(a, "firedAt");
    const QString fb = str(b, "firedAt");
    if (fa != fb)
        return fa > fb;
    return str(a, "id") < str(b, "id");
}

int AlertInboxModel::insertPosition(const QJsonObject &event) const
{
    const auto it = std::lower_bound(
        m_events.cbegin(), m_events.cend(), event,
        [this](const QJsonObject &a, const QJsonObject &b) { return before(a, b); });
    return int(it - m_events.cbegin());
}

void AlertInboxModel::remove(const QString &eventId)
{
    const int row = rowOf(eventId);
    if (row < 0)
        return;
    beginRemoveRows(QModelIndex(), row, row);
    m_events.removeAt(row);
    endRemoveRows();
    Q_EMIT countsChanged();
}

void AlertInboxModel::upsert(const QJsonObject &event)
{
    const QString id = str(event, "id");
    if (id.isEmpty())
        return;
    if (!isOpen(event)) {
        remove(id);
        return;
    }
    const int row = rowOf(id);
    if (row < 0) {
        const int pos = insertPosition(event);
        beginInsertRows(QModelIndex(), pos, pos);
        m_events.insert(pos, event);
        endInsertRows();
        Q_EMIT countsChanged();
        return;
    }
    const QJsonObject old = m_events.at(row);
    if (old == event)
        return;
    // The roles whose value changed.
    QList<int> roles;
    const QHash<int, QByteArray> names = roleNames();
    m_events[row] = event;
    const QModelIndex idx = index(row);
    for (auto it = names.cbegin(); it != names.cend(); ++it) {
        m_events[row] = old;
        const QVariant before = data(idx, it.key());
        m_events[row] = event;
        if (before != data(idx, it.key()))
            roles.append(it.key());
    }
    if (roles.contains(MessageRole))
        roles.append(Qt::DisplayRole);
    Q_EMIT dataChanged(idx, idx, roles);
    // Severity and firedAt never change for an event; should they, keep the order anyway.
    if (roles.contains(SeverityRole) || roles.contains(FiredAtRole)) {
        beginRemoveRows(QModelIndex(), row, row);
        m_events.removeAt(row);
        endRemoveRows();
        const int pos = insertPosition(event);
        beginInsertRows(QModelIndex(), pos, pos);
        m_events.insert(pos, event);
        endInsertRows();
    }
    if (roles.contains(StateRole) || roles.contains(SeverityRole))
        Q_EMIT countsChanged();
}

void AlertInboxModel::applyAlert(const QString &transition, const QJsonObject &event, bool notify)
{
    const QString id = str(event, "id");
    if (id.isEmpty())
        return;
    m_touched.insert(id, ++m_serial);
    if (transition == QLatin1String("RESOLVED")) {
        m_resolvedSerial.insert(id, m_serial);
        remove(id);
        return;
    }
    const bool wasKnown = rowOf(id) >= 0;
    upsert(event);
    if (transition == QLatin1String("FIRED") && !wasKnown &&
        str(event, "severity") == QLatin1String("CRITICAL"))
        Q_EMIT criticalFired(event, notify);
}

void AlertInboxModel::sync(const QList<QJsonObject> &events, quint64 sinceSerial)
{
    QSet<QString> listed;
    for (const QJsonObject &e : events) {
        const QString id = str(e, "id");
        listed.insert(id);
        if (m_resolvedSerial.value(id) > sinceSerial)
            continue; // resolved while the list was on its way
        if (m_touched.value(id) > sinceSerial && rowOf(id) >= 0)
            continue; // the ALERT is newer than the list
        upsert(e);
    }
    QStringList gone;
    for (const QJsonObject &e : std::as_const(m_events)) {
        const QString id = str(e, "id");
        if (!listed.contains(id) && m_touched.value(id) <= sinceSerial)
            gone.append(id);
    }
    for (const QString &id : std::as_const(gone))
        remove(id);
    // What happened before the list was requested is in the list: forget it, so that the
    // bookkeeping does not grow with every event ever seen.
    const auto older = [sinceSerial](quint64 serial) { return serial <= sinceSerial; };
    m_touched.removeIf([&](const auto &it) { return older(it.value()); });
    m_resolvedSerial.removeIf([&](const auto &it) { return older(it.value()); });
}

} // namespace spidi::desktop
