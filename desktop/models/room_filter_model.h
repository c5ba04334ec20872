#pragma once

#include <QSortFilterProxyModel>

namespace spidi::desktop {

// The dashboard's view of a RoomListModel: text search over code and name, filters by type,
// status and tag (an empty filter matches everything), and a sort key. Re-filters and re-sorts
// as the rooms change (dynamic sort filter).
class RoomFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_PROPERTY(QString search READ search WRITE setSearch NOTIFY searchChanged)
    Q_PROPERTY(QString typeFilter READ typeFilter WRITE setTypeFilter NOTIFY typeFilterChanged)
    Q_PROPERTY(
        QString statusFilter READ statusFilter WRITE setStatusFilter NOTIFY statusFilterChanged)
    Q_PROPERTY(QString tagFilter READ tagFilter WRITE setTagFilter NOTIFY tagFilterChanged)
    Q_PROPERTY(SortKey sortKey READ sortKey WRITE setSortKey NOTIFY sortKeyChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    // ByLoad: capacity % descending; ByLatency: p95 descending; ByName: name ascending. Ties go
    // by code, so the order is stable.
    enum SortKey { ByName, ByLoad, ByLatency };
    Q_ENUM(SortKey)

    explicit RoomFilterModel(QObject *parent = nullptr);

    QString search() const { return m_search; }
    void setSearch(const QString &search);
    QString typeFilter() const { return m_type; }
    void setTypeFilter(const QString &type);
    QString statusFilter() const { return m_status; }
    void setStatusFilter(const QString &status);
    QString tagFilter() const { return m_tag; }
    void setTagFilter(const QString &tag);
    SortKey sortKey() const { return m_sortKey; }
    void setSortKey(SortKey key);
    int count() const { return rowCount(); }

Q_SIGNALS:
    void searchChanged();
    void typeFilterChanged();
    void statusFilterChanged();
    void tagFilterChanged();
    void sortKeyChanged();
    void countChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    void refilter();

    QString m_search;
    QString m_type;
    QString m_status;
    QString m_tag;
    SortKey m_sortKey = ByName;
};

} // namespace spidi::desktop
