-- Sessions that end when their rights change. Every change to what an account may do or how it signs
-- in (roles, district scope, enabled, password, second factor, idle lock) bumps its authorization
-- version; a session carries the version it signed in with and ends on any request that finds another.
-- Triggers, not application code, so a change made by another replica, a script or an operator at the
-- SQL prompt bumps it too.
ALTER TABLE app_user ADD COLUMN auth_version bigint NOT NULL DEFAULT 1;
-- false: the account's sessions are not ended by the idle lock (an unattended wall screen); set by an admin, audited
ALTER TABLE app_user ADD COLUMN idle_lock boolean NOT NULL DEFAULT true;

CREATE FUNCTION safegrid_bump_auth_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.password_hash IS DISTINCT FROM OLD.password_hash OR NEW.enabled IS DISTINCT FROM OLD.enabled
     OR NEW.district_code IS DISTINCT FROM OLD.district_code OR NEW.totp_enabled IS DISTINCT FROM OLD.totp_enabled
     OR NEW.idle_lock IS DISTINCT FROM OLD.idle_lock THEN
    NEW.auth_version := OLD.auth_version + 1;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER app_user_auth_version BEFORE UPDATE ON app_user
  FOR EACH ROW EXECUTE FUNCTION safegrid_bump_auth_version();

CREATE FUNCTION safegrid_bump_auth_version_roles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE app_user SET auth_version = auth_version + 1
  WHERE username = CASE WHEN TG_OP = 'DELETE' THEN OLD.username ELSE NEW.username END;
  RETURN NULL;
END $$;
CREATE TRIGGER app_user_role_auth_version AFTER INSERT OR UPDATE OR DELETE ON app_user_role
  FOR EACH ROW EXECUTE FUNCTION safegrid_bump_auth_version_roles();
