-- Dead letters and refusal counts idempotent across a crash: a worker that dies after its database
-- commit and before its offset commit reads the batch again. Each refused message is recorded once
-- by its Kafka coordinates, and ingest_refusal_count is only advanced for messages recorded now, so
-- a replay does not count them twice. (The dead letter itself carries the same coordinates as its
-- key, so a consumer of the dead-letter topic, and its compaction, see one letter per message.)
CREATE TABLE ingest_refusal (
  topic            text        NOT NULL,
  kafka_partition  int         NOT NULL,
  kafka_offset     bigint      NOT NULL,
  reason           text        NOT NULL,
  refused_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, kafka_partition, kafka_offset)
);
-- the writers forget refusals older than the longest a batch can wait for its offset commit (days)
CREATE INDEX ingest_refusal_refused_at_idx ON ingest_refusal (refused_at);
