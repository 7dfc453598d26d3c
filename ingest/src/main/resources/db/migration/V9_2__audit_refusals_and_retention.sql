-- Audit trail: count refused tamper attempts, and a retention purge that can never reach a row
-- younger than 365 days (reliability check 36).

-- A refused UPDATE, DELETE or TRUNCATE rolls its transaction back, so a row written there would
-- vanish with it (PostgreSQL has no autonomous transactions). Sequence increments are not rolled
-- back: the trigger counts each refusal here, and the server turns new counts into 'audit.tamper'
-- rows of the trail (AuditTamperWatch).
CREATE SEQUENCE audit_refused_update_seq;
CREATE SEQUENCE audit_refused_delete_seq;
CREATE SEQUENCE audit_refused_truncate_seq;

-- Replaces V1's trigger function. SECURITY DEFINER so that any role can bump the counters without
-- holding privileges on the sequences. The only DELETE let through is the purge's (flag set by
-- safegrid_audit_purge, transaction-local) and only for rows older than 365 days, whoever asks.
CREATE OR REPLACE FUNCTION safegrid_audit_append_only() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF current_setting('safegrid.audit_purge', true) = 'on' THEN
      IF OLD.at < now() - interval '365 days' THEN
        RETURN OLD;
      END IF;
    END IF;
    PERFORM nextval('audit_refused_delete_seq');
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM nextval('audit_refused_update_seq');
  ELSE
    PERFORM nextval('audit_refused_truncate_seq');
  END IF;
  RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

-- How many refusals each kind of statement has had so far (read by the server; nextval above is
-- the only writer).
CREATE OR REPLACE FUNCTION safegrid_audit_refusals(OUT updates bigint, OUT deletes bigint, OUT truncates bigint)
LANGUAGE sql SECURITY DEFINER SET search_path FROM CURRENT AS $$
  SELECT (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM audit_refused_update_seq),
         (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM audit_refused_delete_seq),
         (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM audit_refused_truncate_seq)
$$;

-- The retention purge: deletes rows older than max(retention, 365 days) and records itself in the
-- same transaction. Keeps the newest 'audit.tamper' row whatever its age: it holds the refusal
-- counts already reported. Runs as the owner of the function (the migrating role, owner of
-- audit_event), so the application role needs only EXECUTE, never DELETE.
CREATE OR REPLACE FUNCTION safegrid_audit_purge(retention interval) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  keep   interval    := greatest(retention, interval '365 days');
  cutoff timestamptz := now() - greatest(retention, interval '365 days');
  n      bigint;
BEGIN
  PERFORM set_config('safegrid.audit_purge', 'on', true);
  DELETE FROM audit_event WHERE at < cutoff
    AND id IS DISTINCT FROM (SELECT max(id) FROM audit_event WHERE action = 'audit.tamper');
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('safegrid.audit_purge', 'off', true);
  INSERT INTO audit_event (username, action, object_type, outcome, detail)
  VALUES ('system', 'audit.purge', 'audit_event', 'success',
          jsonb_build_object('deleted', n, 'cutoff', cutoff, 'retention', keep::text));
  RETURN n;
END $$;

-- Only the owner (and whom it grants) may purge: GRANT EXECUTE ON FUNCTION
-- safegrid_audit_purge(interval) TO <application role> when the application has its own role.
REVOKE ALL ON FUNCTION safegrid_audit_purge(interval) FROM PUBLIC;

CREATE INDEX audit_event_tamper_idx ON audit_event (id) WHERE action = 'audit.tamper';
