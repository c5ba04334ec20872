#include "fake_smtp_server.h"

#include <QDateTime>
#include <QTcpSocket>

namespace spidi::test {

namespace {

QByteArray angleAddress(const QByteArray &argument)
{
    const qsizetype open = argument.indexOf('<');
    const qsizetype close = argument.indexOf('>', open + 1);
    if (open < 0 || close < 0)
        return argument.trimmed().split(' ').value(0);
    return argument.mid(open + 1, close - open - 1);
}

} // namespace

FakeSmtpServer::FakeSmtpServer(QObject *parent) : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &FakeSmtpServer::onNewConnection);
    m_server.listen(QHostAddress::LocalHost, 0);
}

FakeSmtpServer::~FakeSmtpServer()
{
    close();
}

void FakeSmtpServer::setCredentials(const QByteArray &user, const QByteArray &password)
{
    m_user = user;
    m_password = password;
}

void FakeSmtpServer::failNextTransactions(int n, int code, const QByteArray &text)
{
    m_failTransactions = n;
    m_failCode = code;
    m_failText = text;
}

void FakeSmtpServer::rejectRecipient(const QByteArray &address, int code, const QByteArray &text)
{
    m_rejected.insert(address, {code, text});
}

void FakeSmtpServer::close()
{
    m_server.close();
    const auto sockets = m_sessions.keys();
    m_sessions.clear();
    for (QTcpSocket *socket : sockets) {
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
}

void FakeSmtpServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        ++m_connectionCount;
        m_sessions.insert(socket, Session{});
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_sessions.remove(socket);
            socket->deleteLater();
        });
        emit connectionAccepted();
        if (!m_silent)
            reply(socket, "220 fake-smtp.test ESMTP ready");
    }
}

void FakeSmtpServer::reply(QTcpSocket *socket, const QByteArray &line)
{
    socket->write(line + "\r\n");
}

void FakeSmtpServer::onReadyRead(QTcpSocket *socket)
{
    if (!m_sessions.contains(socket))
        return;
    m_sessions[socket].buffer += socket->readAll();
    if (m_silent)
        return;
    for (;;) {
        const auto it = m_sessions.find(socket);
        if (it == m_sessions.end())
            return; // closed by QUIT
        Session &session = *it;
        const qsizetype end = session.buffer.indexOf("\r\n");
        if (end < 0)
            return;
        const QByteArray line = session.buffer.left(end);
        session.buffer.remove(0, end + 2);
        handleLine(socket, session, line);
    }
}

void FakeSmtpServer::handleLine(QTcpSocket *socket, Session &session, const QByteArray &line)
{
    switch (session.state) {
    case State::Data:
        if (line == ".") {
            SmtpMessageRecord message;
            message.from = session.from;
            message.to = session.to;
            message.data = session.data;
            message.authUser = session.authUser;
            message.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
            m_messages.append(message);
            session.state = State::Command;
            session.hasFrom = false;
            session.to.clear();
            session.data.clear();
            reply(socket, "250 2.0.0 Ok: queued");
            emit messageReceived();
            return;
        }
        session.data += (line.startsWith('.') ? line.mid(1) : line) + "\r\n";
        return;
    case State::AuthPlain:
        session.state = State::Command;
        checkPlain(socket, session, line);
        return;
    case State::AuthLoginUser:
        session.pendingUser = QByteArray::fromBase64(line);
        session.state = State::AuthLoginPassword;
        reply(socket, "334 UGFzc3dvcmQ6"); // "Password:"
        return;
    case State::AuthLoginPassword: {
        session.state = State::Command;
        const QByteArray password = QByteArray::fromBase64(line);
        if (!m_user.isEmpty() && session.pendingUser == m_user && password == m_password) {
            session.authUser = session.pendingUser;
            reply(socket, "235 2.7.0 Authentication successful");
        } else {
            reply(socket, "535 5.7.8 Authentication credentials invalid");
        }
        return;
    }
    case State::Command:
        handleCommand(socket, session, line);
        return;
    }
}

