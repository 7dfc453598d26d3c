-- The commit-ordered event feed (decision 004): every event row records the id of the transaction
-- that inserted it, so a reader can take whole committed transactions in (txid, event_id) order and
-- never overtake one still open. The ingest COPY and INSERT name their columns and leave txid to
-- this default. Rows stored before this migration keep txid NULL: they are history to every feed.
-- Added without a default first and then given one, so existing partitions are not rewritten.
ALTER TABLE event ADD COLUMN txid xid8;
ALTER TABLE event ALTER COLUMN txid SET DEFAULT pg_current_xact_id();
CREATE INDEX event_txid_idx ON event (txid, event_id);

-- Where a persistent feed consumer (the alert engine) stands, written in the same transaction as
-- what it did with the events it read.
--   floor     every transaction below it is finished and delivered
--   delivered transactions at or above the floor already delivered whole
--   partial_txid / partial_after   transactions at or above the floor delivered up to an event id
CREATE TABLE event_feed_position (
  consumer      text        PRIMARY KEY,
  floor         xid8        NOT NULL,
  delivered     xid8[]      NOT NULL DEFAULT '{}',
  partial_txid  xid8[]      NOT NULL DEFAULT '{}',
  partial_after text[]      NOT NULL DEFAULT '{}',
  updated_at    timestamptz NOT NULL DEFAULT now()
);
