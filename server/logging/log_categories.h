#pragma once

#include <QLoggingCategory>

// One category per subsystem; enable with QT_LOGGING_RULES="spidi.presence.debug=true".
Q_DECLARE_LOGGING_CATEGORY(lcPresence) // spidi.presence
Q_DECLARE_LOGGING_CATEGORY(lcStore)    // spidi.store
Q_DECLARE_LOGGING_CATEGORY(lcDb)       // spidi.db
Q_DECLARE_LOGGING_CATEGORY(lcGateway)  // spidi.gateway
Q_DECLARE_LOGGING_CATEGORY(lcRest)     // spidi.rest
Q_DECLARE_LOGGING_CATEGORY(lcAuth)     // spidi.auth
Q_DECLARE_LOGGING_CATEGORY(lcConfig)   // spidi.config
Q_DECLARE_LOGGING_CATEGORY(lcServer)   // spidi.server
Q_DECLARE_LOGGING_CATEGORY(lcCluster)  // spidi.cluster
Q_DECLARE_LOGGING_CATEGORY(lcAlerts)   // spidi.alerts
Q_DECLARE_LOGGING_CATEGORY(lcNotify)   // spidi.notify
Q_DECLARE_LOGGING_CATEGORY(lcStats)    // spidi.stats
