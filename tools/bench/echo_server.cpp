#include "echo_server.h"

#include "bench_log.h"

#include <QTcpSocket>
#include <QThread>
#include <QWebSocket>
#include <QWebSocketServer>

namespace spidi {

// One thread's share of the echo connections.
class EchoWorker : public QObject
{
    Q_OBJECT
public:
    EchoWorker()
        : m_server(QStringLiteral("spidi-bench-echo"), QWebSocketServer::NonSecureMode, this)
    {
        connect(&m_server, &QWebSocketServer::newConnection, this, &EchoWorker::takePending);
    }

    void adopt(qintptr descriptor)
    {
        auto *socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            qCWarning(lcBench) << "echo: cannot adopt socket:" << socket->errorString();
            delete socket;
            return;
        }
        // The upgrade takes the socket over (it is reparented to the resulting QWebSocket).
        m_server.handleConnection(socket);
    }

private:
    void takePending()
    {
        while (QWebSocket *ws = m_server.nextPendingConnection()) {
            ws->setParent(this);
            connect(ws, &QWebSocket::textMessageReceived, ws,
                    [ws](const QString &text) { ws->sendTextMessage(text); });
            connect(ws, &QWebSocket::disconnected, ws, &QObject::deleteLater);
        }
    }

    QWebSocketServer m_server;
};

EchoServer::EchoServer(int threads, QObject *parent) : QTcpServer(parent)
{
    // Qt's default listen backlog of 50 drops SYNs during a fast ramp (the client then waits
    // for a retransmit, seconds); the kernel caps this at net.core.somaxconn.
    setListenBacklogSize(4096);
    for (int i = 0; i < std::max(1, threads); ++i) {
        auto *thread = new QThread(this);
        thread->setObjectName(QStringLiteral("echo-%1").arg(i));
        auto *worker = new EchoWorker;
        worker->moveToThread(thread);
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        thread->start();
        m_threads.append(thread);
        m_workers.append(worker);
    }
}

EchoServer::~EchoServer()
{
    close();
    for (QThread *thread : std::as_const(m_threads)) {
        thread->quit();
        thread->wait();
    }
}

void EchoServer::incomingConnection(qintptr descriptor)
{
    EchoWorker *worker = m_workers.at(m_next);
    m_next = (m_next + 1) % int(m_workers.size());
    QMetaObject::invokeMethod(
        worker, [worker, descriptor] { worker->adopt(descriptor); }, Qt::QueuedConnection);
}

} // namespace spidi

#include "echo_server.moc"
