#pragma once

#include "store/hot_store.h"

#include <QHash>

namespace spidi {

// The embedded default: the hot store lives in this process. Callbacks run before the call
// returns.
class MemoryHotStore final : public HotStore
{
    Q_OBJECT
public:
    using HotStore::HotStore;

    void putSession(const SessionRecord &session) override;
    void touchSession(const SessionRecord &session) override;
    void removeSession(const SessionRecord &session) override;
    void forgetSession(const QString &sessionId) override;
    void setRoomPeak(const QString &roomId, int peak) override;
    void loadSessions(SessionsCallback done) override;
    Health health() const override;
    bool survivesRestart() const override { return false; }

    int sessionCount() const { return int(m_sessions.size()); }
    int roomPeak(const QString &roomId) const { return m_peaks.value(roomId); }

private:
    QHash<QString, SessionRecord> m_sessions;
    QHash<QString, int> m_peaks;
};

} // namespace spidi
