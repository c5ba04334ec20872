#pragma once

#include <QByteArray>
#include <QtGlobal>

namespace spidi {

// Call before the QCoreApplication exists. Qt's GLib event dispatcher finds a socket notifier by
// a linear search on every unregistration, and sockets toggle their write notifier with every
// message sent: with thousands of connections that search alone took 11 % of the server's CPU
// (perf, 10,000 connections). Qt's plain Unix dispatcher keeps notifiers in a hash: 14 % less
// server CPU and a lower ack p99 at 5,000 connections (docs/performance.md). Setting QT_NO_GLIB
// to an empty value keeps GLib.
inline void preferUnixEventDispatcher()
{
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", QByteArrayLiteral("1"));
}

} // namespace spidi
