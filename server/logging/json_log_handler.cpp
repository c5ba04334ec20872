#include "json_log_handler.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QMutex>
#include <QUuid>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <unistd.h>

namespace spidi {

namespace {

std::atomic<bool> g_installed{false};
std::atomic<LogFormat> g_format{LogFormat::Json};

const char *levelName(QtMsgType level)
{
    switch (level) {
    case QtDebugMsg:
        return "DEBUG";
    case QtInfoMsg:
        return "INFO";
    case QtWarningMsg:
        return "WARNING";
    case QtCriticalMsg:
        return "ERROR";
    case QtFatalMsg:
        return "FATAL";
    }
    return "INFO";
}

// Keys a structured field may not overwrite; a clashing field is written as "field_<key>".
bool isReservedKey(QByteArrayView key)
{
    return key == "timestamp" || key == "level" || key == "category" || key == "event" ||
           key == "message";
}

QJsonValue toJsonValue(const QVariant &value)
{
    if (!value.isValid() || value.isNull())
        return QJsonValue(QJsonValue::Null);
    switch (value.metaType().id()) {
    case QMetaType::QDateTime:
        return value.toDateTime().toUTC().toString(Qt::ISODateWithMs);
    case QMetaType::QUuid:
        return value.toUuid().toString(QUuid::WithoutBraces);
    case QMetaType::QByteArray:
        return QString::fromUtf8(value.toByteArray());
    default:
        return QJsonValue::fromVariant(value);
    }
}

// Serialises one JSON value (Qt only serialises documents, so wrap it in an array and unwrap).
QByteArray jsonText(const QJsonValue &value)
{
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

QByteArray fieldKey(const char *key)
{
    const QByteArray name(key ? key : "");
    return isReservedKey(name) ? QByteArrayLiteral("field_") + name : name;
}

QByteArray formatJson(const LogRecord &record)
{
    QByteArray line;
    line.reserve(256);
    line += "{\"timestamp\":" + jsonText(record.timestamp.toUTC().toString(Qt::ISODateWithMs));
    line += ",\"level\":\"" + QByteArray(levelName(record.level)) + '"';
    line += ",\"category\":" + jsonText(QString::fromUtf8(record.category));
    if (!record.event.isEmpty())
        line += ",\"event\":" + jsonText(QString::fromUtf8(record.event));
    line += ",\"message\":" + jsonText(record.message);
    for (const LogField &field : record.fields) {
        line += ',' + jsonText(QString::fromUtf8(fieldKey(field.key))) + ':' +
                jsonText(toJsonValue(field.value));
    }
    line += "}\n";
    return line;
}

// key=value for text mode; values with spaces, quotes or '=' are quoted so lines stay parseable.
QByteArray textValue(const QVariant &value)
{
    const QJsonValue json = toJsonValue(value);
    if (!json.isString())
        return jsonText(json);
    const QByteArray text = json.toString().toUtf8();
    const bool needsQuotes = text.isEmpty() || text.contains(' ') || text.contains('"') ||
                             text.contains('=') || text.contains('\n') || text.contains('\t');
    return needsQuotes ? jsonText(json) : text;
}

QByteArray formatText(const LogRecord &record)
{
    QByteArray line = record.timestamp.toUTC().toString(Qt::ISODateWithMs).toUtf8();
    // Padded to the longest level name ("WARNING") plus a space, so the columns line up and
    // the level never runs into the category.
    line +=
        ' ' + QByteArray(levelName(record.level)).leftJustified(7) + ' ' + record.category + ": ";
    if (!record.event.isEmpty()) {
        line += record.event;
        if (!record.message.isEmpty() && record.message.toUtf8() != record.event)
            line += " - " + record.message.toUtf8();
    } else {
        line += record.message.toUtf8();
    }
    for (const LogField &field : record.fields)
        line += ' ' + fieldKey(field.key) + '=' + textValue(field.value);
    // A multi-line message must not break the one-line-per-message rule.
    line.replace('\n', "\\n");
    line += '\n';
    return line;
}

// One write() per line under a lock: lines from different threads never interleave, and a
// line below PIPE_BUF reaches a pipe (journald, docker) in one piece.
void writeLine(const QByteArray &line)
{
    static QBasicMutex mutex;
    const QMutexLocker locker(&mutex);
    const char *data = line.constData();
    qsizetype remaining = line.size();
    while (remaining > 0) {
        const ssize_t written = ::write(STDERR_FILENO, data, size_t(remaining));
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return; // stderr is gone; nowhere left to report it
        }
        data += written;
        remaining -= written;
    }
}

void messageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    LogRecord record;
    record.timestamp = QDateTime::currentDateTimeUtc();
    record.level = type;
    record.category = context.category ? QByteArray(context.category) : QByteArray("default");
    record.message = message;
    writeLine(formatLogLine(g_format.load(std::memory_order_relaxed), record));
}

bool isEnabled(const QLoggingCategory &category, QtMsgType level)
{
    // Fatal cannot be disabled; for the others ask the category (QT_LOGGING_RULES).
    return level == QtFatalMsg || category.isEnabled(level);
}

} // namespace

QByteArray formatLogLine(LogFormat format, const LogRecord &record)
{
    return format == LogFormat::Json ? formatJson(record) : formatText(record);
}

void installLogHandler(LogFormat format)
{
    g_format.store(format, std::memory_order_relaxed);
    g_installed.store(true, std::memory_order_release);
    qInstallMessageHandler(messageHandler);
}

void logEvent(const QLoggingCategory &category, QtMsgType level, const char *event,
              std::initializer_list<LogField> fields)
{
    logEvent(category, level, event, QString(), fields);
}

void logEvent(const QLoggingCategory &category, QtMsgType level, const char *event,
              const QString &message, std::initializer_list<LogField> fields)
{
    if (!isEnabled(category, level))
        return;

    LogRecord record;
    record.timestamp = QDateTime::currentDateTimeUtc();
    record.level = level;
    record.category = category.categoryName();
    record.event = event;
    record.message = message.isEmpty() ? QString::fromUtf8(event) : message;
    record.fields = QList<LogField>(fields);

    if (g_installed.load(std::memory_order_acquire)) {
        // Written directly rather than through qInstallMessageHandler so the fields keep their
        // structure instead of being flattened into the message text.
        writeLine(formatLogLine(g_format.load(std::memory_order_relaxed), record));
        if (level == QtFatalMsg)
            std::abort();
        return;
    }

    // No Spidi handler (tests, tools): hand a readable text line to Qt's current handler.
    QByteArray text = formatLogLine(LogFormat::Text, record);
    const qsizetype afterCategory = text.indexOf(": ");
    text = text.mid(afterCategory + 2).chopped(1);
    const QMessageLogger logger(nullptr, 0, nullptr, category.categoryName());
    switch (level) {
    case QtDebugMsg:
        logger.debug("%s", text.constData());
        break;
    case QtInfoMsg:
        logger.info("%s", text.constData());
        break;
    case QtWarningMsg:
        logger.warning("%s", text.constData());
        break;
    case QtCriticalMsg:
        logger.critical("%s", text.constData());
        break;
    case QtFatalMsg:
        logger.fatal("%s", text.constData());
    }
}

} // namespace spidi
