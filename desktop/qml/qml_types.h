#pragma once

// The C++ types of spidi_desktop_core as QML types of Spidi.Ui, declared here rather than in
// the classes so that the core library (and its tests) stay free of QML. See docs/desktop.md.

#include "models/alert_inbox_model.h"
#include "models/dashboard_totals.h"
#include "models/room_filter_model.h"
#include "models/room_list_model.h"
#include "services/connection_service.h"
#include "services/preferences.h"
#include "services/rest_client.h"

#include <QJSEngine>
#include <QQmlEngine>
#include <QtQml/qqmlregistration.h>

namespace spidi::desktop::qml {

// The application's connection: one per engine, created on first use; the models it keeps
// current are its properties (rooms, alerts, totals, rest).
struct ConnectionServiceForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::ConnectionService)
    QML_NAMED_ELEMENT(ConnectionService)
    QML_SINGLETON

public:
    static ConnectionService *create(QQmlEngine *, QJSEngine *) { return new ConnectionService; }
};

// UI preferences (theme), one per engine.
struct PreferencesForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::Preferences)
    QML_NAMED_ELEMENT(Preferences)
    QML_SINGLETON

public:
    static Preferences *create(QQmlEngine *, QJSEngine *) { return new Preferences; }
};

// Creatable: a page makes its own filtered, sorted view of ConnectionService.rooms.
struct RoomFilterModelForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::RoomFilterModel)
    QML_NAMED_ELEMENT(RoomFilterModel)
};

// Owned by ConnectionService; QML reads them through its properties.
struct RoomListModelForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::RoomListModel)
    QML_NAMED_ELEMENT(RoomListModel)
    QML_UNCREATABLE("owned by ConnectionService (ConnectionService.rooms)")
};

struct AlertInboxModelForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::AlertInboxModel)
    QML_NAMED_ELEMENT(AlertInboxModel)
    QML_UNCREATABLE("owned by ConnectionService (ConnectionService.alerts)")
};

struct DashboardTotalsForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::DashboardTotals)
    QML_NAMED_ELEMENT(DashboardTotals)
    QML_UNCREATABLE("owned by ConnectionService (ConnectionService.totals)")
};

struct RestClientForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::RestClient)
    QML_NAMED_ELEMENT(RestClient)
    QML_UNCREATABLE("owned by ConnectionService (ConnectionService.rest)")
};

} // namespace spidi::desktop::qml
