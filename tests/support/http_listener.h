#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QTcpServer>
#include <QUrl>

class QTcpSocket;

namespace spidi::test {

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

struct HttpRequestRecord
{
    QByteArray method;
    QByteArray path; // request target as sent, query included
    HttpHeaders headers;
    QByteArray body;
    qint64 receivedAtMs = 0; // QDateTime::currentMSecsSinceEpoch() when the request was complete

    // The first header of that name (case-insensitive), empty if absent.
    QByteArray header(const QByteArray &name) const;
};

// A minimal scripted HTTP/1.1 server on 127.0.0.1 and a free port, for webhook tests.
// Parses the request line, headers and a Content-Length body (no chunked requests), records
// every request, and answers with the next scripted response, or 200 with an empty body when
// the queue is empty. Every answer carries "Connection: close" and the connection is closed
// after it, so each request arrives on a fresh connection.
class HttpListener : public QObject
{
    Q_OBJECT

public:
    explicit HttpListener(QObject *parent = nullptr);
    ~HttpListener() override;

    bool isListening() const { return m_server.isListening(); }
    quint16 port() const { return m_server.serverPort(); }
    // http://127.0.0.1:<port><path>
    QUrl url(const QString &path = QStringLiteral("/")) const;

    // Scripted answers, consumed one per request in order.
    void enqueue(int status, QByteArray body = {}, HttpHeaders headers = {});
    // Reads the request and never answers (the connection stays open until the client gives up
    // or the listener is destroyed).
    void enqueueHang();
    // Reads the request and closes the connection without answering.
    void enqueueClose();
    qsizetype pendingResponses() const { return m_script.size(); }

    const QList<HttpRequestRecord> &requests() const { return m_requests; }
    qsizetype requestCount() const { return m_requests.size(); }
    void clearRequests() { m_requests.clear(); }

    // Stops accepting connections (new ones are refused) and drops open ones.
    void close();

    // A loopback port nothing listens on (bound, then released): connections are refused.
    static quint16 unusedPort();

signals:
    void requestReceived();

private:
    struct Scripted
    {
        enum class Kind { Respond, Hang, Close } kind = Kind::Respond;
        int status = 200;
        QByteArray body;
        HttpHeaders headers;
    };
    struct Connection
    {
        QByteArray buffer;
        bool done = false;
    };

    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void answer(QTcpSocket *socket, const Scripted &scripted);

    QTcpServer m_server;
    QList<Scripted> m_script;
    QList<HttpRequestRecord> m_requests;
    QHash<QTcpSocket *, Connection> m_connections;
};

} // namespace spidi::test
