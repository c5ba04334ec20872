#pragma once

#include <QObject>
#include <QVariantList>

namespace spidi::desktop {

class RosterModel;

// Sessions of a RosterModel by OS and by app version, for the room page's two bar lists. Each
// list is [{label, count, fraction}] sorted by count (highest first, then label); fraction is
// of all sessions. Kept in step with the roster: the model counts as it changes, and this
// object re-reads the counts (a handful of distinct values) when they change.
class FleetBreakdown : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QVariantList byOs READ byOs NOTIFY changed)
    Q_PROPERTY(QVariantList byAppVersion READ byAppVersion NOTIFY changed)
    Q_PROPERTY(int total READ total NOTIFY changed)

public:
    explicit FleetBreakdown(RosterModel *roster, QObject *parent = nullptr);

    QVariantList byOs() const { return m_byOs; }
    QVariantList byAppVersion() const { return m_byApp; }
    int total() const { return m_total; }

Q_SIGNALS:
    void changed();

private:
    void refresh();

    RosterModel *m_roster;
    QVariantList m_byOs;
    QVariantList m_byApp;
    int m_total = 0;
};

} // namespace spidi::desktop
