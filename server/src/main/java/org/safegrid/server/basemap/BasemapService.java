package org.safegrid.server.basemap;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.safegrid.gisdata.tilepackage.TilePackage;
import org.safegrid.gisdata.tilepackage.TilePackageException;
import org.safegrid.gisdata.tilepackage.TilePackageLimits;
import org.safegrid.gisdata.tilepackage.TilePackageReader;
import org.safegrid.gisdata.tilepackage.TileType;
import org.safegrid.server.audit.AuditLog;
import org.safegrid.server.upload.Actor;
import org.safegrid.server.upload.UploadProperties;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Uploads, lists, activates, deletes and serves base-map tile packages. An upload is received into a
 * temporary file in the store (capped and hashed while read), validated, then moved to its final name and
 * recorded with its audit record in one transaction; a refusal deletes the temporary file and is
 * audited as action {@code basemap.upload}, outcome failure. One upload is received at a time.
 */
@Service
public class BasemapService {

  /** Datums a package may be declared in; gcj02 is named so that it can be refused with its reason. */
  static final List<String> DATUMS = List.of("wgs84", "cgcs2000", "gcj02");

  /** A stored package as the API shows it. */
  public record Basemap(long id, String name, String format, String tileType, boolean vector, boolean gzipped,
                        double[] bounds, int minzoom, int maxzoom, String datum, String sha256, long sizeBytes,
                        String uploadedBy, Instant uploadedAt, boolean active, String tiles) {}

  /** One tile's bytes with what the answer needs: {@code etag} is the package's digest (or the reference layers' versions). */
  public record Tile(byte[] bytes, TileType type, boolean gzipped, String etag) {}

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final AuditLog audit;
  private final BasemapProperties properties;
  private final TilePackageReader reader;
  private final TilePackage.Bounds cityArea;
  private final Semaphore receiving = new Semaphore(1);
  private final Map<Long, Open> open = new ConcurrentHashMap<>();

  /** An open package and its digest, kept while it is stored. */
  private record Open(TilePackage tiles, String sha256) {}

  private final ReferenceBasemap reference;

  BasemapService(JdbcClient jdbc, TransactionTemplate tx, AuditLog audit, BasemapProperties properties,
      UploadProperties uploads, ReferenceBasemap reference) {
    this.reference = reference;
    this.jdbc = jdbc;
    this.tx = tx;
    this.audit = audit;
    this.properties = properties;
    this.reader = new TilePackageReader(new TilePackageLimits(properties.maxTiles(), properties.maxTileBytes(),
        64L << 20, 64));
    this.cityArea = new TilePackage.Bounds(uploads.minLon(), uploads.minLat(), uploads.maxLon(), uploads.maxLat());
  }

