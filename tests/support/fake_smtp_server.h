#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTcpServer>

class QTcpSocket;

namespace spidi::test {

struct SmtpMessageRecord
{
    QByteArray from;      // MAIL FROM address, without the angle brackets
    QList<QByteArray> to; // accepted RCPT TO addresses, without the angle brackets
    QByteArray data;      // the DATA as received, dot-stuffing undone, without the final "."
    QByteArray authUser;  // empty when the session did not authenticate
    qint64 receivedAtMs = 0;
};

// Enough ESMTP (RFC 5321) on 127.0.0.1 and a free port for libcurl and similar clients:
// 220 greeting, EHLO/HELO (advertising SIZE, and AUTH when credentials are set), AUTH PLAIN
// (with or without initial response) and AUTH LOGIN (235 on the configured credentials, 535
// otherwise), MAIL FROM, RCPT TO, DATA (354, read up to CRLF.CRLF, un-dot-stuffed), RSET,
// NOOP, QUIT. With credentials set, MAIL FROM needs a successful AUTH first (530). No TLS:
// STARTTLS is not advertised and answered 502.
class FakeSmtpServer : public QObject
{
    Q_OBJECT

public:
    explicit FakeSmtpServer(QObject *parent = nullptr);
    ~FakeSmtpServer() override;

    bool isListening() const { return m_server.isListening(); }
    quint16 port() const { return m_server.serverPort(); }

    // Require and accept AUTH with these; an empty user turns AUTH off again.
    void setCredentials(const QByteArray &user, const QByteArray &password);
    // The mechanisms advertised on "250-AUTH" (default "PLAIN LOGIN").
    void setAuthMechanisms(const QByteArray &mechanisms) { m_mechanisms = mechanisms; }
    // Answers MAIL FROM of the next n transactions with "<code> <text>".
    void failNextTransactions(int n, int code, const QByteArray &text);
    // Answers RCPT TO for this address (without brackets) with "<code> <text>".
    void rejectRecipient(const QByteArray &address, int code = 550,
                         const QByteArray &text = "5.1.1 mailbox unavailable");
    // Accepts connections but never sends a byte (a relay that hangs).
    void setSilent(bool silent) { m_silent = silent; }

    const QList<SmtpMessageRecord> &messages() const { return m_messages; }
    qsizetype messageCount() const { return m_messages.size(); }
    int connectionCount() const { return m_connectionCount; }
    int transactionCount() const { return m_transactions; } // MAIL FROM commands received
    // Every command line received, in order (AUTH payloads and DATA content excluded).
    const QList<QByteArray> &commands() const { return m_commands; }

    void close();

signals:
    void messageReceived();
    void connectionAccepted();

private:
    enum class State { Command, AuthPlain, AuthLoginUser, AuthLoginPassword, Data };
    struct Session
    {
        State state = State::Command;
        QByteArray buffer;
        QByteArray from;
        QList<QByteArray> to;
        bool hasFrom = false;
        QByteArray authUser;
        QByteArray pendingUser; // AUTH LOGIN
        QByteArray data;
    };

    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void handleLine(QTcpSocket *socket, Session &session, const QByteArray &line);
    void handleCommand(QTcpSocket *socket, Session &session, const QByteArray &line);
    void checkPlain(QTcpSocket *socket, Session &session, const QByteArray &base64);
    void reply(QTcpSocket *socket, const QByteArray &line);

    QTcpServer m_server;
    QHash<QTcpSocket *, Session> m_sessions;
    QByteArray m_user;
    QByteArray m_password;
    QByteArray m_mechanisms = "PLAIN LOGIN";
    int m_failTransactions = 0;
    int m_failCode = 0;
    QByteArray m_failText;
    QHash<QByteArray, QPair<int, QByteArray>> m_rejected;
    bool m_silent = false;
    QList<SmtpMessageRecord> m_messages;
    QList<QByteArray> m_commands;
    int m_connectionCount = 0;
    int m_transactions = 0;
};

} // namespace spidi::test
