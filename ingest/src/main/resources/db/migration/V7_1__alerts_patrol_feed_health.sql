-- Alerts with their lifecycle, the officer roster they are assigned from, and feed health.

-- One alert per cause while it is open or acknowledged: the partial unique index on
-- (rule_id, dedupe_key) is the de-duplication, enforced by the database for every writer.
CREATE TABLE alert (
  id               bigserial   PRIMARY KEY,
  rule_id          text        NOT NULL,
  dedupe_key       text        NOT NULL,
  severity         text        NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  status           text        NOT NULL DEFAULT 'open'
                   CHECK (status IN ('open', 'acknowledged', 'resolved', 'dismissed')),
  title            text        NOT NULL,
  detail           jsonb       NOT NULL DEFAULT '{}'::jsonb,
  geom             geometry(Point, 4326),
  event_id         text,
  observed_at      timestamptz NOT NULL,
  raised_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  grid_set_id      bigint,
  cell_id          integer,
  cell_code        text,
  town_code        text,
  district_code    text,
  escalation_level text        NOT NULL DEFAULT 'grid' CHECK (escalation_level IN ('grid', 'town', 'district')),
  assigned_to      text,
  ack_deadline     timestamptz,
  acknowledged_by  text,
  acknowledged_at  timestamptz,
  closed_by        text,
  closed_at        timestamptz,
  close_reason     text
);
CREATE UNIQUE INDEX alert_one_open_per_cause ON alert (rule_id, dedupe_key) WHERE status IN ('open', 'acknowledged');
CREATE INDEX alert_raised_at_idx ON alert (raised_at);
CREATE INDEX alert_status_deadline_idx ON alert (status, ack_deadline);

-- Who answers for an area: level grid (code = grid cell code), town (town code) or district
-- (district code, the duty desk). Replaced as a whole by a roster upload.
CREATE TABLE alert_roster (
  level     text NOT NULL CHECK (level IN ('grid', 'town', 'district')),
  area_code text NOT NULL,
  officer   text NOT NULL,
  contact   text,
  PRIMARY KEY (level, area_code)
);

-- Last time each camera, checkpoint and patrol unit was heard from; kept in memory and
-- flushed here so that a restart still knows which feeds went silent.
CREATE TABLE feed_source (
  source       text        NOT NULL CHECK (source IN ('camera', 'checkpoint', 'patrol')),
  source_id    text        NOT NULL,
  last_seen_at timestamptz NOT NULL,
  status       text,
  geom         geometry(Point, 4326),
  PRIMARY KEY (source, source_id)
);
