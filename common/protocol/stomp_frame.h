#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

// STOMP 1.0/1.1/1.2 frames (https://stomp.github.io/stomp-specification-1.2.html): the byte
// level only. What the commands mean to Spidi is the gateway's StompFraming.
namespace spidi::stomp {

enum class Version { V1_0, V1_1, V1_2 };
QByteArray versionName(Version version); // "1.0", "1.1", "1.2"
std::optional<Version> parseVersion(QByteArrayView name);

struct Frame
{
    QByteArray command;
    QList<std::pair<QByteArray, QByteArray>> headers; // decoded, in the order sent
    QByteArray body;

    // STOMP 1.2: when a header is repeated, the first occurrence is the one that counts.
    std::optional<QByteArray> header(QByteArrayView name) const;
    QByteArray headerOr(QByteArrayView name, const QByteArray &fallback = {}) const;
    Frame &add(const QByteArray &name, const QByteArray &value)
    {
        headers.append({name, value});
        return *this;
    }
};

// Header escaping (1.1 adds \n \c \\, 1.2 adds \r). CONNECT and CONNECTED are never escaped so
// that a 1.0 peer can read them.
bool escapesHeaders(Version version, QByteArrayView command);
QByteArray escapeHeader(QByteArrayView text, Version version);

// Encodes a frame, NUL-terminated. A non-empty body gets a content-length header unless the
// frame has one already.
QByteArray encode(const Frame &frame, Version version);

// Incremental parser for one connection's byte stream: bytes from several WebSocket messages
// may make one frame, one message may hold several frames, and bare EOLs between frames are
// heart-beats. Bounded: a frame (command, headers and body) larger than maxFrameBytes, more
// than maxHeaders headers, or a malformed frame is an error, after which the parser stays
// failed (a STOMP server answers ERROR and closes).
class FrameParser
{
public:
    struct Item
    {
        enum class Kind { Frame, HeartBeat, NeedMore, Error };
        Kind kind = Kind::NeedMore;
        stomp::Frame frame; // Kind::Frame
        QString error;      // Kind::Error
    };

    explicit FrameParser(qsizetype maxFrameBytes = 65536, int maxHeaders = 64);

    // Decoding rules after CONNECT/CONNECTED negotiated the version (1.2 until then).
    void setVersion(Version version) { m_version = version; }
    Version version() const { return m_version; }

    void feed(QByteArrayView bytes);
    // The next complete item; NeedMore when the buffered bytes end mid-frame (or are empty).
    Item next();
    qsizetype bufferedBytes() const { return m_buffer.size() - m_pos; }
    bool failed() const { return !m_error.isEmpty(); }

private:
    Item fail(const QString &message);
    void compact();

    qsizetype m_maxFrameBytes;
    int m_maxHeaders;
    Version m_version = Version::V1_2;
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    QString m_error;
};

} // namespace spidi::stomp
