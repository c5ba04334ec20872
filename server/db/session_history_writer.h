#pragma once

#include "db/database.h"
#include "model/session.h"

#include <QObject>

#include <memory>
#include <optional>

namespace spidi {

class SessionHistoryWriterWorker;

// Write-behind for dat_spd_session (SPEC section 6). The presence engine enqueues a record when
// a session starts and again when it ends; rows are upserted by session id, so a record written
// twice is still one row, and the latest state wins. Batches are written every flushInterval
// on a worker thread with its own connection, so a slow or absent database never blocks the
// event loop. A failed batch stays queued and is retried with exponential backoff (capped);
// nothing is dropped.
class SessionHistoryWriter : public QObject
{
    Q_OBJECT
public:
    SessionHistoryWriter(DatabaseConfig config, int flushIntervalMs, QObject *parent = nullptr);
    ~SessionHistoryWriter() override; // stops the worker after a final flush

    void start();
    // Thread-safe, never blocks on the database.
    void enqueue(const SessionRecord &record);
    // Blocks until everything queued so far is written or the attempt failed; for shutdown
    // and tests. Returns false when rows are still queued (database down).
    bool flushNow(int timeoutMs = 10000);
    int queueDepth() const;
    // The newest record of a session that is queued or being written, not yet in SQL
    // (thread-safe): REST reads merge it, so a session that ended a moment ago reads as ended.
    std::optional<SessionRecord> unwritten(const QString &sessionId) const;
    qint64 rowsWritten() const;
    qint64 failedFlushes() const;

Q_SIGNALS:
    // Emitted (queued, from the worker) after every flush attempt.
    void flushed(int rows, bool ok, const QString &error);

private:
    std::unique_ptr<SessionHistoryWriterWorker> m_worker;
};

} // namespace spidi