  /**
   * Receives, validates and stores a package. {@code declaredLength} is the body's Content-Length, or -1.
   * Throws {@link TilePackageException} or {@link BasemapRefusedException} with the reason when refused.
   */
  public Basemap upload(InputStream body, long declaredLength, String name, String datum, Actor actor) {
    String fileName = name == null || name.isBlank() ? "basemap" : name.strip();
    String d = datum == null ? "" : datum.strip().toLowerCase(Locale.ROOT);
    if (d.isEmpty()) {
      throw refuse(actor, fileName, null, new BasemapRefusedException(HttpStatus.BAD_REQUEST, "datum_required",
          "The datum is required: datum=wgs84 or cgcs2000 for packages in WGS84/CGCS2000 (Tianditu exports, "
              + "surveying bureaus); accepted values: " + String.join(", ", DATUMS) + ". Nothing was stored."));
    }
    if (!DATUMS.contains(d)) {
      throw refuse(actor, fileName, null, new BasemapRefusedException(HttpStatus.UNPROCESSABLE_ENTITY, "bad_parameter",
          "Unknown datum \"" + datum + "\"; accepted values: " + String.join(", ", DATUMS) + ". Nothing was stored."));
    }
    if (d.equals("gcj02")) {
      throw refuse(actor, fileName, null, new BasemapRefusedException(HttpStatus.UNPROCESSABLE_ENTITY,
          "gcj02_not_supported", "GCJ-02 tile packages are refused: their offset is drawn into every tile, and "
              + "SafeGrid does not warp base maps. Export the package in WGS84 or CGCS2000 (Tianditu exports are "
              + "CGCS2000), or serve GCJ-02 tiles from an intranet tile server with safegrid.map.base-tile-url and "
              + "safegrid.map.base-datum=gcj02, which shifts the overlays instead. Nothing was stored."));
    }
    if (declaredLength > properties.maxFileBytes()) {
      throw refuse(actor, fileName, null, TilePackageException.tooLarge("file_too_large", "The package is "
          + (declaredLength >> 20) + " MB, larger than the " + (properties.maxFileBytes() >> 20) + " MB limit "
          + "(safegrid.basemap.max-file-bytes); nothing was read."));
    }
    if (!receiving.tryAcquire()) {
      throw new BasemapRefusedException(HttpStatus.SERVICE_UNAVAILABLE, "uploads_busy",
          "Another base map is being received; try again when it is done.");
    }
    Path tmp = null;
    String sha256 = null;
    try {
      Files.createDirectories(properties.storageDir());
      tmp = Files.createTempFile(properties.storageDir(), "upload-", ".part");
      sha256 = copyCapped(body, tmp);
      String digest = sha256;
      Optional<Long> existing = jdbc.sql("SELECT id FROM basemap_package WHERE sha256 = ?").param(sha256)
          .query(Long.class).optional();
      if (existing.isPresent()) {
        throw new BasemapRefusedException(HttpStatus.CONFLICT, "already_uploaded", "This package is already stored as "
            + "base map " + existing.get() + ". Nothing was stored.");
      }
      TilePackage.Bounds bounds;
      TileType type;
      String format;
      boolean gzipped;
      int minZoom;
      int maxZoom;
      try (TilePackage p = reader.read(tmp, cityArea)) {
        bounds = p.bounds();
        type = p.tileType();
        format = p.format();
        gzipped = p.gzipped();
        minZoom = p.minZoom();
        maxZoom = p.maxZoom();
      }
      long size = Files.size(tmp);
      Path stored = properties.storageDir().resolve(sha256 + "." + format);
      Path received = tmp;
      Long id = tx.execute(s -> {
        Long newId = jdbc.sql("INSERT INTO basemap_package (name, format, tile_type, gzipped, west, south, east, north, "
                + "minzoom, maxzoom, datum, sha256, size_bytes, file_name, uploaded_by) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .params(fileName, format, type.apiName(), gzipped, bounds.west(), bounds.south(), bounds.east(),
                bounds.north(), minZoom, maxZoom, d, digest, size, stored.getFileName().toString(), actor.username())
            .query(Long.class).single();
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("name", fileName);
        detail.put("format", format);
        detail.put("tileType", type.apiName());
        detail.put("datum", d);
        detail.put("sha256", digest);
        detail.put("sizeBytes", size);
        audit.recordFrom(actor.username(), actor.sourceIp(), "basemap.upload", "basemap", newId.toString(),
            AuditLog.Outcome.SUCCESS, detail);
        try {
          // inside the transaction: a failed move rolls the row back
          Files.move(received, stored, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return newId;
      });
      tmp = null;
      return get(id);
    } catch (TilePackageException | BasemapRefusedException e) {
      throw refuse(actor, fileName, sha256, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      receiving.release();
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: a leftover .part file is removed at the next start (removeStalePartFiles)
        }
      }
    }
  }

  /** Deletes the temporary files of uploads a stopped server left behind; none is being received at start. */
  @jakarta.annotation.PostConstruct
  void removeStalePartFiles() {
    if (!Files.isDirectory(properties.storageDir())) {
      return;
    }
    try (var files = Files.newDirectoryStream(properties.storageDir(), "upload-*.part")) {
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean " + properties.storageDir(), e);
    }
  }

  private String copyCapped(InputStream body, Path tmp) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long max = properties.maxFileBytes();
    try (InputStream in = new DigestInputStream(body, md); OutputStream out = Files.newOutputStream(tmp)) {
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
        if (total > max) {
          throw TilePackageException.tooLarge("file_too_large", "The package is larger than " + (max >> 20)
              + " MB, the limit (safegrid.basemap.max-file-bytes); it was refused while being received.");
        }
        out.write(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private RuntimeException refuse(Actor actor, String fileName, String sha256, RuntimeException e) {
    String reason = e instanceof TilePackageException t ? t.reason() : ((BasemapRefusedException) e).reason();
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("name", fileName);
    detail.put("sha256", sha256);
    detail.put("result", "refused");
    detail.put("reason", reason);
    detail.put("message", e.getMessage());
    tx.executeWithoutResult(s -> audit.recordFrom(actor.username(), actor.sourceIp(), "basemap.upload", "basemap",
        null, AuditLog.Outcome.FAILURE, detail));
    return e;
  }

  /** The reference base map (id 0) first, active while no package is, then every uploaded package. */
  public List<Basemap> list() {
    List<Basemap> packages = jdbc.sql("SELECT * FROM basemap_package ORDER BY id").query((rs, n) -> row(rs)).list();
    List<Basemap> all = new java.util.ArrayList<>();
    all.add(referenceEntry(packages.stream().noneMatch(Basemap::active)));
    all.addAll(packages);
    return all;
  }

  private Basemap referenceEntry(boolean active) {
    return new Basemap(ReferenceBasemap.ID, "reference", "postgis", TileType.MVT.apiName(), true, false,
        new double[] {cityArea.west(), cityArea.south(), cityArea.east(), cityArea.north()}, 0,
        ReferenceBasemap.MAX_ZOOM, "wgs84", null, 0, null, null, active,
        "/api/basemaps/" + ReferenceBasemap.ID + "/{z}/{x}/{y}");
  }

  public Basemap get(long id) {
    if (id == ReferenceBasemap.ID) {
      return referenceEntry(jdbc.sql("SELECT count(*) FROM basemap_package WHERE active").query(Long.class).single() == 0);
    }
    return jdbc.sql("SELECT * FROM basemap_package WHERE id = ?").param(id).query((rs, n) -> row(rs)).optional()
        .orElseThrow(() -> new BasemapRefusedException(HttpStatus.NOT_FOUND, "not_found", "No base map " + id + "."));
  }

  /** Makes the package the base layer the map opens with (the previous one stops being active). */
  public Basemap activate(long id, Actor actor) {
    tx.executeWithoutResult(s -> {
      get(id);
      // activating the reference base map (id 0) switches every package off
      jdbc.sql("UPDATE basemap_package SET active = false WHERE active AND id <> ?").param(id).update();
      jdbc.sql("UPDATE basemap_package SET active = true WHERE id = ?").param(id).update();
      audit.recordFrom(actor.username(), actor.sourceIp(), "basemap.activate", "basemap", Long.toString(id),
          AuditLog.Outcome.SUCCESS, null);
    });
    return get(id);
  }

  /** Deletes the package's row and file. */
  public void delete(long id, Actor actor) {
    if (id == ReferenceBasemap.ID) {
      throw new BasemapRefusedException(HttpStatus.CONFLICT, "reference_not_deletable", "The reference base map is "
          + "made from the live layers and cannot be deleted; activate it to switch the uploaded packages off.");
    }
    Basemap b = get(id);
    String file = jdbc.sql("SELECT file_name FROM basemap_package WHERE id = ?").param(id).query(String.class).single();
    tx.executeWithoutResult(s -> {
      jdbc.sql("DELETE FROM basemap_package WHERE id = ?").param(id).update();
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("name", b.name());
      detail.put("sha256", b.sha256());
      audit.recordFrom(actor.username(), actor.sourceIp(), "basemap.delete", "basemap", Long.toString(id),
          AuditLog.Outcome.SUCCESS, detail);
    });
    Open o = open.remove(id);
    if (o != null) {
      o.tiles().close();
    }
    try {
      Files.deleteIfExists(properties.storageDir().resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The tile z/x/y of package {@code id} (XYZ scheme), or empty when the package has none there. */
  public Optional<Tile> findTile(long id, int z, int x, int y) {
    if (id == ReferenceBasemap.ID) {
      if (z > ReferenceBasemap.MAX_ZOOM) {
        return Optional.empty();
      }
      String version = reference.version();
      byte[] bytes = reference.tile(z, x, y, version);
      return bytes.length == 0 ? Optional.empty()
          : Optional.of(new Tile(bytes, TileType.MVT, false, Integer.toHexString(version.hashCode())));
    }
    Open o = open.computeIfAbsent(id, k -> {
      String[] row = jdbc.sql("SELECT file_name, sha256 FROM basemap_package WHERE id = ?").param(k)
          .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).optional()
          .orElseThrow(() -> new BasemapRefusedException(HttpStatus.NOT_FOUND, "not_found", "No base map " + k + "."));
      return new Open(reader.open(properties.storageDir().resolve(row[0])), row[1]);
    });
    TilePackage p = o.tiles();
    return p.findTile(z, x, y).map(bytes -> new Tile(bytes, p.tileType(), p.gzipped(), o.sha256()));
  }

  private static Basemap row(ResultSet rs) throws SQLException {
    long id = rs.getLong("id");
    TileType type = TileType.ofApiName(rs.getString("tile_type"));
    return new Basemap(id, rs.getString("name"), rs.getString("format"), type.apiName(), type.vector(),
        rs.getBoolean("gzipped"), new double[] {rs.getDouble("west"), rs.getDouble("south"), rs.getDouble("east"),
        rs.getDouble("north")}, rs.getInt("minzoom"), rs.getInt("maxzoom"), rs.getString("datum"),
        rs.getString("sha256"), rs.getLong("size_bytes"), rs.getString("uploaded_by"),
        rs.getTimestamp("uploaded_at").toInstant(), rs.getBoolean("active"),
        "/api/basemaps/" + id + "/{z}/{x}/{y}");
  }
}
