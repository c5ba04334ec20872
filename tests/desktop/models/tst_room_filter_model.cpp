// RoomFilterModel: search over code and name, type/status/tag filters, the three sort keys,
// and that it follows the source model's incremental updates.
#include "models/room_filter_model.h"
#include "models/room_list_model.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace spidi::desktop;

namespace {

void addRoom(RoomListModel &model, const QString &id, const QString &code, const QString &name,
             const QString &type, const QString &status, const QStringList &tags, int online,
             double p95)
{
    model.applyRoom({{QStringLiteral("id"), id},
                     {QStringLiteral("code"), code},
                     {QStringLiteral("name"), name},
                     {QStringLiteral("typeCode"), type},
                     {QStringLiteral("status"), status},
                     {QStringLiteral("capacity"), 100},
                     {QStringLiteral("tags"), QJsonArray::fromStringList(tags)}});
    model.applyMetrics({{QStringLiteral("roomId"), id},
                        {QStringLiteral("roomCode"), code},
                        {QStringLiteral("status"), status},
                        {QStringLiteral("online"), online},
                        {QStringLiteral("users"), online},
                        {QStringLiteral("capacity"), 100},
                        {QStringLiteral("capacityPct"), double(online)},
                        {QStringLiteral("p95LatencyMs"), p95},
                        {QStringLiteral("ts"), 1795000000000.0}});
}

QStringList codes(const RoomFilterModel &proxy)
{
    QStringList list;
    for (int i = 0; i < proxy.rowCount(); ++i)
        list.append(proxy.index(i, 0).data(RoomListModel::CodeRole).toString());
    return list;
}

} // namespace

class TestRoomFilterModel : public QObject
{
    Q_OBJECT

private:
    RoomListModel *m_rooms = nullptr;
    RoomFilterModel *m_proxy = nullptr;

private Q_SLOTS:
    void init()
    {
        m_rooms = new RoomListModel(this);
        addRoom(*m_rooms, QStringLiteral("1"), QStringLiteral("LOBBY"),
                QStringLiteral("Main lobby"), QStringLiteral("CHAT"), QStringLiteral("ACTIVE"),
                {QStringLiteral("eu")}, 50, 120);
        addRoom(*m_rooms, QStringLiteral("2"), QStringLiteral("ARENA-42"), QStringLiteral("Arena"),
                QStringLiteral("GAMING"), QStringLiteral("ACTIVE"), {QStringLiteral("us")}, 95, 40);
        addRoom(*m_rooms, QStringLiteral("3"), QStringLiteral("DESK"),
                QStringLiteral("Support desk"), QStringLiteral("SUPPORT"),
                QStringLiteral("MAINTENANCE"), {QStringLiteral("eu")}, 10, 300);
        m_proxy = new RoomFilterModel(this);
        m_proxy->setSourceModel(m_rooms);
    }
    void cleanup()
    {
        delete m_proxy;
        delete m_rooms;
    }

    void sortsByNameByDefault()
    {
        QCOMPARE(codes(*m_proxy), (QStringList{"ARENA-42", "LOBBY", "DESK"}));
    }

    void sortsByLoadAndLatency()
    {
        m_proxy->setSortKey(RoomFilterModel::ByLoad);
        QCOMPARE(codes(*m_proxy), (QStringList{"ARENA-42", "LOBBY", "DESK"}));
        m_proxy->setSortKey(RoomFilterModel::ByLatency);
        QCOMPARE(codes(*m_proxy), (QStringList{"DESK", "LOBBY", "ARENA-42"}));
    }

    void searchesCodeAndNameIgnoringCase()
    {
        QSignalSpy count(m_proxy, &RoomFilterModel::countChanged);
        m_proxy->setSearch(QStringLiteral("lob"));
        QCOMPARE(codes(*m_proxy), QStringList{"LOBBY"});
        m_proxy->setSearch(QStringLiteral("SUPPORT")); // matches the name "Support desk"
        QCOMPARE(codes(*m_proxy), QStringList{"DESK"});
        m_proxy->setSearch(QStringLiteral("nothing like it"));
        QCOMPARE(m_proxy->count(), 0);
        QVERIFY(count.count() >= 3);
        m_proxy->setSearch(QString());
        QCOMPARE(m_proxy->count(), 3);
    }

    void filtersByTypeStatusAndTag()
    {
        m_proxy->setTypeFilter(QStringLiteral("GAMING"));
        QCOMPARE(codes(*m_proxy), QStringList{"ARENA-42"});
        m_proxy->setTypeFilter(QString());
        m_proxy->setStatusFilter(QStringLiteral("MAINTENANCE"));
        QCOMPARE(codes(*m_proxy), QStringList{"DESK"});
        m_proxy->setStatusFilter(QString());
        m_proxy->setTagFilter(QStringLiteral("eu"));
        QCOMPARE(codes(*m_proxy), (QStringList{"LOBBY", "DESK"}));
        m_proxy->setStatusFilter(QStringLiteral("ACTIVE"));
        QCOMPARE(codes(*m_proxy), QStringList{"LOBBY"});
    }

    void followsUpdatesWithoutReset()
    {
        m_proxy->setSortKey(RoomFilterModel::ByLoad);
        m_proxy->setStatusFilter(QStringLiteral("ACTIVE"));
        QSignalSpy reset(m_proxy, &QAbstractItemModel::modelReset);
        // LOBBY overtakes ARENA-42; DESK comes back from maintenance; a new room appears.
        m_rooms->applyMetrics({{QStringLiteral("roomId"), QStringLiteral("1")},
                               {QStringLiteral("roomCode"), QStringLiteral("LOBBY")},
                               {QStringLiteral("status"), QStringLiteral("ACTIVE")},
                               {QStringLiteral("online"), 99},
                               {QStringLiteral("capacityPct"), 99.0}});
        QCOMPARE(codes(*m_proxy), (QStringList{"LOBBY", "ARENA-42"}));
        m_rooms->applyMetrics({{QStringLiteral("roomId"), QStringLiteral("3")},
                               {QStringLiteral("roomCode"), QStringLiteral("DESK")},
                               {QStringLiteral("status"), QStringLiteral("ACTIVE")},
                               {QStringLiteral("online"), 10},
                               {QStringLiteral("capacityPct"), 10.0}});
        QCOMPARE(codes(*m_proxy), (QStringList{"LOBBY", "ARENA-42", "DESK"}));
        addRoom(*m_rooms, QStringLiteral("4"), QStringLiteral("TOWN-HALL"),
                QStringLiteral("Town hall"), QStringLiteral("BROADCAST"), QStringLiteral("ACTIVE"),
                {}, 60, 10);
        QCOMPARE(codes(*m_proxy), (QStringList{"LOBBY", "ARENA-42", "TOWN-HALL", "DESK"}));
        QCOMPARE(m_proxy->count(), 4);
        QCOMPARE(reset.count(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRoomFilterModel)
#include "tst_room_filter_model.moc"
