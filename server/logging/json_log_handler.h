#pragma once

#include "logging/log_format.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QLoggingCategory>
#include <QString>
#include <QVariant>

#include <initializer_list>

namespace spidi {

// One structured field of a log line, e.g. {"room_id", roomId}. It becomes a top-level key of
// the JSON line, or key=value in text mode.
struct LogField
{
    const char *key;
    QVariant value;
};

// Everything one log line holds; formatLogLine() turns it into bytes.
struct LogRecord
{
    QDateTime timestamp; // UTC
    QtMsgType level = QtInfoMsg;
    QByteArray category;
    QByteArray event; // empty for plain qDebug()/qWarning() messages
    QString message;
    QList<LogField> fields;
};

// Routes every Qt message (qDebug, qCWarning, Qt's own warnings) through Spidi's formatter,
// writing one line per message to stderr. Thread-safe; each line is written with one write().
void installLogHandler(LogFormat format);

// Logs a structured event. Does nothing when the category has the level disabled. Without an
// installed handler the line goes through Qt's current message handler as text.
void logEvent(const QLoggingCategory &category, QtMsgType level, const char *event,
              std::initializer_list<LogField> fields);
void logEvent(const QLoggingCategory &category, QtMsgType level, const char *event,
              const QString &message, std::initializer_list<LogField> fields);

// The complete line, newline included. Exposed so the format can be tested without stderr.
QByteArray formatLogLine(LogFormat format, const LogRecord &record);

} // namespace spidi
