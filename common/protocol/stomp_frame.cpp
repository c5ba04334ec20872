#include "stomp_frame.h"

#include <algorithm>

namespace spidi::stomp {

QByteArray versionName(Version version)
{
    switch (version) {
    case Version::V1_0:
        return QByteArrayLiteral("1.0");
    case Version::V1_1:
        return QByteArrayLiteral("1.1");
    case Version::V1_2:
        break;
    }
    return QByteArrayLiteral("1.2");
}

std::optional<Version> parseVersion(QByteArrayView name)
{
    if (name == "1.0")
        return Version::V1_0;
    if (name == "1.1")
        return Version::V1_1;
    if (name == "1.2")
        return Version::V1_2;
    return std::nullopt;
}

std::optional<QByteArray> Frame::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers)
        if (key == name)
            return value;
    return std::nullopt;
}

QByteArray Frame::headerOr(QByteArrayView name, const QByteArray &fallback) const
{
    return header(name).value_or(fallback);
}

bool escapesHeaders(Version version, QByteArrayView command)
{
    return version != Version::V1_0 && command != "CONNECT" && command != "CONNECTED";
}

QByteArray escapeHeader(QByteArrayView text, Version version)
{
    QByteArray out;
    out.reserve(text.size());
    for (const char c : text) {
        if (version == Version::V1_0) {
            // 1.0 has no escapes: a line break would end the header, so it becomes a space.
            out.append(c == '\n' || c == '\r' ? ' ' : c);
            continue;
        }
        switch (c) {
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case ':':
            out.append("\\c");
            break;
        case '\r':
            if (version == Version::V1_2)
                out.append("\\r");
            // 1.1 cannot carry a CR in a header: dropped rather than sent raw.
            break;
        default:
            out.append(c);
        }
    }
    return out;
}

QByteArray encode(const Frame &frame, Version version)
{
    const bool escape = escapesHeaders(version, frame.command);
    QByteArray out;
    out.reserve(frame.command.size() + frame.body.size() + 64 * (frame.headers.size() + 1));
    out.append(frame.command).append('\n');
    // Unescaped headers (1.0, CONNECT, CONNECTED) still cannot hold a line break: escapeHeader's
    // 1.0 rule turns it into a space.
    const Version rule = escape ? version : Version::V1_0;
    for (const auto &[name, value] : frame.headers)
        out.append(escapeHeader(name, rule))
            .append(':')
            .append(escapeHeader(value, rule))
            .append('\n');
    if (!frame.body.isEmpty() && !frame.header("content-length"))
        out.append("content-length:").append(QByteArray::number(frame.body.size())).append('\n');
    out.append('\n').append(frame.body).append('\0');
    return out;
}

namespace {

bool isCommandChar(char c)
{
    return c >= 'A' && c <= 'Z';
}

// Decodes 1.1/1.2 escapes; false (with `error`) on an escape the spec leaves undefined.
bool unescapeHeader(QByteArrayView raw, Version version, QByteArray &out, QString &error)
{
    out.clear();
    out.reserve(raw.size());
    for (qsizetype i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c != '\\') {
            out.append(c);
            continue;
        }
        if (++i == raw.size()) {
            error = QStringLiteral("header ends in a lone backslash");
            return false;
        }
        switch (raw[i]) {
        case '\\':
            out.append('\\');
            break;
        case 'n':
            out.append('\n');
            break;
        case 'c':
            out.append(':');
            break;
        case 'r':
            if (version == Version::V1_2) {
                out.append('\r');
                break;
            }
            [[fallthrough]];
        default:
            error = QStringLiteral("undefined escape sequence '\\%1' in a header")
                        .arg(QLatin1Char(raw[i] >= 0x20 && raw[i] < 0x7f ? raw[i] : '?'));
            return false;
        }
    }
    return true;
}

// The line from `from` to the next LF, without its EOL; nullopt while no LF is buffered.
std::optional<QByteArrayView> lineAt(const QByteArray &buffer, qsizetype from, qsizetype &next)
{
    const qsizetype lf = buffer.indexOf('\n', from);
    if (lf < 0)
        return std::nullopt;
    next = lf + 1;
    qsizetype end = lf;
    if (end > from && buffer[end - 1] == '\r')
        --end;
    return QByteArrayView(buffer.constData() + from, end - from);
}

} // namespace

FrameParser::FrameParser(qsizetype maxFrameBytes, int maxHeaders)
    : m_maxFrameBytes(maxFrameBytes), m_maxHeaders(maxHeaders)
{}

void FrameParser::feed(QByteArrayView bytes)
{
    if (failed())
        return;
    m_buffer.append(bytes.data(), bytes.size());
}

void FrameParser::compact()
{
    if (m_pos == m_buffer.size()) {
        m_buffer.clear();
        m_pos = 0;
    } else if (m_pos > 4096) {
        m_buffer.remove(0, m_pos);
        m_pos = 0;
    }
}

