#pragma once

#include "core/result.h"

#include <QString>

namespace spidi {

// Where the Redis hot store lives: redis://[[user]:password@]host[:port][/db].
struct RedisUrl
{
    QString host;
    quint16 port = 6379;
    QString username; // Redis 6 ACL user; empty: AUTH with the password only
    QString password; // empty: no AUTH
    int db = 0;       // SELECT on connect when not 0

    // Errors name the field "redis" and never repeat the password.
    static Result<RedisUrl> parse(const QString &text);
    // For logs: the password (and user) replaced by ***.
    QString redacted() const;
};

} // namespace spidi