void FakeSmtpServer::checkPlain(QTcpSocket *socket, Session &session, const QByteArray &base64)
{
    // authzid NUL authcid NUL passwd
    const QList<QByteArray> parts = QByteArray::fromBase64(base64.trimmed()).split('\0');
    if (!m_user.isEmpty() && parts.size() == 3 && parts.at(1) == m_user &&
        parts.at(2) == m_password) {
        session.authUser = parts.at(1);
        reply(socket, "235 2.7.0 Authentication successful");
    } else {
        reply(socket, "535 5.7.8 Authentication credentials invalid");
    }
}

void FakeSmtpServer::handleCommand(QTcpSocket *socket, Session &session, const QByteArray &line)
{
    const qsizetype space = line.indexOf(' ');
    const QByteArray verb = (space < 0 ? line : line.left(space)).toUpper();
    const QByteArray argument = space < 0 ? QByteArray() : line.mid(space + 1);
    m_commands.append(verb == "AUTH" ? "AUTH " + argument.split(' ').value(0) : line);

    if (verb == "EHLO") {
        reply(socket, "250-fake-smtp.test greets " + argument);
        reply(socket, "250-SIZE 10485760");
        if (!m_user.isEmpty())
            reply(socket, "250-AUTH " + m_mechanisms);
        reply(socket, "250 8BITMIME");
    } else if (verb == "HELO") {
        reply(socket, "250 fake-smtp.test");
    } else if (verb == "AUTH") {
        const QList<QByteArray> words = argument.split(' ');
        const QByteArray mechanism = words.value(0).toUpper();
        if (m_user.isEmpty() || !m_mechanisms.toUpper().split(' ').contains(mechanism)) {
            reply(socket, "504 5.5.4 Unrecognized authentication type");
        } else if (!session.authUser.isEmpty()) {
            reply(socket, "503 5.5.1 Already authenticated");
        } else if (mechanism == "PLAIN") {
            if (words.size() > 1) {
                checkPlain(socket, session, words.at(1));
            } else {
                session.state = State::AuthPlain;
                reply(socket, "334 ");
            }
        } else if (mechanism == "LOGIN") {
            if (words.size() > 1) {
                session.pendingUser = QByteArray::fromBase64(words.at(1));
                session.state = State::AuthLoginPassword;
                reply(socket, "334 UGFzc3dvcmQ6");
            } else {
                session.state = State::AuthLoginUser;
                reply(socket, "334 VXNlcm5hbWU6"); // "Username:"
            }
        }
    } else if (verb == "MAIL") {
        ++m_transactions;
        if (!m_user.isEmpty() && session.authUser.isEmpty()) {
            reply(socket, "530 5.7.0 Authentication required");
        } else if (m_failTransactions > 0) {
            --m_failTransactions;
            reply(socket, QByteArray::number(m_failCode) + ' ' + m_failText);
        } else {
            session.from = angleAddress(argument.mid(argument.indexOf(':') + 1));
            session.hasFrom = true;
            session.to.clear();
            reply(socket, "250 2.1.0 Ok");
        }
    } else if (verb == "RCPT") {
        const QByteArray address = angleAddress(argument.mid(argument.indexOf(':') + 1));
        if (!session.hasFrom) {
            reply(socket, "503 5.5.1 Need MAIL command");
        } else if (m_rejected.contains(address)) {
            const auto &[code, text] = m_rejected.value(address);
            reply(socket, QByteArray::number(code) + ' ' + text);
        } else {
            session.to.append(address);
            reply(socket, "250 2.1.5 Ok");
        }
    } else if (verb == "DATA") {
        if (!session.hasFrom || session.to.isEmpty()) {
            reply(socket, "503 5.5.1 Need RCPT command");
        } else {
            session.state = State::Data;
            session.data.clear();
            reply(socket, "354 End data with <CR><LF>.<CR><LF>");
        }
    } else if (verb == "RSET") {
        session.hasFrom = false;
        session.to.clear();
        session.data.clear();
        reply(socket, "250 2.0.0 Ok");
    } else if (verb == "NOOP") {
        reply(socket, "250 2.0.0 Ok");
    } else if (verb == "QUIT") {
        reply(socket, "221 2.0.0 Bye");
        m_sessions.remove(socket);
        socket->disconnect(this);
        socket->disconnectFromHost();
        socket->deleteLater();
    } else {
        reply(socket, "502 5.5.2 Command not recognized");
    }
}

} // namespace spidi::test
