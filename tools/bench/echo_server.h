#pragma once

#include <QList>
#include <QObject>
#include <QTcpServer>

class QThread;

namespace spidi {

class EchoWorker;

// A minimal WebSocket echo server on the same Qt WebSockets stack as spidi-server: every text
// frame is sent back unchanged. Its throughput is the ceiling of the transport on this machine,
// against which the presence figures are compared. Accepts in the calling thread and hands each
// socket to one of `threads` worker threads (round robin), each with its own event loop and
// QWebSocketServer doing the upgrade (QWebSocketServer::handleConnection).
class EchoServer : public QTcpServer
{
    Q_OBJECT
public:
    explicit EchoServer(int threads, QObject *parent = nullptr);
    ~EchoServer() override;

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    QList<QThread *> m_threads;
    QList<EchoWorker *> m_workers;
    int m_next = 0;
};

} // namespace spidi
