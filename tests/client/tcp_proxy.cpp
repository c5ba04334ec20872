#include "tcp_proxy.h"

#include <QTcpSocket>

namespace spidi::test {

TcpProxy::TcpProxy(QObject *parent) : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &TcpProxy::onNewConnection);
}

TcpProxy::~TcpProxy()
{
    cutAll();
}

bool TcpProxy::listen(quint16 targetPort)
{
    m_targetPort = targetPort;
    m_clock.start();
    return m_server.listen(QHostAddress::LocalHost, 0);
}

void TcpProxy::onNewConnection()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        m_acceptTimes.append(m_clock.elapsed());
        if (m_refusing) {
            client->abort();
            client->deleteLater();
            continue;
        }
        auto *pair = new Pair;
        pair->client = client;
        pair->upstream = new QTcpSocket(this);
        m_pairs.append(pair);
        connect(client, &QTcpSocket::readyRead, this,
                [this, pair] { forward(pair, pair->client); });
        connect(pair->upstream, &QTcpSocket::readyRead, this,
                [this, pair] { forward(pair, pair->upstream); });
        connect(pair->upstream, &QTcpSocket::connected, this, [pair] {
            pair->upstream->write(pair->pendingToUpstream);
            pair->pendingToUpstream.clear();
        });
        // Either side closing closes the other, as a real path would.
        connect(client, &QTcpSocket::disconnected, this, [this, pair] { drop(pair); });
        connect(pair->upstream, &QTcpSocket::disconnected, this, [this, pair] { drop(pair); });
        connect(pair->upstream, &QTcpSocket::errorOccurred, this,
                [this, pair](QAbstractSocket::SocketError) { drop(pair); });
        pair->upstream->connectToHost(QHostAddress::LocalHost, m_targetPort);
    }
}

void TcpProxy::forward(Pair *pair, QTcpSocket *from)
{
    const QByteArray data = from->readAll();
    if (m_blackholed)
        return;
    if (from == pair->client) {
        if (pair->upstream->state() == QAbstractSocket::ConnectedState)
            pair->upstream->write(data);
        else
            pair->pendingToUpstream += data;
    } else {
        pair->client->write(data);
    }
}

void TcpProxy::drop(Pair *pair)
{
    if (!m_pairs.removeOne(pair))
        return;
    pair->client->disconnect(this);
    pair->upstream->disconnect(this);
    pair->client->abort();
    pair->upstream->abort();
    pair->client->deleteLater();
    pair->upstream->deleteLater();
    delete pair;
}

void TcpProxy::cutAll()
{
    const QList<Pair *> pairs = m_pairs;
    for (Pair *pair : pairs)
        drop(pair);
}

} // namespace spidi::test
