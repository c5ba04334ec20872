#include "db/session_history_writer.h"

#include "db/session_history_repository.h"
#include "logging/log_categories.h"

#include <QHash>
#include <QMutex>
#include <QMutexLocker>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace spidi {

namespace {
constexpr int kFirstRetryMs = 500;
constexpr int kMaxRetryMs = 30000;
} // namespace

// Lives on its own thread: owns the database connection (QtSql connections are per thread),
// the flush timer and the retry backoff. The queue itself is shared under a mutex so enqueue()
// never waits for a flush in progress.
class SessionHistoryWriterWorker : public QObject
{
    Q_OBJECT
public:
    SessionHistoryWriterWorker(DatabaseConfig config, int flushIntervalMs)
        : m_config(std::move(config)), m_intervalMs(qMax(10, flushIntervalMs))
    {}

    void enqueue(const SessionRecord &record)
    {
        QMutexLocker lock(&m_mutex);
        // Records carry the whole session state, so only the newest per session matters.
        auto it = m_pending.find(record.id);
        if (it == m_pending.end()) {
            m_order.append(record.id);
            m_pending.insert(record.id, record);
        } else {
            *it = record;
        }
    }

    int depth() const
    {
        QMutexLocker lock(&m_mutex);
        return int(m_pending.size());
    }

    std::optional<SessionRecord> unwritten(const QString &sessionId) const
    {
        QMutexLocker lock(&m_mutex);
        if (const auto it = m_pending.constFind(sessionId); it != m_pending.cend())
            return *it;
        if (const auto it = m_inFlight.constFind(sessionId); it != m_inFlight.cend())
            return *it;
        return std::nullopt;
    }

    std::atomic<qint64> rowsWritten{0};
    std::atomic<qint64> failedFlushes{0};

public Q_SLOTS:
    void startOnThread()
    {
        m_timer = new QTimer(this);
        m_timer->setSingleShot(true);
        connect(m_timer, &QTimer::timeout, this, [this] { flush(); });
        m_timer->start(m_intervalMs);
    }

    // Returns true when nothing that was queued before the call is still queued.
    bool flush()
    {
        QList<SessionRecord> batch;
        {
            QMutexLocker lock(&m_mutex);
            batch.reserve(m_order.size());
            for (const QString &id : std::as_const(m_order))
                batch.append(m_pending.value(id));
            // Still readable (unwritten()) while the batch is being written.
            m_inFlight = std::move(m_pending);
            m_pending.clear();
            m_order.clear();
        }
        bool ok = true;
        QString error;
        if (!batch.isEmpty()) {
            Status written = write(batch);
            ok = bool(written);
            if (ok) {
                rowsWritten += batch.size();
                m_retryMs = 0;
            } else {
                error = written.error().message;
                ++failedFlushes;
                requeue(batch);
                m_retryMs = m_retryMs == 0 ? kFirstRetryMs : qMin(kMaxRetryMs, m_retryMs * 2);
                qCWarning(lcDb).noquote() << "history.flush failed: rows=" << batch.size()
                                          << "retryInMs=" << m_retryMs << "error=" << error;
            }
            {
                // Written, or back in m_pending by requeue(): either way no longer in flight.
                QMutexLocker lock(&m_mutex);
                m_inFlight.clear();
            }
            Q_EMIT flushed(int(batch.size()), ok, error);
        }
        if (m_timer)
            m_timer->start(m_retryMs > 0 ? m_retryMs : m_intervalMs);
        return ok;
    }

    void shutdown()
    {
        delete m_timer;
        m_timer = nullptr;
        if (m_db)
            m_db->close();
        m_db.reset();
    }

Q_SIGNALS:
    void flushed(int rows, bool ok, const QString &error);

private:
    Status write(const QList<SessionRecord> &batch)
    {
        if (!m_db) {
            auto opened = Database::open(
                m_config, QStringLiteral("spidi-history-%1").arg(quintptr(this), 0, 16));
            if (!opened)
                return opened.error();
            m_db = opened.value();
        }
        Status written = SessionHistoryRepository(*m_db).upsert(batch);
        if (!written && written.error().kind == ErrorKind::Unavailable) {
            // The connection may be dead (server restarted); reopen on the next attempt.
            m_db->close();
            m_db.reset();
        }
        return written;
    }

