-- Ingest bookkeeping, written in the same transaction as the events it counts, so that
-- GET /api/stats never has to count(*) the event table.

-- Events stored per source and minute of observed_at.
CREATE TABLE event_count (
  source              text        NOT NULL,
  minute              timestamptz NOT NULL,
  events              bigint      NOT NULL,
  newest_observed_at  timestamptz NOT NULL,
  PRIMARY KEY (source, minute)
);

-- Messages refused to the dead-letter topic per reason code and minute of refusal.
CREATE TABLE ingest_refusal_count (
  reason    text        NOT NULL,
  minute    timestamptz NOT NULL,
  messages  bigint      NOT NULL,
  PRIMARY KEY (reason, minute)
);

-- Same id, different payload: the first version is kept; each later one is recorded here.
CREATE TABLE ingest_integrity_alarm (
  id              bigserial   PRIMARY KEY,
  event_id        text        NOT NULL,
  at              timestamptz NOT NULL DEFAULT now(),
  kept_sha256     bytea       NOT NULL,
  offered_sha256  bytea       NOT NULL
);
CREATE UNIQUE INDEX ingest_integrity_alarm_offer_idx ON ingest_integrity_alarm (event_id, offered_sha256);
