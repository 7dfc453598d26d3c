-- SafeGrid schema, version 1: the foundation every feature builds on.
-- All geometry is stored in WGS84 (SRID 4326); metric work uses geography or ST_Transform.

CREATE EXTENSION IF NOT EXISTS postgis;

-- ---------------------------------------------------------------------------
-- Events: one row per camera / checkpoint / patrol event, partitioned by day of observed_at.
-- The partition key must be part of every unique index on a partitioned table, so the
-- global "one row per event id" rule is kept by event_key (below), written in the same
-- transaction by the ingest workers.
-- ---------------------------------------------------------------------------
CREATE TABLE event (
  event_id     text        NOT NULL,
  source       text        NOT NULL CHECK (source IN ('camera', 'checkpoint', 'patrol')),
  source_id    text        NOT NULL,
  kind         text        NOT NULL,
  severity     smallint    NOT NULL CHECK (severity BETWEEN 0 AND 5),
  observed_at  timestamptz NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  geom         geometry(Point, 4326) NOT NULL,
  attrs        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (event_id, observed_at)
) PARTITION BY RANGE (observed_at);

CREATE INDEX event_observed_at_idx ON event (observed_at);
CREATE INDEX event_geom_idx ON event USING gist (geom);
CREATE INDEX event_source_observed_idx ON event (source, observed_at);

-- Rows outside every daily partition (very old imports, clock skew) land here rather than fail.
CREATE TABLE event_default PARTITION OF event DEFAULT;

-- Global idempotency key: event ids are unique across all partitions.
-- payload_sha256 detects "same id, different content" (kept first, alarm raised).
CREATE TABLE event_key (
  event_id       text        PRIMARY KEY,
  observed_at    timestamptz NOT NULL,
  payload_sha256 bytea       NOT NULL
);

-- Creates the daily partitions of event for [from_day, to_day]; safe to call repeatedly.
CREATE OR REPLACE FUNCTION safegrid_ensure_event_partitions(from_day date, to_day date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  d date := from_day;
  created integer := 0;
  part text;
BEGIN
  WHILE d <= to_day LOOP
    part := 'event_' || to_char(d, 'YYYYMMDD');
    IF to_regclass(part) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF event FOR VALUES FROM (%L) TO (%L)',
                     part, d::timestamptz AT TIME ZONE 'UTC', (d + 1)::timestamptz AT TIME ZONE 'UTC');
      created := created + 1;
    END IF;
    d := d + 1;
  END LOOP;
  RETURN created;
END $$;

-- Latest position per patrol unit beside the event history; only a newer ping moves it.
CREATE TABLE patrol_position (
  unit_id      text        PRIMARY KEY,
  event_id     text        NOT NULL,
  observed_at  timestamptz NOT NULL,
  geom         geometry(Point, 4326) NOT NULL,
  speed_kmh    double precision,
  heading_deg  double precision,
  status       text
);
CREATE INDEX patrol_position_geom_idx ON patrol_position USING gist (geom);

-- ---------------------------------------------------------------------------
-- Management grids: versioned grid sets; exactly one is active at a time.
-- ---------------------------------------------------------------------------
CREATE TABLE grid_set (
  id             bigserial   PRIMARY KEY,
  name           text        NOT NULL,
  city_code      text        NOT NULL,
  status         text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'archived')),
  synthetic      boolean     NOT NULL DEFAULT false,
  source         text,
  source_sha256  text,
  cell_count     integer     NOT NULL DEFAULT 0,
  report         jsonb,
  created_at     timestamptz NOT NULL DEFAULT now(),
  created_by     text,
  activated_at   timestamptz,
  activated_by   text
);
CREATE UNIQUE INDEX grid_set_one_active ON grid_set ((true)) WHERE status = 'active';

CREATE TABLE grid_cell (
  grid_set_id    bigint      NOT NULL REFERENCES grid_set (id) ON DELETE CASCADE,
  cell_id        integer     NOT NULL,
  code           text        NOT NULL,
  name           text,
  district_code  text,
  town_code      text,
  town_name      text,
  area_m2        double precision NOT NULL,
  geom           geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  PRIMARY KEY (grid_set_id, cell_id),
  UNIQUE (grid_set_id, code)
);
CREATE INDEX grid_cell_geom_idx ON grid_cell USING gist (geom);

-- ---------------------------------------------------------------------------
-- Overlays: districts, coastline, coastal zone, land, campuses, checkpoints, cameras.
-- A layer has versions; overlay_layer names the live one.
-- ---------------------------------------------------------------------------
CREATE TABLE overlay_layer (
  layer          text        PRIMARY KEY
                 CHECK (layer IN ('districts', 'coastline', 'coastal_zone', 'land', 'campuses', 'checkpoints', 'cameras')),
  version        integer     NOT NULL,
  synthetic      boolean     NOT NULL DEFAULT false,
  source         text        NOT NULL,
  licence        text        NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  updated_by     text
);

CREATE TABLE overlay_feature (
  id             bigserial   PRIMARY KEY,
  layer          text        NOT NULL,
  version        integer     NOT NULL,
  code           text,
  name           text,
  kind           text,
  district_code  text,
  synthetic      boolean     NOT NULL DEFAULT false,
  props          jsonb       NOT NULL DEFAULT '{}'::jsonb,
  geom           geometry(Geometry, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE INDEX overlay_feature_layer_idx ON overlay_feature (layer, version);
CREATE INDEX overlay_feature_geom_idx ON overlay_feature USING gist (geom);

-- ---------------------------------------------------------------------------
-- Accounts and roles.
-- ---------------------------------------------------------------------------
CREATE TABLE app_user (
  username         text        PRIMARY KEY,
  password_hash    text        NOT NULL,
  enabled          boolean     NOT NULL DEFAULT true,
  district_code    text,
  failed_attempts  integer     NOT NULL DEFAULT 0,
  locked_until     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app_user_role (
  username  text NOT NULL REFERENCES app_user (username) ON DELETE CASCADE,
  role      text NOT NULL CHECK (role IN ('VIEWER', 'PLANNER', 'GIS_ADMIN', 'INGEST', 'AUDITOR', 'ADMIN')),
  PRIMARY KEY (username, role)
);

-- ---------------------------------------------------------------------------
-- Audit trail: append-only. The trigger refuses UPDATE and DELETE for every role
-- the application uses; written in the same transaction as the audited action.
-- ---------------------------------------------------------------------------
CREATE TABLE audit_event (
  id           bigserial   PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  username     text,
  source_ip    text,
  action       text        NOT NULL,
  object_type  text,
  object_id    text,
  outcome      text        NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  detail       jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_event_at_idx ON audit_event (at);

CREATE OR REPLACE FUNCTION safegrid_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
  FOR EACH ROW EXECUTE FUNCTION safegrid_audit_append_only();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
  FOR EACH STATEMENT EXECUTE FUNCTION safegrid_audit_append_only();
