-- The device registry (issue 18): which sourceIds and patrol unitIds each integrator principal (a
-- Kafka SCRAM user writing its own topics safegrid.events.<source>.<principal>) may speak for. The
-- ingest workers refuse any other event from it to the dead-letter topic as 'unauthorised_source'.
-- The built-in source principals (src-<source>, the simulator) write the base topics and need no row.
-- Kept by administrators through /api/source-bindings (audited); the server's role has the default
-- grants of V20_1, the workers only read it.
CREATE TABLE source_binding (
  id          bigserial   PRIMARY KEY,
  principal   text        NOT NULL CHECK (principal ~ '^[A-Za-z0-9_-]{1,64}$'),
  source      text        NOT NULL CHECK (source IN ('camera', 'checkpoint', 'patrol', 'incident')),
  -- source_id: that sourceId exactly; source_id_prefix: every sourceId starting with value;
  -- unit_id: that patrol unitId (a patrol event needs its sourceId and its unitId bound)
  kind        text        NOT NULL CHECK (kind IN ('source_id', 'source_id_prefix', 'unit_id')),
  value       text        NOT NULL CHECK (length(value) BETWEEN 1 AND 128),
  note        text        CHECK (length(note) <= 500),
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text        NOT NULL,
  CHECK (kind <> 'unit_id' OR source = 'patrol'),
  UNIQUE (principal, source, kind, value)
);

GRANT SELECT ON source_binding TO safegrid_ingest;
