-- Event retention: raw events are kept a configured time by dropping whole partitions; before a
-- partition goes, its per-cell hourly counts by source, kind and severity are kept in
-- event_rollup_hourly, so backtests, emerging hot spots and trend charts over years still work.

-- One row per hour, cell of the grid set active when the partition was rolled up, source, kind
-- and severity. grid_set_id/cell_id are NULL for events outside every cell (or when no grid set
-- was active): they are still counted. NULLS NOT DISTINCT makes a repeated roll-up of the same
-- hour land on the same row, so rolling up is idempotent (ON CONFLICT below).
CREATE TABLE event_rollup_hourly (
  hour         timestamptz NOT NULL,
  grid_set_id  bigint,
  cell_id      integer,
  source       text        NOT NULL,
  kind         text        NOT NULL,
  severity     smallint    NOT NULL,
  events       bigint      NOT NULL CHECK (events > 0),
  rolled_up_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT event_rollup_hourly_key
    UNIQUE NULLS NOT DISTINCT (hour, grid_set_id, cell_id, source, kind, severity)
);
CREATE INDEX event_rollup_hourly_cell_idx ON event_rollup_hourly (grid_set_id, cell_id, hour);

-- event_key (the global one-row-per-id key) is not partitioned: the rows of a dropped partition are
-- deleted from it by observed_at. It is written in arrival order, which follows observed_at, so a
-- block-range index finds them at a few kilobytes of index.
CREATE INDEX event_key_observed_brin ON event_key USING brin (observed_at);

-- The partitions of event with their bounds (the default partition has none and is not listed).
CREATE FUNCTION safegrid_event_partitions(OUT partition regclass, OUT from_at timestamptz, OUT to_at timestamptz)
RETURNS SETOF record LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
  SELECT c.oid::regclass,
         (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz,
         (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
  WHERE i.inhparent = 'event'::regclass
    AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
  ORDER BY 2
$$;

-- Rolls one event partition up into event_rollup_hourly, deletes its ids from event_key, drops it
-- and records the drop in the audit trail, all in the caller's one transaction: a crash anywhere
-- leaves the partition and no roll-up of it, and the retry rolls it up again (ON CONFLICT
-- overwrites with the same counts, so even a roll-up that survived would not be counted twice).
-- Returns the number of events rolled up. SECURITY DEFINER: runs as the owner of event (the
-- migrating role), so the application role needs only EXECUTE, never DDL rights.
CREATE FUNCTION safegrid_drop_event_partition(partition regclass) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  lo timestamptz;
  hi timestamptz;
  n  bigint;
  active bigint;
  name text := $1::text;  -- a dropped table's regclass prints as a bare number
BEGIN
  SELECT p.from_at, p.to_at INTO lo, hi FROM safegrid_event_partitions() p WHERE p.partition = $1;
  IF lo IS NULL THEN
    RAISE EXCEPTION '% is not a dated partition of event (the default partition is never dropped)', $1
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- the partition's readers and writers hold the lock briefly; a long one makes this fail and retry
  -- rather than queue every insert into event behind the drop
  SET LOCAL lock_timeout = '10s';
  -- no insert may land in the partition between its roll-up and its drop
  EXECUTE format('LOCK TABLE %s IN SHARE MODE', $1);
  SELECT id INTO active FROM grid_set WHERE status = 'active';

  EXECUTE format($q$
    WITH rolled AS (
    INSERT INTO event_rollup_hourly AS r (hour, grid_set_id, cell_id, source, kind, severity, events)
    SELECT date_trunc('hour', e.observed_at, 'UTC'), CASE WHEN c.cell_id IS NULL THEN NULL ELSE %2$L::bigint END,
           c.cell_id, e.source, e.kind, e.severity, count(*)
    FROM %1$s e
    -- a point on a border between two cells counts once, in the lower-numbered cell
    LEFT JOIN LATERAL (
      SELECT min(p.cell_id) AS cell_id FROM grid_cell_part p
      WHERE p.grid_set_id = %2$L::bigint AND ST_Intersects(p.geom, e.geom)
    ) c ON true
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ON CONSTRAINT event_rollup_hourly_key
      DO UPDATE SET events = EXCLUDED.events, rolled_up_at = now()
    RETURNING events)
    SELECT coalesce(sum(events), 0) FROM rolled
  $q$, $1, active) INTO n;

  DELETE FROM event_key WHERE observed_at >= lo AND observed_at < hi;
  EXECUTE format('DROP TABLE %s', $1);
  INSERT INTO audit_event (username, action, object_type, object_id, outcome, detail)
  VALUES ('system', 'event.partition.drop', 'event_partition', name, 'success',
          jsonb_build_object('from', lo, 'to', hi, 'events', n, 'grid_set_id', active));
  RETURN n;
END $$;

-- Only the owner (and whom it grants) may drop: GRANT EXECUTE ON FUNCTION
-- safegrid_drop_event_partition(regclass) TO <application role>.
REVOKE ALL ON FUNCTION safegrid_drop_event_partition(regclass) FROM PUBLIC;
