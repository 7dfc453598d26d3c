-- Incidents: alerts that share a rule's grouping key within its space-time window, worked by an
-- officer as one case; and the outbox through which alert and incident messages reach Kafka.

CREATE TABLE incident (
  id                bigserial   PRIMARY KEY,
  rule_id           text        NOT NULL,
  group_key         text        NOT NULL,
  title             text        NOT NULL,
  severity          text        NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  status            text        NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'acknowledged', 'resolved', 'dismissed')),
  -- wall clock of creation; the observed times are event time (the alerts' observed_at)
  opened_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
  first_observed_at timestamptz NOT NULL,
  last_observed_at  timestamptz NOT NULL,
  -- wall clock of the last alert that joined: the quiet period is judged on it as well
  last_joined_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  closed_at         timestamptz,
  closed_by         text,
  close_reason      text,
  alert_count       int         NOT NULL DEFAULT 0,
  suppressed_count  int         NOT NULL DEFAULT 0,
  -- the convex hull of its alerts' places (a point for one place); null when none has a place
  geom              geometry(Geometry, 4326),
  cell_code         text,
  town_code         text,
  district_code     text,
  escalation_level  text        NOT NULL DEFAULT 'grid' CHECK (escalation_level IN ('grid', 'town', 'district')),
  assigned_to       text,
  ack_deadline      timestamptz,
  acknowledged_by   text,
  acknowledged_at   timestamptz
);
CREATE INDEX incident_open_by_key ON incident (rule_id, group_key) WHERE status IN ('open', 'acknowledged');
CREATE INDEX incident_opened_at_idx ON incident (opened_at);
CREATE INDEX incident_last_observed_idx ON incident (last_observed_at);
CREATE INDEX incident_status_deadline_idx ON incident (status, ack_deadline);
CREATE INDEX incident_open_geom_idx ON incident USING gist (geom) WHERE status IN ('open', 'acknowledged');

-- Which alerts an incident holds; suppressed = joined by inhibition (explained by a critical
-- incident of another rule), stored and linked but not counted as the incident's own alerts.
CREATE TABLE incident_alert (
  incident_id bigint  NOT NULL REFERENCES incident (id),
  alert_id    bigint  NOT NULL REFERENCES alert (id),
  suppressed  boolean NOT NULL DEFAULT false,
  PRIMARY KEY (incident_id, alert_id)
);
CREATE UNIQUE INDEX incident_alert_one_incident_per_alert ON incident_alert (alert_id);

-- What happened to an incident, in order: opened, alert joined, severity raised, acknowledged,
-- assigned, escalated, resolved, dismissed, closed after the quiet period.
CREATE TABLE incident_timeline (
  id          bigserial   PRIMARY KEY,
  incident_id bigint      NOT NULL REFERENCES incident (id),
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor       text        NOT NULL,
  action      text        NOT NULL,
  detail      jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX incident_timeline_incident_idx ON incident_timeline (incident_id, id);

-- Messages for Kafka written in the transaction of the change they announce; a relay sends them in
-- id order and sets sent_at (at least once: a message sent but not yet marked is sent again).
CREATE TABLE outbox (
  id          bigserial   PRIMARY KEY,
  topic       text        NOT NULL,
  message_key text        NOT NULL,
  payload     text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  sent_at     timestamptz,
  attempts    int         NOT NULL DEFAULT 0
);
CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL;
