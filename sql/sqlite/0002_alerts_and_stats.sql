-- Spidi schema, SQLite dialect, version 2: alert rule types and delivery, statistics parts.
--
-- SQLite cannot change a CHECK constraint in place, so dat_spd_alert_rule and
-- dat_spd_alert_event are rebuilt (copy, drop, rename). The new event table points at the new
-- rule table while both old tables still exist; the rename moves that reference to the final
-- name, so the old rule table has no children left when it is dropped.

CREATE TABLE dat_spd_alert_rule_v2 (
    id              TEXT    NOT NULL PRIMARY KEY,
    tenant_id       TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    type            TEXT    NOT NULL CHECK (type IN ('CAPACITY', 'LATENCY', 'HEARTBEAT', 'CUSTOM',
                                                     'MASS_DISCONNECT')),
    threshold       REAL,
    expression      TEXT,
    latency_stat    TEXT    CHECK (latency_stat IS NULL OR latency_stat IN ('AVG', 'P95')),
    window_sec      INTEGER CHECK (window_sec IS NULL OR window_sec > 0),
    for_sec         INTEGER NOT NULL DEFAULT 0 CHECK (for_sec >= 0),
    severity        TEXT    NOT NULL DEFAULT 'WARNING'
                            CHECK (severity IN ('INFO', 'WARNING', 'CRITICAL')),
    scope_room_id   TEXT,
    scope_room_type TEXT,
    scope_all       INTEGER NOT NULL DEFAULT 0 CHECK (scope_all IN (0, 1)),
    cooldown_sec    INTEGER NOT NULL DEFAULT 300 CHECK (cooldown_sec >= 0),
    enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    channels        TEXT    NOT NULL DEFAULT '[]', -- JSON array of channel objects
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    deleted_at      TEXT,
    created_by      TEXT,
    updated_by      TEXT
);
INSERT INTO dat_spd_alert_rule_v2 (id, tenant_id, name, type, threshold, expression, for_sec,
    severity, scope_room_id, scope_room_type, scope_all, cooldown_sec, enabled, channels, version,
    created_at, updated_at, deleted_at, created_by, updated_by)
SELECT id, tenant_id, name, type, threshold, expression, for_sec, severity, scope_room_id,
    scope_room_type, scope_all, cooldown_sec, enabled, channels, version, created_at, updated_at,
    deleted_at, created_by, updated_by
FROM dat_spd_alert_rule;

CREATE TABLE dat_spd_alert_event_v2 (
    id              TEXT NOT NULL PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    rule_id         TEXT NOT NULL REFERENCES dat_spd_alert_rule_v2 (id),
    rule_name       TEXT NOT NULL DEFAULT '',
    rule_type       TEXT NOT NULL DEFAULT '',
    room_id         TEXT,
    room_code       TEXT,
    severity        TEXT NOT NULL CHECK (severity IN ('INFO', 'WARNING', 'CRITICAL')),
    state           TEXT NOT NULL DEFAULT 'FIRING'
                         CHECK (state IN ('FIRING', 'ACKNOWLEDGED', 'RESOLVED')),
    value           REAL,
    threshold       REAL,
    message         TEXT NOT NULL DEFAULT '',
    fired_at        TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT,
    comment         TEXT,
    resolved_at     TEXT,
    resolved_by     TEXT, -- NULL when the condition cleared by itself
    notifications   TEXT NOT NULL DEFAULT '[]', -- JSON array: one delivery record per channel
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
INSERT INTO dat_spd_alert_event_v2 (id, tenant_id, rule_id, rule_name, room_id, room_code,
    severity, state, value, threshold, message, fired_at, acknowledged_at, acknowledged_by,
    comment, resolved_at, created_at, updated_at)
SELECT id, tenant_id, rule_id, rule_name, room_id, room_code, severity, state, value, threshold,
    message, fired_at, acknowledged_at, acknowledged_by, comment, resolved_at, created_at,
    updated_at
FROM dat_spd_alert_event;

DROP TABLE dat_spd_alert_event;
DROP TABLE dat_spd_alert_rule;
ALTER TABLE dat_spd_alert_rule_v2 RENAME TO dat_spd_alert_rule;
ALTER TABLE dat_spd_alert_event_v2 RENAME TO dat_spd_alert_event;

CREATE INDEX ix_spd_alert_rule_tenant ON dat_spd_alert_rule (tenant_id, enabled);
CREATE INDEX ix_spd_alert_event_tenant_state ON dat_spd_alert_event (tenant_id, state, fired_at);
CREATE INDEX ix_spd_alert_event_room ON dat_spd_alert_event (room_id, fired_at);
CREATE INDEX ix_spd_alert_event_rule ON dat_spd_alert_event (rule_id, room_id, fired_at);
-- At most one open (FIRING or ACKNOWLEDGED) event per rule and room, whoever evaluates: a
-- second leader racing the first cannot fire the same condition twice.
CREATE UNIQUE INDEX ux_spd_alert_event_open ON dat_spd_alert_event (rule_id, COALESCE(room_id, ''))
    WHERE state <> 'RESOLVED';

-- Latency distribution of a bucket, so that HOUR and DAY percentiles are computed from the
-- merged distribution rather than averaged from MINUTE percentiles.
ALTER TABLE dat_spd_room_stats ADD COLUMN latency_samples INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dat_spd_room_stats ADD COLUMN latency_hist TEXT NOT NULL DEFAULT '{}';

-- What each server instance counted in one room and minute (heartbeats, latency samples).
-- Each instance rewrites its own row with absolute values, so a retried write cannot count
-- twice and a restarted instance (new instance id) adds a row instead of overwriting one; the
-- consolidation job sums the rows of a minute into dat_spd_room_stats.
CREATE TABLE dat_spd_room_stats_part (
    room_id         TEXT    NOT NULL,
    tenant_id       TEXT    NOT NULL,
    ts_minute       TEXT    NOT NULL,
    instance_id     TEXT    NOT NULL,
    heartbeats      INTEGER NOT NULL DEFAULT 0,
    latency_samples INTEGER NOT NULL DEFAULT 0,
    latency_sum     REAL    NOT NULL DEFAULT 0,
    latency_hist    TEXT    NOT NULL DEFAULT '{}',
    updated_at      TEXT    NOT NULL,
    PRIMARY KEY (room_id, ts_minute, instance_id)
);
CREATE INDEX ix_spd_room_stats_part_minute ON dat_spd_room_stats_part (ts_minute);
