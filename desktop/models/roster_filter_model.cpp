#include "roster_filter_model.h"

#include "roster_model.h"

namespace spidi::desktop {

RosterFilterModel::RosterFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent), m_sortRole(RosterModel::UserIdRole)
{
    setDynamicSortFilter(true);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(this, signal, this, &RosterFilterModel::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &RosterFilterModel::countChanged);
    connect(this, &QAbstractItemModel::layoutChanged, this, &RosterFilterModel::countChanged);
    applySort();
}

void RosterFilterModel::setSearch(const QString &search)
{
    if (m_search == search)
        return;
    m_search = search;
    invalidateRowsFilter();
    Q_EMIT searchChanged();
    Q_EMIT countChanged();
}

void RosterFilterModel::setSortColumnRole(int role)
{
    if (m_sortRole == role)
        return;
    m_sortRole = role;
    applySort();
    Q_EMIT sortChanged();
}

void RosterFilterModel::setDescending(bool descending)
{
    if (m_descending == descending)
        return;
    m_descending = descending;
    applySort();
    Q_EMIT sortChanged();
}

void RosterFilterModel::applySort()
{
    setSortRole(m_sortRole);
    sort(0, m_descending ? Qt::DescendingOrder : Qt::AscendingOrder);
}

QString RosterFilterModel::sessionIdAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return {};
    return data(index(row, 0), RosterModel::SessionIdRole).toString();
}

bool RosterFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_search.isEmpty())
        return true;
    const QModelIndex i = sourceModel()->index(sourceRow, 0, sourceParent);
    for (int role : {RosterModel::UserIdRole, RosterModel::DeviceRole, RosterModel::OsRole,
                     RosterModel::AppVersionRole, RosterModel::IpRole}) {
        if (i.data(role).toString().contains(m_search, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

bool RosterFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QVariant a = left.data(m_sortRole);
    const QVariant b = right.data(m_sortRole);
    if (a.typeId() == QMetaType::Double) {
        if (a.toDouble() != b.toDouble())
            return a.toDouble() < b.toDouble();
    } else {
        const int c = QString::compare(a.toString(), b.toString(), Qt::CaseInsensitive);
        if (c != 0)
            return c < 0;
    }
    // Ties in a stable order: by session id.
    return left.data(RosterModel::SessionIdRole).toString() <
           right.data(RosterModel::SessionIdRole).toString();
}

} // namespace spidi::desktop
