-- Least-privilege database roles (docs/security.md, "Database roles").
--
-- The role that runs these migrations owns every table and function: it is the only one that may
-- change the schema, and it never serves requests. Two roles are granted what they need and no more:
--   safegrid_app     the server: reads and writes the tables, only SELECT and INSERT on audit_event,
--                    EXECUTE on the functions (the audit purge, the partition functions); no DDL
--   safegrid_ingest  ingest workers: SELECT and INSERT on the event tables, UPDATE only where they
--                    upsert counters and positions; no DELETE anywhere, no DDL
-- Deployments give their login roles these rights by making them (or making them members of) these
-- roles. The roles are created here, without LOGIN, when they are missing and the migrating role may
-- create roles; otherwise the migration stops and says what to run.
-- Functions below that run as their owner resolve names in this schema only, with the caller's
-- temporary schema last (a caller's temporary table must never stand in for one of ours).
SELECT set_config('search_path', format('%I, pg_temp', current_schema()), true);

DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['safegrid_app', 'safegrid_ingest'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', r);
      EXCEPTION
        WHEN duplicate_object THEN
          NULL; -- created by a concurrent migration of another database of the cluster
        WHEN insufficient_privilege THEN
          RAISE EXCEPTION 'database role % is missing and the migrating role % may not create it', r, current_user
            USING HINT = format('As a superuser run: CREATE ROLE %I LOGIN PASSWORD ''...''; then migrate again '
                                || '(docs/security.md, Database roles)', r);
      END;
    END IF;
  END LOOP;
END $$;

DO $$
DECLARE
  s   text := current_schema();
  rel record;
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO safegrid_app, safegrid_ingest', s);
  -- temporary staging tables of the ingest writer (PUBLIC has this by default; say it explicitly)
  BEGIN
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO safegrid_app, safegrid_ingest', current_database());
  EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'cannot grant TEMPORARY on the database; it relies on the default grant to PUBLIC';
  END;
  -- every table and view of the migrating role (PostGIS's own tables belong to the superuser)
  FOR rel IN SELECT c.relname FROM pg_class c
             WHERE c.relnamespace = s::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
               AND pg_has_role(c.relowner, 'USAGE') LOOP
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO safegrid_app', rel.relname);
  END LOOP;
  FOR rel IN SELECT c.relname FROM pg_class c
             WHERE c.relnamespace = s::regnamespace AND c.relkind = 'S'
               AND c.relname NOT LIKE 'audit\_refused\_%' AND pg_has_role(c.relowner, 'USAGE') LOOP
    EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %I TO safegrid_app', rel.relname);
  END LOOP;
  FOR rel IN SELECT p.oid::regprocedure AS fn FROM pg_proc p
             WHERE p.pronamespace = s::regnamespace AND pg_has_role(p.proowner, 'USAGE') LOOP
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO safegrid_app', rel.fn);
  END LOOP;
END $$;

-- The audit trail: the server appends and reads, nothing else (the purge runs as this role through
-- safegrid_audit_purge; the tamper counters are bumped by the trigger's SECURITY DEFINER function).
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_event FROM safegrid_app, safegrid_ingest;
GRANT SELECT, INSERT ON audit_event TO safegrid_app;

-- Ingest workers: the event tables, insert and read; upserts of counters and positions update.
GRANT SELECT, INSERT ON event, event_key, event_count, patrol_position, ingest_refusal_count,
  ingest_integrity_alarm TO safegrid_ingest;
GRANT UPDATE ON event_count, patrol_position, ingest_refusal_count TO safegrid_ingest;
DO $$
DECLARE
  seq record;
BEGIN
  -- the sequences behind their serial columns
  FOR seq IN SELECT DISTINCT d.objid::regclass AS s FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
             WHERE c.relkind = 'S' AND d.deptype IN ('a', 'i') AND d.refobjid IN (
               'event'::regclass, 'event_key'::regclass, 'event_count'::regclass, 'patrol_position'::regclass,
               'ingest_refusal_count'::regclass, 'ingest_integrity_alarm'::regclass) LOOP
    EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO safegrid_ingest', seq.s);
  END LOOP;
END $$;

-- Run-time DDL. The server and the workers create event partitions as events of a new day arrive;
-- creating a partition needs ownership of the event table, so the function runs as its owner (this
-- role) and the callers need only EXECUTE. Partitions it creates belong to this role and get the
-- default privileges below.
ALTER FUNCTION safegrid_ensure_event_partitions(date, date) SECURITY DEFINER SET search_path FROM CURRENT;
REVOKE ALL ON FUNCTION safegrid_ensure_event_partitions(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION safegrid_ensure_event_partitions(date, date) TO safegrid_app, safegrid_ingest;
GRANT EXECUTE ON FUNCTION safegrid_audit_purge(interval) TO safegrid_app;
ALTER FUNCTION safegrid_audit_append_only() SET search_path FROM CURRENT;
ALTER FUNCTION safegrid_audit_refusals() SET search_path FROM CURRENT;
ALTER FUNCTION safegrid_audit_purge(interval) SET search_path FROM CURRENT;

-- Tables, sequences and functions that later migrations create (as this role) are the server's to use
-- the same way; a later table that must be append-only revokes UPDATE and DELETE as audit_event does.
DO $$
BEGIN
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO safegrid_app',
                 current_schema());
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO safegrid_app', current_schema());
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT EXECUTE ON FUNCTIONS TO safegrid_app', current_schema());
END $$;
