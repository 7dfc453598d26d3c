-- Subdivided companions of the polygon geometries (reliability check 23): each grid cell and each
-- polygonal overlay feature is also stored as ST_Subdivide pieces of at most 256 vertices, with a
-- GiST index. A point tested against a 200k-vertex coastline district then meets a few small
-- pieces found by the index instead of the whole ring. The pieces are written by triggers in the
-- statement (so the transaction) that writes their parent, whoever writes it (uploads, the
-- reference loader, activations that derive the coastal zone), and go with it (ON DELETE CASCADE).
-- Points and lines have no pieces: only polygons are tested for containment.

-- The pieces of the polygonal part of g (empty for points and lines).
CREATE FUNCTION safegrid_polygon_parts(g geometry) RETURNS SETOF geometry
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT d.geom
  FROM ST_Subdivide(ST_CollectionExtract(g, 3), 256) AS s(piece), ST_Dump(s.piece) AS d
  WHERE GeometryType(d.geom) = 'POLYGON' AND NOT ST_IsEmpty(d.geom)
$$;

CREATE TABLE grid_cell_part (
  grid_set_id  bigint   NOT NULL,
  cell_id      integer  NOT NULL,
  geom         geometry(Polygon, 4326) NOT NULL,
  FOREIGN KEY (grid_set_id, cell_id) REFERENCES grid_cell (grid_set_id, cell_id)
    ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX grid_cell_part_cell_idx ON grid_cell_part (grid_set_id, cell_id);
CREATE INDEX grid_cell_part_geom_idx ON grid_cell_part USING gist (geom);

-- layer, version and code are copied from the feature so that a lookup filters on them without
-- reading the (possibly huge) feature row; the trigger keeps them in step. Deliberately no b-tree on
-- them: all pieces of one district share its code, and a planner that took such an index would test
-- a point against every piece instead of the few the GiST index finds.
CREATE TABLE overlay_feature_part (
  feature_id  bigint   NOT NULL REFERENCES overlay_feature (id) ON DELETE CASCADE,
  layer       text     NOT NULL,
  version     integer  NOT NULL,
  code        text,
  geom        geometry(Polygon, 4326) NOT NULL
);
CREATE INDEX overlay_feature_part_feature_idx ON overlay_feature_part (feature_id);
CREATE INDEX overlay_feature_part_geom_idx ON overlay_feature_part USING gist (geom);

CREATE FUNCTION safegrid_grid_cell_parts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM grid_cell_part WHERE grid_set_id = NEW.grid_set_id AND cell_id = NEW.cell_id;
  END IF;
  INSERT INTO grid_cell_part (grid_set_id, cell_id, geom)
  SELECT NEW.grid_set_id, NEW.cell_id, p FROM safegrid_polygon_parts(NEW.geom) AS p;
  RETURN NULL;
END $$;

CREATE TRIGGER grid_cell_parts_insert AFTER INSERT ON grid_cell
  FOR EACH ROW EXECUTE FUNCTION safegrid_grid_cell_parts();
CREATE TRIGGER grid_cell_parts_update AFTER UPDATE OF geom ON grid_cell
  FOR EACH ROW EXECUTE FUNCTION safegrid_grid_cell_parts();

CREATE FUNCTION safegrid_overlay_feature_parts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM overlay_feature_part WHERE feature_id = NEW.id;
  END IF;
  IF ST_Dimension(NEW.geom) = 2 THEN
    INSERT INTO overlay_feature_part (feature_id, layer, version, code, geom)
    SELECT NEW.id, NEW.layer, NEW.version, NEW.code, p FROM safegrid_polygon_parts(NEW.geom) AS p;
  END IF;
  RETURN NULL;
END $$;

-- the WHEN spares point layers (cameras, checkpoints: thousands of rows) the function call
CREATE TRIGGER overlay_feature_parts_insert AFTER INSERT ON overlay_feature
  FOR EACH ROW WHEN (ST_Dimension(NEW.geom) = 2) EXECUTE FUNCTION safegrid_overlay_feature_parts();
CREATE TRIGGER overlay_feature_parts_update AFTER UPDATE OF layer, version, code, geom ON overlay_feature
  FOR EACH ROW EXECUTE FUNCTION safegrid_overlay_feature_parts();

-- rows stored before this migration
INSERT INTO grid_cell_part (grid_set_id, cell_id, geom)
SELECT c.grid_set_id, c.cell_id, p FROM grid_cell c, safegrid_polygon_parts(c.geom) AS p;
INSERT INTO overlay_feature_part (feature_id, layer, version, code, geom)
SELECT f.id, f.layer, f.version, f.code, p FROM overlay_feature f, safegrid_polygon_parts(f.geom) AS p
WHERE ST_Dimension(f.geom) = 2;
