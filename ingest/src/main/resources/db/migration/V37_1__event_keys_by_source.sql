-- Event keys are namespaced by source (issue 18): an event's dedupe key is its (source, sourceId,
-- eventId), no longer its eventId alone. With the id alone, the first writer of an id won, so a sender
-- that guessed another device's ids could store its own events under them first and make the real
-- ones "duplicates". The device registry already decides which sourceIds each integrator principal may
-- speak for; with the sourceId in the key, a sender can only ever collide with the events of devices
-- it is authorised for. A redelivered message has the same source, sourceId and id, so it is still
-- stored once (docs/events.md, "Idempotency").
--
-- Upgrade: every existing key gets the source and sourceId of its event row (the row it was written
-- with, same id and observed_at), so an event stored before this version and delivered again after
-- it is still a duplicate. One pass: the key table is rebuilt by one join in observed_at order (the
-- order its BRIN index needs) rather than updated row by row, and each index is built once, after
-- the rows are in. A key without its event row (none when the ledger checks pass) has no namespace to
-- take and is left out.

-- Workers writing during the upgrade wait for it (and a worker still running the previous release
-- fails its batches afterwards, so its messages stay unconsumed until it is replaced). Locked in the
-- writers' order, key table first, so a waiting writer cannot deadlock with this.
LOCK TABLE event_key, event IN ACCESS EXCLUSIVE MODE;

CREATE TABLE event_key_by_source (
  event_id       text        NOT NULL,
  source         text        NOT NULL,
  source_id      text        NOT NULL,
  observed_at    timestamptz NOT NULL,
  payload_sha256 bytea       NOT NULL
);

INSERT INTO event_key_by_source (event_id, source, source_id, observed_at, payload_sha256)
SELECT k.event_id, e.source, e.source_id, k.observed_at, k.payload_sha256
FROM event_key k JOIN event e ON e.event_id = k.event_id AND e.observed_at = k.observed_at
ORDER BY k.observed_at;

DO $$
DECLARE
  left_out bigint;
BEGIN
  SELECT (SELECT count(*) FROM event_key) - (SELECT count(*) FROM event_key_by_source) INTO left_out;
  IF left_out <> 0 THEN
    RAISE NOTICE 'event_key: % key(s) without an event row left out', left_out;
  END IF;
END $$;

DROP TABLE event_key;
ALTER TABLE event_key_by_source RENAME TO event_key;
-- the id first: the server finds an event by its id alone (GET /api/events/{id})
ALTER TABLE event_key ADD CONSTRAINT event_key_pkey PRIMARY KEY (event_id, source, source_id);
-- retention deletes a dropped partition's keys by observed_at (V25_1)
CREATE INDEX event_key_observed_brin ON event_key USING brin (observed_at);

-- The same id may now be stored once per (source, sourceId), possibly at the same instant: the
-- event table's key takes the namespace too (its partitions' indexes are rebuilt once).
ALTER TABLE event DROP CONSTRAINT event_pkey;
ALTER TABLE event ADD CONSTRAINT event_pkey PRIMARY KEY (event_id, source, source_id, observed_at);

-- The rebuilt table gets the grants V20_1 gives event_key (the default privileges already give the
-- server's role its rights; said here so the two roles' rights stay as V20_1 states them).
GRANT SELECT, INSERT, UPDATE, DELETE ON event_key TO safegrid_app;
GRANT SELECT, INSERT ON event_key TO safegrid_ingest;

-- An integrity alarm (same key, another payload) names the key's namespace; older alarms have none.
ALTER TABLE ingest_integrity_alarm ADD COLUMN source text, ADD COLUMN source_id text;
