#include "room_setup.h"

#include "bench_log.h"
#include "http_helpers.h"

#include <QJsonObject>
#include <QNetworkAccessManager>

namespace spidi {

namespace {
// Sessions older than the room's TTL are ended by the server; a day outlasts every scenario.
constexpr int BenchRoomTtlSec = 86400;
// The join-to-dashboard probe holds one extra session in the first room at a time; a few more
// leave room for a probe whose LEAVE is still in flight.
constexpr int ProbeMargin = 4;
} // namespace

int neededCapacity(const BenchOptions &options)
{
    return (options.connections + options.rooms - 1) / options.rooms + ProbeMargin;
}

QString setUpRooms(const BenchOptions &options)
{
    QNetworkAccessManager manager;
    const QUrl base = bench::httpBase(options.url);
    const int capacity = neededCapacity(options);
    int created = 0, raised = 0;
    for (const QString &code : options.roomCodes()) {
        QUrl url = base;
        url.setPath(QStringLiteral("/api/v1/rooms"));
        const bench::HttpResult post = bench::httpCall(
            manager, "POST", url, options.adminToken,
            {{QStringLiteral("code"), code},
             {QStringLiteral("name"), QString(QStringLiteral("spidi-bench ") + code)},
             {QStringLiteral("typeCode"), options.roomType},
             {QStringLiteral("capacity"), capacity},
             {QStringLiteral("ttlSec"), BenchRoomTtlSec}});
        if (post.status == 201) {
            ++created;
            continue;
        }
        if (post.status != 409)
            return QStringLiteral("POST /api/v1/rooms %1: HTTP %2 %3%4")
                .arg(code)
                .arg(post.status)
                .arg(QString::fromUtf8(post.body), post.error);

        url.setPath(QStringLiteral("/api/v1/rooms/") + code);
        const bench::HttpResult get = bench::httpCall(manager, "GET", url, options.adminToken);
        const QJsonObject room = get.json();
        if (get.status != 200)
            return QStringLiteral("GET %1: HTTP %2 %3")
                .arg(url.path())
                .arg(get.status)
                .arg(get.error);
        if (room.value(QLatin1String("capacity")).toInt() >= capacity &&
            room.value(QLatin1String("ttlSec")).toInt() >= BenchRoomTtlSec &&
            room.value(QLatin1String("status")).toString() == QLatin1String("ACTIVE"))
            continue;
        const bench::HttpResult put =
            bench::httpCall(manager, "PUT", url, options.adminToken,
                            {{QStringLiteral("version"), room.value(QLatin1String("version"))},
                             {QStringLiteral("capacity"), capacity},
                             {QStringLiteral("ttlSec"), BenchRoomTtlSec},
                             {QStringLiteral("status"), QStringLiteral("ACTIVE")}});
        if (put.status != 200)
            return QStringLiteral("PUT %1: HTTP %2 %3")
                .arg(url.path())
                .arg(put.status)
                .arg(QString::fromUtf8(put.body));
        ++raised;
    }
    qCInfo(lcBench, "rooms: %d created, %d raised to capacity %d, %d already fit", created, raised,
           capacity, int(options.rooms) - created - raised);
    return {};
}

} // namespace spidi
