#!/bin/sh
# Runs once, when the PostGIS container initialises its data volume (docker-entrypoint-initdb.d), as
# the image's superuser. Creates SafeGrid's three roles (docs/security.md, Database roles):
#   safegrid         owns the database and schema, runs the migrations (the compose 'migrate' service)
#   safegrid_app     the server: no DDL, only SELECT and INSERT on the audit trail
#   safegrid_ingest  the ingest workers: insert-only on the event tables
# None is a superuser; the superuser's password is used by no SafeGrid process.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_pw="$SAFEGRID_DB_MIGRATOR_PASSWORD" -v app_pw="$SAFEGRID_DB_PASSWORD" \
  -v ingest_pw="$SAFEGRID_DB_INGEST_PASSWORD" <<'SQL'
CREATE ROLE safegrid LOGIN PASSWORD :'owner_pw';
CREATE ROLE safegrid_app LOGIN PASSWORD :'app_pw';
CREATE ROLE safegrid_ingest LOGIN PASSWORD :'ingest_pw';
CREATE DATABASE safegrid OWNER safegrid;
\connect safegrid
CREATE EXTENSION IF NOT EXISTS postgis;
ALTER SCHEMA public OWNER TO safegrid;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
