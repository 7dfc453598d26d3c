-- Accounts and audit (security feature).

-- Optional TOTP second factor (RFC 6238). The secret is pending until confirmed with a valid code;
-- totp_last_step refuses a code's reuse within its window.
ALTER TABLE app_user
  ADD COLUMN totp_secret    text,
  ADD COLUMN totp_enabled   boolean NOT NULL DEFAULT false,
  ADD COLUMN totp_last_step bigint;

-- Audit rows are never changed: besides the trigger of V1 (which binds every non-superuser,
-- owner included), take the privileges away from everyone who is not the owner. When the
-- application connects as a role that does not own the table, it can only INSERT and SELECT.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM PUBLIC;
DO $$
BEGIN
  IF (SELECT tableowner FROM pg_tables WHERE tablename = 'audit_event' AND schemaname = current_schema())
      <> current_user THEN
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM %I', current_user);
  END IF;
END $$;

-- The auditor's filters: by user or action over a time range.
CREATE INDEX audit_event_username_at_idx ON audit_event (username, at);
CREATE INDEX audit_event_action_at_idx ON audit_event (action, at);
