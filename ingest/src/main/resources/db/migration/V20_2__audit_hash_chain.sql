-- Tamper-evident audit trail (docs/security.md, "Audit hash chain").
--
-- Each row carries the SHA-256 of its content chained to the row before it. One chain per UTC day
-- (chain_day, the day of the row's time `at`), numbered from 1 without gaps (chain_seq); the first
-- row of a day chains to a genesis value derived from the day. A day is a unit the retention purge
-- deletes whole, so the days that remain always verify from their first row.
--
--   row_hash = sha256(prev_hash || utf8(safegrid_audit_canonical(row)))
--   genesis  = sha256(utf8('safegrid-audit-chain ' || YYYY-MM-DD))
--
-- The trigger computes the chain columns (whatever the INSERT gave) under a transaction-scoped
-- advisory lock, so concurrent writers append one after the other: the lock is held until the
-- writer commits, and the next writer's lookup of the day's last row runs after it (READ COMMITTED
-- takes a fresh snapshot for each statement of the trigger). A writer in REPEATABLE READ could
-- read a stale last row; the unique index then fails its INSERT rather than fork the chain.

-- Functions below that run as their owner resolve names in this schema only, with the caller's
-- temporary schema last (a caller's temporary table must never stand in for one of ours).
SELECT set_config('search_path', format('%I, pg_temp', current_schema()), true);

ALTER TABLE audit_event
  ADD COLUMN chain_day date,
  ADD COLUMN chain_seq bigint,
  ADD COLUMN prev_hash bytea,
  ADD COLUMN row_hash  bytea;

-- The hashed text of a row: every column but the hashes, as a JSON array (jsonb's text is
-- canonical: keys sorted, one spacing; the time as integer microseconds since the epoch).
CREATE FUNCTION safegrid_audit_canonical(a audit_event) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT jsonb_build_array(a.id, to_char(a.chain_day, 'YYYY-MM-DD'), a.chain_seq,
                           (extract(epoch FROM a.at) * 1000000)::bigint, a.username, a.source_ip, a.action,
                           a.object_type, a.object_id, a.outcome, a.detail)::text
$$;

CREATE FUNCTION safegrid_audit_genesis(day date) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT sha256(convert_to('safegrid-audit-chain ' || to_char(day, 'YYYY-MM-DD'), 'UTF8'))
$$;

CREATE FUNCTION safegrid_audit_chain() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  last_seq  bigint;
  last_hash bytea;
  lock_wait text := current_setting('lock_timeout');
BEGIN
  -- Bounded wait: a transaction that wrote an audit row and then, before committing, waits for another
  -- transaction writing one would otherwise wait forever; it fails after 30 s instead (the audited
  -- action with it). Restored at once, so the rest of the caller's transaction keeps its own setting.
  PERFORM set_config('lock_timeout', '30s', true);
  PERFORM pg_advisory_xact_lock(hashtext('safegrid-audit-chain'));
  PERFORM set_config('lock_timeout', lock_wait, true);
  NEW.chain_day := (NEW.at AT TIME ZONE 'UTC')::date;
  SELECT chain_seq, row_hash INTO last_seq, last_hash
    FROM audit_event WHERE chain_day = NEW.chain_day ORDER BY chain_seq DESC LIMIT 1;
  IF last_seq IS NULL THEN
    NEW.chain_seq := 1;
    NEW.prev_hash := safegrid_audit_genesis(NEW.chain_day);
  ELSE
    NEW.chain_seq := last_seq + 1;
    NEW.prev_hash := last_hash;
  END IF;
  NEW.row_hash := sha256(NEW.prev_hash || convert_to(safegrid_audit_canonical(NEW), 'UTF8'));
  RETURN NEW;
END $$;

-- The rows already there, chained in the order of their time and id (as this role, the owner: the
-- append-only trigger is set aside for this one statement of the migration).
ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update;
DO $$
DECLARE
  r         audit_event;
  day       date;
  seq       bigint;
  prev      bytea;
BEGIN
  FOR r IN SELECT * FROM audit_event ORDER BY at, id LOOP
    IF day IS DISTINCT FROM (r.at AT TIME ZONE 'UTC')::date THEN
      day := (r.at AT TIME ZONE 'UTC')::date;
      seq := 0;
      prev := safegrid_audit_genesis(day);
    END IF;
    seq := seq + 1;
    r.chain_day := day;
    r.chain_seq := seq;
    r.prev_hash := prev;
    r.row_hash := sha256(prev || convert_to(safegrid_audit_canonical(r), 'UTF8'));
    UPDATE audit_event SET chain_day = r.chain_day, chain_seq = r.chain_seq, prev_hash = r.prev_hash,
                           row_hash = r.row_hash
      WHERE id = r.id;
    prev := r.row_hash;
  END LOOP;
END $$;
ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update;

ALTER TABLE audit_event
  ALTER COLUMN chain_day SET NOT NULL,
  ALTER COLUMN chain_seq SET NOT NULL,
  ALTER COLUMN prev_hash SET NOT NULL,
  ALTER COLUMN row_hash  SET NOT NULL;
CREATE UNIQUE INDEX audit_event_chain_idx ON audit_event (chain_day, chain_seq);

CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_event
  FOR EACH ROW EXECUTE FUNCTION safegrid_audit_chain();

-- The purge deletes whole days only (the cutoff rounded down to midnight UTC), so every remaining day
-- verifies from its first row; it keeps the whole day of the newest 'audit.tamper' row.
CREATE OR REPLACE FUNCTION safegrid_audit_purge(retention interval) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  keep       interval := greatest(retention, interval '365 days');
  cutoff_day date     := ((now() - greatest(retention, interval '365 days')) AT TIME ZONE 'UTC')::date;
  cutoff     timestamptz := cutoff_day::timestamp AT TIME ZONE 'UTC';
  n          bigint;
BEGIN
  PERFORM set_config('safegrid.audit_purge', 'on', true);
  DELETE FROM audit_event WHERE chain_day < cutoff_day AND at < cutoff
    AND chain_day IS DISTINCT FROM (SELECT chain_day FROM audit_event
                                    WHERE id = (SELECT max(id) FROM audit_event WHERE action = 'audit.tamper'));
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('safegrid.audit_purge', 'off', true);
  INSERT INTO audit_event (username, action, object_type, outcome, detail)
  VALUES ('system', 'audit.purge', 'audit_event', 'success',
          jsonb_build_object('deleted', n, 'cutoff', cutoff, 'retention', keep::text));
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION safegrid_audit_purge(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION safegrid_audit_purge(interval) TO safegrid_app;
