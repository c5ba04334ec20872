#pragma once

// The C++ types of spidi_desktop_core as QML types of Spidi.Ui, declared here rather than in
// the classes so that the core library (and its tests) stay free of QML. See docs/desktop.md.

#include "models/alert_events_model.h"
#include "models/alert_inbox_model.h"
#include "models/alert_rules_model.h"
#include "models/dashboard_totals.h"
#include "models/fleet_breakdown.h"
#include "models/metrics_history.h"
#include "models/room_filter_model.h"
#include "models/room_list_model.h"
#include "models/roster_filter_model.h"
#include "models/roster_model.h"
#include "services/alert_notifier.h"
#include "services/app_info.h"
#include "services/connection_service.h"
#include "services/csv_exporter.h"
#include "services/editors.h"
#include "services/image_exporter.h"
#include "services/preferences.h"
#include "services/rest_client.h"
#include "services/room_detail_controller.h"
#include "services/room_editor.h"
#include "services/rule_form.h"

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

// The room page: a creatable controller (one per page) that owns the roster, the fleet
// breakdown and the live metrics; a creatable filter over its roster.
struct RoomDetailControllerForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::RoomDetailController)
    QML_NAMED_ELEMENT(RoomDetailController)
};

struct RosterFilterModelForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::RosterFilterModel)
    QML_NAMED_ELEMENT(RosterFilterModel)
};

struct RosterModelForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::RosterModel)
    QML_NAMED_ELEMENT(RosterModel)
    QML_UNCREATABLE("owned by RoomDetailController (.roster)")
};

struct FleetBreakdownForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::FleetBreakdown)
    QML_NAMED_ELEMENT(FleetBreakdown)
    QML_UNCREATABLE("owned by RoomDetailController (.fleet)")
};

struct MetricsHistoryForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::MetricsHistory)
    QML_NAMED_ELEMENT(MetricsHistory)
    QML_UNCREATABLE("owned by RoomDetailController (.metrics)")
};

// The editors and the alert pages (docs/desktop.md#editors): `Editors`, one per engine on the
// engine's ConnectionService's RestClient, owns the forms and models the pages use; the
// classes are creatable too (a page or a test may make its own and set `rest`).
struct EditorsForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::Editors)
    QML_NAMED_ELEMENT(Editors)
    QML_SINGLETON

public:
    static Editors *create(QQmlEngine *engine, QJSEngine *)
    {
        auto *connection = engine->singletonInstance<ConnectionService *>(
            qmlTypeId("Spidi.Ui", 1, 0, "ConnectionService"));
        return connection ? new Editors(connection->rest(), connection->rooms())
                          : new Editors(nullptr);
    }
};

// The base of the alert event lists (inbox and history).
struct AlertEventListModelForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::AlertEventListModel)
    QML_ANONYMOUS
};

// The base of the editor forms: its properties (errors, busy, conflict…) are seen through them.
struct EditorFormForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::EditorForm)
    QML_ANONYMOUS
};

struct RoomEditorForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::RoomEditor)
    QML_NAMED_ELEMENT(RoomEditor)
};

struct RuleFormForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::RuleForm)
    QML_NAMED_ELEMENT(RuleForm)
};

struct AlertRulesModelForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::AlertRulesModel)
    QML_NAMED_ELEMENT(AlertRulesModel)
};

struct AlertEventsModelForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::AlertEventsModel)
    QML_NAMED_ELEMENT(AlertEventsModel)
};

namespace detail {
inline ConnectionService *connectionOf(QQmlEngine *engine)
{
    return engine->singletonInstance<ConnectionService *>(
        qmlTypeId("Spidi.Ui", 1, 0, "ConnectionService"));
}
} // namespace detail

// CRITICAL alert notifications of the engine's connection's inbox (Main.qml sets `window`).
struct AlertNotifierForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::AlertNotifier)
    QML_NAMED_ELEMENT(AlertNotifier)
    QML_SINGLETON

public:
    static AlertNotifier *create(QQmlEngine *engine, QJSEngine *)
    {
        auto *notifier = new AlertNotifier;
        if (ConnectionService *connection = detail::connectionOf(engine))
            notifier->setInbox(connection->alerts());
        return notifier;
    }
};

// The About box's versions, with the connection's REST client for the server's.
struct AppInfoForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::AppInfo)
    QML_NAMED_ELEMENT(AppInfo)
    QML_SINGLETON

public:
    static AppInfo *create(QQmlEngine *engine, QJSEngine *)
    {
        ConnectionService *connection = detail::connectionOf(engine);
        return new AppInfo(connection ? connection->rest() : nullptr);
    }
};

// PNG of charts and tiles, CSV of the roster.
struct ImageExporterForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::ImageExporter)
    QML_NAMED_ELEMENT(ImageExporter)
    QML_SINGLETON

public:
    static ImageExporter *create(QQmlEngine *, QJSEngine *) { return new ImageExporter; }
};

struct CsvExporterForeign
{
    Q_GADGET
    QML_FOREIGN(spidi::desktop::CsvExporter)
    QML_NAMED_ELEMENT(CsvExporter)
    QML_SINGLETON

public:
    static CsvExporter *create(QQmlEngine *, QJSEngine *) { return new CsvExporter; }
};

} // namespace spidi::desktop::qml
