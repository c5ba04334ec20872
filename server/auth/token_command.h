#pragma once

#include <QIODevice>
#include <QProcessEnvironment>
#include <QStringList>

namespace spidi {

// `spidi-server token --sub ID --tenant T --perms LIST [--ttl 24h] [key options]`: prints a
// signed token and a newline. arguments is the whole command line, program name first
// (QCoreApplication::arguments()); the "token" word after it is optional. Key options and
// SPIDI_* variables are the server's (--config, --data-dir, --jwt-*), so a minted token
// verifies against a server started with the same settings.
// Returns 0 on success, 2 for usage errors, 1 for failures (messages on stderr).
int runTokenCommand(const QStringList &arguments);

// The same with the environment and output streams supplied (tests).
int runTokenCommand(const QStringList &arguments, const QProcessEnvironment &env, QIODevice &out,
                    QIODevice &err);

} // namespace spidi
