-- The live engine and the event tail read "events received after a watermark" every second;
-- without this index each poll scans every partition of the live windows.
CREATE INDEX IF NOT EXISTS event_received_at_idx ON event (received_at);
