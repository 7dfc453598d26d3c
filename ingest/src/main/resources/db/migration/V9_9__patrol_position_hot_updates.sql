-- patrol_position is rewritten on every position ping (one row per unit, a few thousand rows for a
-- province). Its GiST index made each of those updates insert a new index entry; a table this small
-- is read faster by a sequential scan than through the index. Without an index on a changing
-- column, and with free room on each page, PostgreSQL updates the rows in place (HOT updates).
DROP INDEX IF EXISTS patrol_position_geom_idx;
ALTER TABLE patrol_position SET (fillfactor = 50);
