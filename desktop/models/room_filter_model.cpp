#include "room_filter_model.h"

#include "room_list_model.h"

namespace spidi::desktop {

RoomFilterModel::RoomFilterModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    sort(0, Qt::AscendingOrder);
    connect(this, &QAbstractItemModel::rowsInserted, this, &RoomFilterModel::countChanged);
    connect(this, &QAbstractItemModel::rowsRemoved, this, &RoomFilterModel::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &RoomFilterModel::countChanged);
    connect(this, &QAbstractItemModel::layoutChanged, this, &RoomFilterModel::countChanged);
}

void RoomFilterModel::refilter()
{
    invalidateFilter();
    Q_EMIT countChanged();
}

void RoomFilterModel::setSearch(const QString &search)
{
    if (m_search == search)
        return;
    m_search = search;
    refilter();
    Q_EMIT searchChanged();
}

void RoomFilterModel::setTypeFilter(const QString &type)
{
    if (m_type == type)
        return;
    m_type = type;
    refilter();
    Q_EMIT typeFilterChanged();
}

void RoomFilterModel::setStatusFilter(const QString &status)
{
    if (m_status == status)
        return;
    m_status = status;
    refilter();
    Q_EMIT statusFilterChanged();
}

void RoomFilterModel::setTagFilter(const QString &tag)
{
    if (m_tag == tag)
        return;
    m_tag = tag;
    refilter();
    Q_EMIT tagFilterChanged();
}

void RoomFilterModel::setSortKey(SortKey key)
{
    if (m_sortKey == key)
        return;
    m_sortKey = key;
    invalidate();
    Q_EMIT sortKeyChanged();
}

bool RoomFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex idx = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_type.isEmpty() && idx.data(RoomListModel::TypeCodeRole).toString() != m_type)
        return false;
    if (!m_status.isEmpty() && idx.data(RoomListModel::StatusRole).toString() != m_status)
        return false;
    if (!m_tag.isEmpty() && !idx.data(RoomListModel::TagsRole).toStringList().contains(m_tag))
        return false;
    const QString needle = m_search.trimmed();
    if (needle.isEmpty())
        return true;
    return idx.data(RoomListModel::CodeRole).toString().contains(needle, Qt::CaseInsensitive) ||
           idx.data(RoomListModel::NameRole).toString().contains(needle, Qt::CaseInsensitive);
}

bool RoomFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const auto byCode = [&] {
        return left.data(RoomListModel::CodeRole).toString() <
               right.data(RoomListModel::CodeRole).toString();
    };
    switch (m_sortKey) {
    case ByLoad: {
        const double l = left.data(RoomListModel::CapacityPctRole).toDouble();
        const double r = right.data(RoomListModel::CapacityPctRole).toDouble();
        return l != r ? l > r : byCode();
    }
    case ByLatency: {
        const double l = left.data(RoomListModel::P95LatencyMsRole).toDouble();
        const double r = right.data(RoomListModel::P95LatencyMsRole).toDouble();
        return l != r ? l > r : byCode();
    }
    case ByName:
        break;
    }
    const int c = QString::localeAwareCompare(left.data(RoomListModel::NameRole).toString(),
                                              right.data(RoomListModel::NameRole).toString());
    return c != 0 ? c < 0 : byCode();
}

} // namespace spidi::desktop
