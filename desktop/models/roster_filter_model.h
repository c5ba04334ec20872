#pragma once

#include <QSortFilterProxyModel>

namespace spidi::desktop {

// A searchable, sortable view of a RosterModel for the roster table: `search` matches (case
// insensitive, substring) the user, device, OS, app version and IP; `sortRole` is any
// RosterModel role (the header's column), `descending` its order. Follows the source's
// incremental updates (dynamic sort and filter), never resetting for them.
class RosterFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_PROPERTY(QString search READ search WRITE setSearch NOTIFY searchChanged)
    Q_PROPERTY(int sortColumnRole READ sortColumnRole WRITE setSortColumnRole NOTIFY sortChanged)
    Q_PROPERTY(bool descending READ descending WRITE setDescending NOTIFY sortChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    explicit RosterFilterModel(QObject *parent = nullptr);

    QString search() const { return m_search; }
    void setSearch(const QString &search);
    int sortColumnRole() const { return m_sortRole; }
    void setSortColumnRole(int role);
    bool descending() const { return m_descending; }
    void setDescending(bool descending);
    int count() const { return rowCount(); }

    // The source row of a row of this view (-1 when out of range).
    Q_INVOKABLE QString sessionIdAt(int row) const;

Q_SIGNALS:
    void searchChanged();
    void sortChanged();
    void countChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    void applySort();

    QString m_search;
    int m_sortRole;
    bool m_descending = false;
};

} // namespace spidi::desktop
