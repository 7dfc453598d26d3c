-- A fourth source: reported incidents (110 calls, 12345 hotline, grid officers' reports).
ALTER TABLE event DROP CONSTRAINT event_source_check;
ALTER TABLE event ADD CONSTRAINT event_source_check
  CHECK (source IN ('camera', 'checkpoint', 'patrol', 'incident'));

-- History imports bring years of incidents. Daily partitions for every past day would leave the
-- planner thousands of partitions to consider on every query, so a month that lies wholly more than
-- 35 days in the past (live ingest refuses events older than its 30-day window) and holds no daily
-- partition yet gets one monthly partition, event_mYYYYMM; recent days keep their daily partitions.
-- A day is covered when its daily or its monthly partition exists, so the two never overlap.
CREATE OR REPLACE FUNCTION safegrid_ensure_event_partitions(from_day date, to_day date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  d date := from_day;
  created integer := 0;
  part text;
  month_part text;
  month_start date;
  month_end date;
BEGIN
  WHILE d <= to_day LOOP
    part := 'event_' || to_char(d, 'YYYYMMDD');
    month_start := date_trunc('month', d)::date;
    month_end := (month_start + interval '1 month')::date;
    month_part := 'event_m' || to_char(d, 'YYYYMM');
    IF to_regclass(part) IS NULL AND to_regclass(month_part) IS NULL THEN
      IF month_end < current_date - 35 AND NOT EXISTS (
          SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'event'::regclass AND c.relname LIKE 'event\_' || to_char(d, 'YYYYMM') || '__') THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF event FOR VALUES FROM (%L) TO (%L)',
                       month_part, month_start::timestamptz AT TIME ZONE 'UTC', month_end::timestamptz AT TIME ZONE 'UTC');
        created := created + 1;
        d := month_end;
        CONTINUE;
      END IF;
      EXECUTE format('CREATE TABLE %I PARTITION OF event FOR VALUES FROM (%L) TO (%L)',
                     part, d::timestamptz AT TIME ZONE 'UTC', (d + 1)::timestamptz AT TIME ZONE 'UTC');
      created := created + 1;
    END IF;
    d := d + 1;
  END LOOP;
  RETURN created;
END $$;
