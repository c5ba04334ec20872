#pragma once

#include <QObject>
#include <QSocketNotifier>

#include <memory>

namespace spidi::sim {

// Turns SIGINT and SIGTERM into a Qt signal, so that the fleet can leave cleanly from the event
// loop (a signal handler may only write to a pipe).
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

    bool isValid() const { return m_notifier != nullptr; }

Q_SIGNALS:
    void terminationRequested();

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace spidi::sim
