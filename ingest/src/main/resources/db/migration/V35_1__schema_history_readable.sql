-- The server and the ingest workers read the migration history (never write it) to refuse to start on a
-- schema that a newer release has migrated (SchemaGuard): they must know the newest version applied.
GRANT SELECT ON flyway_schema_history TO safegrid_app, safegrid_ingest;
