-- Login throttling with backoff instead of a lockout. After max-failed-logins failures in a row, an
-- account's next password check waits until login_backoff_until (the wait doubles with each further
-- failure, up to a cap). Unlike locked_until, the backoff does not end the account's open sessions:
-- an attacker guessing a duty officer's password must not throw the officer off the map.
ALTER TABLE app_user ADD COLUMN login_backoff_until timestamptz;
