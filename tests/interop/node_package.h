#pragma once

// Running Node.js tools from the interop tests: the npm package of a test is copied into the
// build tree by CMake (spidi_add_node_interop_test) and installed from its lock file with
// `npm ci` the first time; npm's cache in ~/.cache/spidi/npm serves later builds offline.

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace spidi::test {

struct ProcessRun
{
    int exitCode = -1; // -1: did not start, crashed or timed out
    QByteArray out;
    QByteArray err;
};

// Runs `program` in `dir` to completion (at most timeoutMs).
ProcessRun runProcess(const QString &program, const QStringList &args, const QString &dir,
                      int timeoutMs);

// Installs the npm package in `dir` unless `dir/node_modules/<marker>` exists. Returns an
// empty string on success, else what went wrong (node or npm missing, npm's error output).
QString installNodePackage(const QString &dir, const QString &marker);

} // namespace spidi::test
