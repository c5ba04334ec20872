// libFuzzer target: the STOMP frame parser and encoder (common/protocol/stomp_frame.h).
//
// Input: byte 0 picks the negotiated version (value % 3: 1.0, 1.1, 1.2) and byte 1 the sizes of
// the pieces the stream is fed in (as WebSocket messages would cut it); the rest is the byte
// stream of one connection.

#include "fuzz_check.h"

#include "protocol/stomp_frame.h"

#include <cstddef>
#include <cstdint>
#include <vector>

using namespace spidi::stomp;

namespace {

constexpr qsizetype MaxFrameBytes = 2048; // small, so that the limit is reached often
constexpr int MaxHeaders = 8;

struct Outcome
{
    std::vector<FrameParser::Item> items; // frames and heart-beats, in order
    bool failed = false;
};

bool sameFrame(const Frame &a, const Frame &b)
{
    return a.command == b.command && a.headers == b.headers && a.body == b.body;
}

// Drains the parser; returns false once it has failed.
bool drain(FrameParser &parser, Outcome &outcome)
{
    for (;;) {
        FrameParser::Item item = parser.next();
        switch (item.kind) {
        case FrameParser::Item::Kind::NeedMore:
            FUZZ_CHECK(!parser.failed());
            return true;
        case FrameParser::Item::Kind::Error:
            FUZZ_CHECK(parser.failed());
            FUZZ_CHECK(!item.error.isEmpty());
            FUZZ_CHECK(item.error.size() <= 256);
            outcome.failed = true;
            return false;
        case FrameParser::Item::Kind::HeartBeat:
        case FrameParser::Item::Kind::Frame:
            FUZZ_CHECK(!parser.failed());
            outcome.items.push_back(std::move(item));
            break;
        }
    }
}

// The frame's size on the wire is at least this (unescaping only shortens headers).
qsizetype decodedSize(const Frame &frame)
{
    qsizetype size = frame.command.size() + 1;
    for (const auto &[name, value] : frame.headers)
        size += name.size() + 1 + value.size() + 1;
    return size + 1 + frame.body.size() + 1;
}

void checkFrame(const Frame &frame, Version version)
{
    FUZZ_CHECK(!frame.command.isEmpty() && frame.command.size() <= 32);
    for (const char c : frame.command)
        FUZZ_CHECK(c >= 'A' && c <= 'Z');
    FUZZ_CHECK(frame.headers.size() <= MaxHeaders);
    FUZZ_CHECK(decodedSize(frame) <= MaxFrameBytes);
    for (const auto &header : frame.headers)
        FUZZ_CHECK(!header.first.isEmpty());
    if (const auto length = frame.header("content-length"))
        FUZZ_CHECK(length->toLongLong() == frame.body.size());
    else
        FUZZ_CHECK(!frame.body.contains('\0'));

    // Round trip through the encoder where escaping makes every header representable. 1.1 has
    // no escape for CR, so its encoder drops a CR inside a header (lossy by design).
    if (!escapesHeaders(version, frame.command))
        return;
    bool representable = true;
    if (version == Version::V1_1)
        for (const auto &[name, value] : frame.headers)
            representable = representable && !name.contains('\r') && !value.contains('\r');
    if (!representable)
        return;
    const QByteArray wire = encode(frame, version);
    FrameParser parser(wire.size(), MaxHeaders + 1);
    parser.setVersion(version);
    parser.feed(wire);
    const FrameParser::Item item = parser.next();
    FUZZ_CHECK(item.kind == FrameParser::Item::Kind::Frame);
    Frame expected = frame;
    if (!frame.body.isEmpty() && !frame.header("content-length"))
        expected.add("content-length", QByteArray::number(frame.body.size()));
    FUZZ_CHECK(sameFrame(item.frame, expected));
    FUZZ_CHECK(parser.next().kind == FrameParser::Item::Kind::NeedMore);
    FUZZ_CHECK(parser.bufferedBytes() == 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const Version versions[] = {Version::V1_0, Version::V1_1, Version::V1_2};
    const Version version = versions[data[0] % 3];
    const uint8_t splitSeed = data[1];
    const QByteArrayView stream(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));

    // Reference: the whole stream in one piece.
    Outcome whole;
    {
        FrameParser parser(MaxFrameBytes, MaxHeaders);
        parser.setVersion(version);
        parser.feed(stream);
        if (!drain(parser, whole)) {
            // Once failed, always failed, whatever comes next.
            parser.feed("\n");
            FUZZ_CHECK(parser.next().kind == FrameParser::Item::Kind::Error);
            FUZZ_CHECK(parser.next().kind == FrameParser::Item::Kind::Error);
            FUZZ_CHECK(parser.failed());
        }
    }

    // The same stream cut into pieces of 1..16 bytes, following splitSeed's bits.
    Outcome pieces;
    {
        FrameParser parser(MaxFrameBytes, MaxHeaders);
        parser.setVersion(version);
        uint32_t state = splitSeed * 2654435761u + 1;
        qsizetype pos = 0;
        bool running = true;
        while (running && pos < stream.size()) {
            state = state * 1664525u + 1013904223u;
            const qsizetype piece = std::min<qsizetype>(1 + (state >> 28), stream.size() - pos);
            parser.feed(stream.sliced(pos, piece));
            pos += piece;
            running = drain(parser, pieces);
        }
    }

    // However the stream is cut, the same frames and heart-beats come out, and it fails or not
    // (the error message may differ: a frame over the limit may be refused before its
    // malformed part arrives).
    FUZZ_CHECK(whole.failed == pieces.failed);
    FUZZ_CHECK(whole.items.size() == pieces.items.size());
    for (size_t i = 0; i < whole.items.size(); ++i) {
        FUZZ_CHECK(whole.items[i].kind == pieces.items[i].kind);
        if (whole.items[i].kind == FrameParser::Item::Kind::Frame) {
            FUZZ_CHECK(sameFrame(whole.items[i].frame, pieces.items[i].frame));
            checkFrame(whole.items[i].frame, version);
        }
    }
    return 0;
}
