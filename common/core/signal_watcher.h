#pragma once

#include <QObject>

class QSocketNotifier;

namespace spidi {

// Turns SIGINT/SIGTERM into a Qt signal on the event loop (self-pipe), because a POSIX signal
// handler may not touch Qt: the shutdown (flushing history) must run as ordinary code.
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

    bool isValid() const { return m_notifier != nullptr; }

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    void onReadable();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace spidi
