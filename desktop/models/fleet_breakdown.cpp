#include "fleet_breakdown.h"

#include "roster_model.h"

#include <algorithm>

namespace spidi::desktop {

namespace {

QVariantList sorted(const QHash<QString, int> &counts, int total)
{
    QList<std::pair<QString, int>> entries;
    entries.reserve(counts.size());
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        entries.append({it.key(), it.value()});
    std::sort(entries.begin(), entries.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    QVariantList list;
    list.reserve(entries.size());
    for (const auto &[label, n] : entries) {
        list.append(QVariantMap{
            {QStringLiteral("label"), label.isEmpty() ? QStringLiteral("(unknown)") : label},
            {QStringLiteral("count"), n},
            {QStringLiteral("fraction"), total > 0 ? double(n) / total : 0.0}});
    }
    return list;
}

} // namespace

FleetBreakdown::FleetBreakdown(RosterModel *roster, QObject *parent)
    : QObject(parent), m_roster(roster)
{
    connect(roster, &RosterModel::breakdownChanged, this, &FleetBreakdown::refresh);
    refresh();
}

void FleetBreakdown::refresh()
{
    m_total = m_roster->count();
    m_byOs = sorted(m_roster->osCounts(), m_total);
    m_byApp = sorted(m_roster->appCounts(), m_total);
    Q_EMIT changed();
}

} // namespace spidi::desktop
