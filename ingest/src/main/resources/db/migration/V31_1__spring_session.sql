-- Browser sessions in the database, so that every server replica serves every signed-in user (a
-- replica that stops or dies takes no sign-in with it). The tables are Spring Session JDBC's own
-- (its schema-postgresql.sql of 3.3; the names are what JdbcIndexedSessionRepository expects).
-- A row holds the session's times and the signed-in user's name (indexed: revocation finds all
-- sessions of a user on any replica); the attributes hold the serialised security context, the
-- expiry mark an admin or a password change sets, and the time of the last activity (idle lock).
CREATE TABLE spring_session (
  primary_id            char(36) NOT NULL,
  session_id            char(36) NOT NULL,
  creation_time         bigint NOT NULL,
  last_access_time      bigint NOT NULL,
  max_inactive_interval int NOT NULL,
  expiry_time           bigint NOT NULL,
  principal_name        varchar(100),
  CONSTRAINT spring_session_pk PRIMARY KEY (primary_id)
);

CREATE UNIQUE INDEX spring_session_ix1 ON spring_session (session_id);
CREATE INDEX spring_session_ix2 ON spring_session (expiry_time);
CREATE INDEX spring_session_ix3 ON spring_session (principal_name);

CREATE TABLE spring_session_attributes (
  session_primary_id char(36) NOT NULL,
  attribute_name     varchar(200) NOT NULL,
  attribute_bytes    bytea NOT NULL,
  CONSTRAINT spring_session_attributes_pk PRIMARY KEY (session_primary_id, attribute_name),
  CONSTRAINT spring_session_attributes_fk FOREIGN KEY (session_primary_id)
    REFERENCES spring_session (primary_id) ON DELETE CASCADE
);

-- the server reads and writes sessions; the ingest workers have no business with them
GRANT SELECT, INSERT, UPDATE, DELETE ON spring_session, spring_session_attributes TO safegrid_app;
