-- The server tails newly committed events by received_at (live map, alerts, engine freshness).
-- BRIN: received_at grows with insertion order within each partition, so a block-range index is
-- tiny and nearly free for the ingest path.
CREATE INDEX event_received_at_brin ON event USING brin (received_at) WITH (pages_per_range = 32);
