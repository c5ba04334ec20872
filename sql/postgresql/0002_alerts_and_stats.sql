-- Spidi schema, PostgreSQL dialect, version 2: alert rule types and delivery, statistics parts.

ALTER TABLE dat_spd_alert_rule DROP CONSTRAINT dat_spd_alert_rule_type_check;
ALTER TABLE dat_spd_alert_rule ADD CONSTRAINT dat_spd_alert_rule_type_check
    CHECK (type IN ('CAPACITY', 'LATENCY', 'HEARTBEAT', 'CUSTOM', 'MASS_DISCONNECT'));
ALTER TABLE dat_spd_alert_rule ADD COLUMN latency_stat text
    CHECK (latency_stat IS NULL OR latency_stat IN ('AVG', 'P95'));
ALTER TABLE dat_spd_alert_rule ADD COLUMN window_sec integer
    CHECK (window_sec IS NULL OR window_sec > 0);

ALTER TABLE dat_spd_alert_event ADD COLUMN rule_type text NOT NULL DEFAULT '';
ALTER TABLE dat_spd_alert_event ADD COLUMN resolved_by text; -- NULL when the condition cleared
ALTER TABLE dat_spd_alert_event ADD COLUMN notifications jsonb NOT NULL DEFAULT '[]'::jsonb;
-- At most one open (FIRING or ACKNOWLEDGED) event per rule and room, whoever evaluates: a
-- second leader racing the first cannot fire the same condition twice.
CREATE UNIQUE INDEX ux_spd_alert_event_open
    ON dat_spd_alert_event (rule_id, COALESCE(room_id::text, ''))
    WHERE state <> 'RESOLVED';

-- Latency distribution of a bucket, so that HOUR and DAY percentiles are computed from the
-- merged distribution rather than averaged from MINUTE percentiles.
ALTER TABLE dat_spd_room_stats ADD COLUMN latency_samples bigint NOT NULL DEFAULT 0;
ALTER TABLE dat_spd_room_stats ADD COLUMN latency_hist text NOT NULL DEFAULT '{}';

-- What each server instance counted in one room and minute (heartbeats, latency samples).
-- Each instance rewrites its own row with absolute values, so a retried write cannot count
-- twice and a restarted instance (new instance id) adds a row instead of overwriting one; the
-- consolidation job sums the rows of a minute into dat_spd_room_stats.
CREATE TABLE dat_spd_room_stats_part (
    room_id         uuid             NOT NULL,
    tenant_id       text             NOT NULL,
    ts_minute       timestamptz      NOT NULL,
    instance_id     text             NOT NULL,
    heartbeats      bigint           NOT NULL DEFAULT 0,
    latency_samples bigint           NOT NULL DEFAULT 0,
    latency_sum     double precision NOT NULL DEFAULT 0,
    latency_hist    text             NOT NULL DEFAULT '{}',
    updated_at      timestamptz      NOT NULL,
    PRIMARY KEY (room_id, ts_minute, instance_id)
);
CREATE INDEX ix_spd_room_stats_part_minute ON dat_spd_room_stats_part (ts_minute);
ALTER TABLE dat_spd_room_stats_part ENABLE ROW LEVEL SECURITY;
ALTER TABLE dat_spd_room_stats_part FORCE ROW LEVEL SECURITY;
CREATE POLICY p_spd_room_stats_part_tenant ON dat_spd_room_stats_part
    USING (tenant_id = current_setting('app.tenant_id', true)
           OR current_setting('app.bypass_rls', true) = 'on')
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true)
                OR current_setting('app.bypass_rls', true) = 'on');