FrameParser::Item FrameParser::fail(const QString &message)
{
    m_error = message;
    m_buffer.clear();
    m_pos = 0;
    return Item{Item::Kind::Error, {}, message};
}

FrameParser::Item FrameParser::next()
{
    if (failed())
        return Item{Item::Kind::Error, {}, m_error};
    compact();
    if (m_pos == m_buffer.size())
        return {};

    // Heart-beats: EOLs between frames.
    if (m_buffer[m_pos] == '\n') {
        ++m_pos;
        return Item{Item::Kind::HeartBeat, {}, {}};
    }
    if (m_buffer[m_pos] == '\r') {
        if (m_pos + 1 == m_buffer.size())
            return {};
        if (m_buffer[m_pos + 1] != '\n')
            return fail(QStringLiteral("CR not followed by LF between frames"));
        m_pos += 2;
        return Item{Item::Kind::HeartBeat, {}, {}};
    }

    const qsizetype available = m_buffer.size() - m_pos;
    const auto needMoreOrTooLarge = [&]() -> Item {
        if (available > m_maxFrameBytes)
            return fail(QStringLiteral("frame exceeds %1 bytes").arg(m_maxFrameBytes));
        return {};
    };

    qsizetype cursor = m_pos;
    const std::optional<QByteArrayView> commandLine = lineAt(m_buffer, cursor, cursor);
    if (!commandLine)
        return needMoreOrTooLarge();
    if (commandLine->isEmpty() || commandLine->size() > 32 ||
        !std::all_of(commandLine->begin(), commandLine->end(), isCommandChar))
        return fail(
            QStringLiteral("invalid command line '%1'")
                .arg(QString::fromUtf8(
                         commandLine->first(qMin<qsizetype>(32, commandLine->size())).toByteArray())
                         .toHtmlEscaped()));

    Frame frame;
    frame.command = commandLine->toByteArray();
    const bool escape = escapesHeaders(m_version, frame.command);
    for (;;) {
        const std::optional<QByteArrayView> line = lineAt(m_buffer, cursor, cursor);
        if (!line)
            return needMoreOrTooLarge();
        if (cursor - m_pos > m_maxFrameBytes)
            return fail(QStringLiteral("frame exceeds %1 bytes").arg(m_maxFrameBytes));
        if (line->isEmpty())
            break;
        if (frame.headers.size() == m_maxHeaders)
            return fail(QStringLiteral("more than %1 headers").arg(m_maxHeaders));
        const qsizetype colon = line->indexOf(':');
        if (colon < 0)
            return fail(QStringLiteral("header line without ':'"));
        if (colon == 0)
            return fail(QStringLiteral("header with an empty name"));
        QByteArray name;
        QByteArray value;
        QString error;
        if (escape) {
            if (!unescapeHeader(line->first(colon), m_version, name, error) ||
                !unescapeHeader(line->sliced(colon + 1), m_version, value, error))
                return fail(error);
        } else {
            name = line->first(colon).toByteArray();
            value = line->sliced(colon + 1).toByteArray();
        }
        frame.headers.append({std::move(name), std::move(value)});
    }

    const qsizetype bodyStart = cursor;
    qsizetype bodyEnd = -1; // index of the terminating NUL
    if (const std::optional<QByteArray> length = frame.header("content-length")) {
        bool ok = false;
        const qsizetype n = length->toLongLong(&ok);
        if (!ok || n < 0 || length->isEmpty() ||
            !std::all_of(length->begin(), length->end(),
                         [](char c) { return c >= '0' && c <= '9'; }))
            return fail(QStringLiteral("content-length is not a non-negative integer"));
        // n first: a huge content-length would overflow the sum.
        if (n > m_maxFrameBytes || bodyStart - m_pos + n + 1 > m_maxFrameBytes)
            return fail(QStringLiteral("frame exceeds %1 bytes").arg(m_maxFrameBytes));
        if (m_buffer.size() < bodyStart + n + 1)
            return {};
        if (m_buffer[bodyStart + n] != '\0')
            return fail(QStringLiteral("frame body is not NUL-terminated after content-length "
                                       "(%1) bytes")
                            .arg(n));
        bodyEnd = bodyStart + n;
    } else {
        bodyEnd = m_buffer.indexOf('\0', bodyStart);
        if (bodyEnd < 0)
            return needMoreOrTooLarge();
        if (bodyEnd + 1 - m_pos > m_maxFrameBytes)
            return fail(QStringLiteral("frame exceeds %1 bytes").arg(m_maxFrameBytes));
    }
    frame.body = m_buffer.mid(bodyStart, bodyEnd - bodyStart);
    m_pos = bodyEnd + 1;
    return Item{Item::Kind::Frame, std::move(frame), {}};
}

} // namespace spidi::stomp
