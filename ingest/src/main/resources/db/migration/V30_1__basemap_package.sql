-- Base-map tile packages (issue 20): MBTiles or PMTiles files a GIS administrator uploads, kept as files
-- under the server's basemap storage directory (file_name) and served from this server's origin. At most
-- one package is the active base layer the map opens with.
CREATE TABLE basemap_package (
  id           bigserial   PRIMARY KEY,
  name         text        NOT NULL,
  format       text        NOT NULL CHECK (format IN ('mbtiles', 'pmtiles')),
  tile_type    text        NOT NULL CHECK (tile_type IN ('png', 'jpeg', 'webp', 'mvt')),
  gzipped      boolean     NOT NULL,
  west         double precision NOT NULL,
  south        double precision NOT NULL,
  east         double precision NOT NULL,
  north        double precision NOT NULL,
  minzoom      int         NOT NULL CHECK (minzoom BETWEEN 0 AND 30),
  maxzoom      int         NOT NULL CHECK (maxzoom BETWEEN minzoom AND 30),
  datum        text        NOT NULL CHECK (datum IN ('wgs84', 'cgcs2000')),
  sha256       text        NOT NULL UNIQUE,
  size_bytes   bigint      NOT NULL,
  file_name    text        NOT NULL,
  uploaded_by  text        NOT NULL,
  uploaded_at  timestamptz NOT NULL DEFAULT now(),
  active       boolean     NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX basemap_package_one_active ON basemap_package (active) WHERE active;

-- the server uploads, activates and deletes packages; workers never touch them
GRANT SELECT, INSERT, UPDATE, DELETE ON basemap_package TO safegrid_app;
GRANT USAGE, SELECT ON SEQUENCE basemap_package_id_seq TO safegrid_app;
