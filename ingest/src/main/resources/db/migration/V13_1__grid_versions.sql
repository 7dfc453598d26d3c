-- Grid versions (issue 15): a cell keeps every attribute of the uploaded file, a grid set remembers
-- the coordinate system it came in (for exports in that system), and an open alert gains the cell
-- code of each grid set activated while it is open (its own cell_code stays as raised).

ALTER TABLE grid_cell ADD COLUMN props jsonb NOT NULL DEFAULT '{}'::jsonb;

ALTER TABLE grid_set ADD COLUMN source_epsg integer;

CREATE TABLE alert_cell (
  alert_id     bigint NOT NULL REFERENCES alert (id) ON DELETE CASCADE,
  grid_set_id  bigint NOT NULL REFERENCES grid_set (id) ON DELETE CASCADE,
  cell_code    text   NOT NULL,
  PRIMARY KEY (alert_id, grid_set_id)
);
CREATE INDEX alert_cell_grid_set_idx ON alert_cell (grid_set_id, cell_code);
