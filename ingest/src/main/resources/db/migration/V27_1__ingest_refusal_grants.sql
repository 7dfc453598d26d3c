-- The refusal keys (V19_1) are written, read and forgotten by the ingest workers, which connect as
-- the insert-only role of V20_1: they record each refused message once and delete old keys.
GRANT SELECT, INSERT, DELETE ON ingest_refusal TO safegrid_ingest;