    // A failed batch goes back in front of what arrived meanwhile; a newer record of the same
    // session (enqueued during the failed attempt) wins.
    void requeue(const QList<SessionRecord> &batch)
    {
        QMutexLocker lock(&m_mutex);
        QStringList order;
        for (const SessionRecord &record : batch) {
            if (!m_pending.contains(record.id)) {
                m_pending.insert(record.id, record);
                order.append(record.id);
            }
        }
        for (const QString &id : std::as_const(m_order))
            if (!order.contains(id))
                order.append(id);
        m_order = order;
    }

    const DatabaseConfig m_config;
    const int m_intervalMs;
    int m_retryMs = 0;
    QTimer *m_timer = nullptr;
    std::optional<Database> m_db;

    mutable QMutex m_mutex;
    QHash<QString, SessionRecord> m_pending;
    QStringList m_order;
    QHash<QString, SessionRecord> m_inFlight; // the batch being written
};

namespace {
QThread *workerThread(QObject *worker)
{
    return worker->thread();
}
} // namespace

SessionHistoryWriter::SessionHistoryWriter(DatabaseConfig config, int flushIntervalMs,
                                           QObject *parent)
    : QObject(parent),
      m_worker(std::make_unique<SessionHistoryWriterWorker>(std::move(config), flushIntervalMs))
{
    connect(m_worker.get(), &SessionHistoryWriterWorker::flushed, this,
            &SessionHistoryWriter::flushed, Qt::QueuedConnection);
}

SessionHistoryWriter::~SessionHistoryWriter()
{
    QThread *thread = workerThread(m_worker.get());
    if (thread == QThread::currentThread()) {
        m_worker->flush();
        m_worker->shutdown();
        return; // never started
    }
    flushNow();
    // The timer and the connection belong to the worker thread and must die there.
    QMetaObject::invokeMethod(m_worker.get(), &SessionHistoryWriterWorker::shutdown,
                              Qt::BlockingQueuedConnection);
    thread->quit();
    thread->wait();
    delete thread;
}

void SessionHistoryWriter::start()
{
    if (workerThread(m_worker.get()) != QThread::currentThread())
        return; // already started
    auto *thread = new QThread;
    thread->setObjectName(QStringLiteral("spidi-history"));
    m_worker->moveToThread(thread);
    thread->start();
    QMetaObject::invokeMethod(m_worker.get(), &SessionHistoryWriterWorker::startOnThread,
                              Qt::QueuedConnection);
}

void SessionHistoryWriter::enqueue(const SessionRecord &record)
{
    m_worker->enqueue(record);
}

bool SessionHistoryWriter::flushNow(int timeoutMs)
{
    if (workerThread(m_worker.get()) == QThread::currentThread())
        return m_worker->flush();

    // Waits with a deadline: a hung database must not hang shutdown forever.
    struct Outcome
    {
        std::mutex mutex;
        std::condition_variable done;
        bool finished = false;
        bool ok = false;
    };
    auto outcome = std::make_shared<Outcome>();
    QMetaObject::invokeMethod(
        m_worker.get(),
        [worker = m_worker.get(), outcome] {
            const bool ok = worker->flush();
            std::lock_guard lock(outcome->mutex);
            outcome->finished = true;
            outcome->ok = ok;
            outcome->done.notify_all();
        },
        Qt::QueuedConnection);
    std::unique_lock lock(outcome->mutex);
    if (!outcome->done.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                                [&] { return outcome->finished; })) {
        qCWarning(lcDb).noquote() << "history.flushNow timed out: timeoutMs=" << timeoutMs
                                  << "queued=" << m_worker->depth();
        return false;
    }
    return outcome->ok;
}

int SessionHistoryWriter::queueDepth() const
{
    return m_worker->depth();
}

std::optional<SessionRecord> SessionHistoryWriter::unwritten(const QString &sessionId) const
{
    return m_worker->unwritten(sessionId);
}

qint64 SessionHistoryWriter::rowsWritten() const
{
    return m_worker->rowsWritten.load();
}

qint64 SessionHistoryWriter::failedFlushes() const
{
    return m_worker->failedFlushes.load();
}

} // namespace spidi

#include "session_history_writer.moc"
