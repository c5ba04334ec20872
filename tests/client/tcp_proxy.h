#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QTcpServer>

class QTcpSocket;

namespace spidi::test {

// A TCP forwarder on 127.0.0.1 between a client and a server port, so that a test can break the
// transport the way networks do while both real endpoints keep running: cut every connection
// (reset), refuse new ones (server unreachable), or swallow all traffic without closing anything
// (a partition: neither side sees a FIN).
class TcpProxy : public QObject
{
    Q_OBJECT
public:
    explicit TcpProxy(QObject *parent = nullptr);
    ~TcpProxy() override;

    bool listen(quint16 targetPort);
    quint16 port() const { return m_server.serverPort(); }

    // Aborts every forwarded connection at both ends.
    void cutAll();
    // While refusing, a new connection is accepted and aborted at once.
    void setRefusing(bool refusing) { m_refusing = refusing; }
    // While blackholed, existing connections stay open but bytes in either direction are
    // dropped (not delayed): what was sent during the partition is lost.
    void setBlackholed(bool blackholed) { m_blackholed = blackholed; }

    // Milliseconds since listen() of every accepted connection (refused ones included).
    QList<qint64> acceptTimesMs() const { return m_acceptTimes; }
    int openConnections() const { return int(m_pairs.size()); }

private:
    struct Pair
    {
        QTcpSocket *client = nullptr;
        QTcpSocket *upstream = nullptr;
        QByteArray pendingToUpstream; // until the upstream connection is up
    };

    void onNewConnection();
    void forward(Pair *pair, QTcpSocket *from);
    void drop(Pair *pair);

    QTcpServer m_server;
    quint16 m_targetPort = 0;
    QList<Pair *> m_pairs;
    QList<qint64> m_acceptTimes;
    QElapsedTimer m_clock;
    bool m_refusing = false;
    bool m_blackholed = false;
};

} // namespace spidi::test
