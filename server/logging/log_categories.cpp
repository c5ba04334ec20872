#include "log_categories.h"

Q_LOGGING_CATEGORY(lcPresence, "spidi.presence", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStore, "spidi.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcDb, "spidi.db", QtInfoMsg)
Q_LOGGING_CATEGORY(lcGateway, "spidi.gateway", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRest, "spidi.rest", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAuth, "spidi.auth", QtInfoMsg)
Q_LOGGING_CATEGORY(lcConfig, "spidi.config", QtInfoMsg)
Q_LOGGING_CATEGORY(lcServer, "spidi.server", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCluster, "spidi.cluster", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAlerts, "spidi.alerts", QtInfoMsg)
Q_LOGGING_CATEGORY(lcNotify, "spidi.notify", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStats, "spidi.stats", QtInfoMsg)
