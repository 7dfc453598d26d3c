-- Towns as an uploadable boundary layer (issue 15): town polygons with their code, name and district,
-- versioned and activated like districts; a grid cell's town is located in the live towns layer.
ALTER TABLE overlay_layer DROP CONSTRAINT overlay_layer_layer_check;
ALTER TABLE overlay_layer ADD CONSTRAINT overlay_layer_layer_check
  CHECK (layer IN ('districts', 'towns', 'coastline', 'coastal_zone', 'land', 'campuses', 'checkpoints', 'cameras'));
ALTER TABLE overlay_draft DROP CONSTRAINT overlay_draft_layer_check;
ALTER TABLE overlay_draft ADD CONSTRAINT overlay_draft_layer_check
  CHECK (layer IN ('districts', 'towns', 'coastline', 'campuses', 'checkpoints', 'cameras'));

-- An open incident keeps the cell code it was opened with (incident.cell_code) and gains the code of
-- each grid set activated while it is open, as alerts do (alert_cell).
CREATE TABLE incident_cell (
  incident_id  bigint NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
  grid_set_id  bigint NOT NULL REFERENCES grid_set (id) ON DELETE CASCADE,
  cell_code    text   NOT NULL,
  PRIMARY KEY (incident_id, grid_set_id)
);
CREATE INDEX incident_cell_grid_set_idx ON incident_cell (grid_set_id, cell_code);

-- Four-eyes activation (issue 18): a districts layer or a grid set that moves a district's area by
-- more than the tolerance is activated only when a second GIS administrator approves the request.
CREATE TABLE activation_request (
  id            bigserial   PRIMARY KEY,
  target_kind   text        NOT NULL CHECK (target_kind IN ('grid-set', 'overlay')),
  target_id     bigint      NOT NULL,
  status        text        NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'rejected', 'superseded')),
  reason        text        NOT NULL,
  diff          jsonb       NOT NULL,
  requested_by  text        NOT NULL,
  requested_at  timestamptz NOT NULL DEFAULT now(),
  decided_by    text,
  decided_at    timestamptz,
  CHECK (decided_by IS NULL OR decided_by <> requested_by)
);
CREATE UNIQUE INDEX activation_request_one_pending ON activation_request (target_kind, target_id)
  WHERE status = 'pending';
