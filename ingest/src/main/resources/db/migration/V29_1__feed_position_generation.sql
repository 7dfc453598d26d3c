-- Fencing for feed consumers that run on one elected leader among several server replicas: every
-- save of a position is a compare-and-set on its generation, so a stale leader (one that lost its
-- lock while a step ran) cannot commit the same range of the feed a second time; its transaction,
-- with the alerts it raised, rolls back.
ALTER TABLE event_feed_position ADD COLUMN generation bigint NOT NULL DEFAULT 0;
