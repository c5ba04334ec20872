#pragma once

#include <QList>
#include <QMap>
#include <QString>

namespace spidi::sim {

// Counters of the whole fleet; the status line shows totals and the rate since the last line.
struct FleetStats
{
    qint64 joins = 0;         // HELLO acknowledged with a new session
    qint64 resumes = 0;       // HELLO acknowledged with the previous session kept
    qint64 heartbeats = 0;    // HEARTBEAT_ACKs received
    qint64 sessionsEnded = 0; // ended by the server (expiry, TTL, kick)
    qint64 churned = 0;
    qint64 silences = 0;
    qint64 drops = 0;
    qint64 errors = 0;
    QMap<QString, qint64> errorsByCode;
    QList<int> recentLatencies; // since the last status line

    // Heartbeats at the previous status line, for the rate.
    qint64 heartbeatsAtLastStatus = 0;
    qint64 lastStatusMs = 0;

    int latencyMedian() const; // -1 without samples
};

} // namespace spidi::sim
