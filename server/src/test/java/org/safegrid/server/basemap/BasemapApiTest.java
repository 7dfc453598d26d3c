package org.safegrid.server.basemap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safegrid.gisdata.testing.TilePackageFixtures;
import org.safegrid.gisdata.testing.TilePackageFixtures.PmTilesWriter;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.UserAccountService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base-map packages through HTTP into a real PostGIS and the file store: GDAL-made MBTiles (raster and
 * vector) and PMTiles written by the test writer, served back tile by tile; every refusal stores nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "safegrid.ingest.enabled=false", "safegrid.reference.load=false", "safegrid.security.admin-password=test-admin-pw",
    "safegrid.basemap.max-file-bytes=8000000"})
class BasemapApiTest {

  static final Path STORE;

  static {
    try {
      STORE = Files.createTempDirectory("basemap-store");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, BasemapApiTest.class);
    registry.add("safegrid.basemap.storage-dir", STORE::toString);
  }

  @Autowired
  JdbcTemplate jdbc;
  @Autowired
  UserAccountService accounts;
  @LocalServerPort
  int port;
  @TempDir
  Path tmp;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private static boolean users;

  @BeforeEach
  void setUp() {
    if (!users) {
      accounts.createUser("gis", "gis-pw", List.of(Role.GIS_ADMIN));
      accounts.createUser("viewer", "viewer-pw", List.of(Role.VIEWER));
      users = true;
    }
    jdbc.update("DELETE FROM basemap_package");
    try (var files = Files.list(STORE)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void gdalRasterMbtilesRoundTripsWithTheTmsRowFlippedAndImmutableCaching() throws Exception {
    Path file = TilePackageFixtures.rasterMbtiles(tmp, 114.3, 23.0, 114.5, 23.2, 23.1);
    HttpResponse<String> up = upload("gis:gis-pw", Files.readAllBytes(file), "name=huizhou-raster.mbtiles&datum=cgcs2000");
    JsonNode b = body(up, 201);
    assertThat(b.path("format").asText()).isEqualTo("mbtiles");
    assertThat(b.path("tileType").asText()).isEqualTo("png");
    assertThat(b.path("datum").asText()).isEqualTo("cgcs2000");
    assertThat(b.path("uploadedBy").asText()).isEqualTo("gis");
    long id = b.path("id").asLong();
    assertThat(STORE.resolve(b.path("sha256").asText() + ".mbtiles")).exists();
    assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE action = 'basemap.upload' "
        + "AND outcome = 'success' AND object_id = ?", Integer.class, Long.toString(id))).isEqualTo(1);

    // the stored tile at its TMS row must answer at the XYZ row n - 1 - row
    int[] tms = firstTile(file);
    int z = tms[0];
    int y = (1 << z) - 1 - tms[2];
    HttpResponse<byte[]> tile = get("viewer:viewer-pw", "/api/basemaps/" + id + "/" + z + "/" + tms[1] + "/" + y);
    assertThat(tile.statusCode()).isEqualTo(200);
    assertThat(tile.headers().firstValue("Content-Type")).hasValue("image/png");
    assertThat(tile.body()).isEqualTo(tileBytes(file, tms));
    assertThat(tile.headers().firstValue("Cache-Control").orElse("")).contains("immutable", "max-age=31536000");
    String etag = tile.headers().firstValue("ETag").orElseThrow();
    assertThat(etag).contains(b.path("sha256").asText());
    HttpResponse<byte[]> again = http.send(request("viewer:viewer-pw", "/api/basemaps/" + id + "/" + z + "/" + tms[1]
        + "/" + y).header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(again.statusCode()).isEqualTo(304);
    if (tms[2] != y) {
      assertThat(get("viewer:viewer-pw", "/api/basemaps/" + id + "/" + z + "/" + tms[1] + "/" + tms[2]).statusCode())
          .as("the unflipped row holds no tile").isEqualTo(204);
    }
    assertThat(get("viewer:viewer-pw", "/api/basemaps/" + (id + 1000) + "/" + z + "/" + tms[1] + "/" + y).statusCode())
        .isEqualTo(404);

    JsonNode list = json.readTree(get("viewer:viewer-pw", "/api/basemaps").body());
    assertThat(list).hasSize(2);
    assertThat(list.get(0).path("id").asLong()).as("the reference base map first").isZero();
    assertThat(list.get(0).path("active").asBoolean()).as("active while no package is").isTrue();
    assertThat(list.get(1).path("tiles").asText()).isEqualTo("/api/basemaps/" + id + "/{z}/{x}/{y}");
    assertThat(list.get(1).path("active").asBoolean()).isFalse();
    assertThat(send("viewer:viewer-pw", "POST", "/api/basemaps/" + id + "/activate").statusCode()).isEqualTo(403);
    assertThat(body(send("gis:gis-pw", "POST", "/api/basemaps/" + id + "/activate"), 200).path("active").asBoolean())
        .isTrue();
    assertThat(json.readTree(get("viewer:viewer-pw", "/api/basemaps").body()).get(0).path("active").asBoolean())
        .as("the reference base map steps back").isFalse();
    assertThat(send("gis:gis-pw", "DELETE", "/api/basemaps/0").statusCode()).isEqualTo(409);
    assertThat(send("gis:gis-pw", "DELETE", "/api/basemaps/" + id).statusCode()).isEqualTo(204);
    assertThat(STORE.resolve(b.path("sha256").asText() + ".mbtiles")).doesNotExist();
    assertThat(get("viewer:viewer-pw", "/api/basemaps/" + id + "/" + z + "/" + tms[1] + "/" + y).statusCode())
        .isEqualTo(404);
  }

  @Test
  void gdalVectorMbtilesIsServedGzippedWithContentEncoding() throws Exception {
    Path file = TilePackageFixtures.vectorMbtiles(tmp, TilePackageFixtures.lineGeoJson(114.3, 23.1, 114.5, 23.1), 8, 12);
    JsonNode b = body(upload("gis:gis-pw", Files.readAllBytes(file), "datum=wgs84"), 201);
    assertThat(b.path("tileType").asText()).isEqualTo("mvt");
    assertThat(b.path("vector").asBoolean()).isTrue();
    int[] tms = firstTile(file);
    HttpResponse<byte[]> tile = get("viewer:viewer-pw", "/api/basemaps/" + b.path("id").asLong() + "/" + tms[0] + "/"
        + tms[1] + "/" + ((1 << tms[0]) - 1 - tms[2]));
    assertThat(tile.statusCode()).isEqualTo(200);
    assertThat(tile.headers().firstValue("Content-Type")).hasValue("application/vnd.mapbox-vector-tile");
    assertThat(tile.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(tile.body()).isEqualTo(tileBytes(file, tms));
  }

  @Test
  void pmtilesOfGdalRenderedTilesServesTheSameBytes() throws Exception {
    Path mbtiles = TilePackageFixtures.rasterMbtiles(tmp, 114.3, 23.0, 114.5, 23.2, 23.1);
    PmTilesWriter w = new PmTilesWriter();
    w.west = 114.3;
    w.south = 23.0;
    w.east = 114.5;
    w.north = 23.2;
    int z = -1;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + mbtiles); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")) {
      while (rs.next()) {
        z = rs.getInt(1);
        w.tile(z, rs.getInt(2), (1 << z) - 1 - rs.getInt(3), rs.getBytes(4));
      }
    }
    w.minZoom = z;
    w.maxZoom = z;
    JsonNode b = body(upload("gis:gis-pw", w.write(), "name=raster.pmtiles&datum=wgs84"), 201);
    assertThat(b.path("format").asText()).isEqualTo("pmtiles");
    int[] tms = firstTile(mbtiles);
    HttpResponse<byte[]> tile = get("viewer:viewer-pw", "/api/basemaps/" + b.path("id").asLong() + "/" + tms[0] + "/"
        + tms[1] + "/" + ((1 << tms[0]) - 1 - tms[2]));
    assertThat(tile.statusCode()).isEqualTo(200);
    assertThat(tile.body()).isEqualTo(tileBytes(mbtiles, tms));
  }

  @Test
  void theReferenceBaseMapIsMadeFromTheLiveLayersWithTownNamesAsLabels() throws Exception {
    jdbc.update("INSERT INTO overlay_layer (layer, version, source, licence) VALUES ('land', 1, 'test', 'test'), "
        + "('towns', 1, 'test', 'test') ON CONFLICT (layer) DO UPDATE SET version = 1");
    jdbc.update("DELETE FROM overlay_feature WHERE layer IN ('land', 'towns')");
    jdbc.update("INSERT INTO overlay_feature (layer, version, code, name, geom) VALUES "
        + "('land', 1, 'L1', null, ST_GeomFromText('POLYGON((114.3 23.0, 114.5 23.0, 114.5 23.2, 114.3 23.2, 114.3 23.0))', 4326)), "
        + "('towns', 1, '441302001', '桥东街道', ST_GeomFromText('POLYGON((114.38 23.08, 114.42 23.08, 114.42 23.12, 114.38 23.12, 114.38 23.08))', 4326))");
    int z = 12;
    int x = (int) Math.floor((114.4 + 180) / 360 * (1 << z));
    double r = Math.toRadians(23.1);
    int y = (int) Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * (1 << z));
    HttpResponse<byte[]> tile = get("viewer:viewer-pw", "/api/basemaps/0/" + z + "/" + x + "/" + y);
    assertThat(tile.statusCode()).isEqualTo(200);
    assertThat(tile.headers().firstValue("Content-Type")).hasValue("application/vnd.mapbox-vector-tile");
    assertThat(tile.headers().firstValue("Cache-Control").orElse("")).doesNotContain("immutable");
    String text = new String(tile.body(), StandardCharsets.UTF_8);
    assertThat(text).contains("earth", "places", "boundaries", "桥东街道");
    // far out at sea (and outside the land layer) the tile is empty: 204
    assertThat(get("viewer:viewer-pw", "/api/basemaps/0/" + z + "/0/0").statusCode()).isEqualTo(204);
    // a new land version is a new tile (the cache is keyed by the live versions)
    String etag = tile.headers().firstValue("ETag").orElseThrow();
    jdbc.update("UPDATE overlay_layer SET version = 2 WHERE layer = 'land'");
    jdbc.update("UPDATE overlay_feature SET version = 2 WHERE layer = 'land'");
    HttpResponse<byte[]> after = get("viewer:viewer-pw", "/api/basemaps/0/" + z + "/" + x + "/" + y);
    assertThat(after.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);
  }

  @Test
  void everyRefusedPackageStoresNothingAndIsAuditedWithItsReason() throws Exception {
    Path raster = TilePackageFixtures.rasterMbtiles(tmp, 114.3, 23.0, 114.5, 23.2, 23.1);
    byte[] good = Files.readAllBytes(raster);
    Path view = tmp.resolve("view.mbtiles");
    sql(view, "CREATE TABLE metadata (name TEXT, value TEXT)", "INSERT INTO metadata VALUES ('format','png')",
        "CREATE TABLE t (a INT)", "CREATE VIEW tiles AS SELECT a AS zoom_level, a AS tile_column, a AS tile_row, "
            + "a AS tile_data FROM t");
    Path outside = Files.copy(raster, tmp.resolve("outside.mbtiles"));
    sql(outside, "UPDATE metadata SET value = '114.3,23.0,114.32,23.02' WHERE name = 'bounds'");
    Path beijing = TilePackageFixtures.rasterMbtiles(Files.createDirectories(tmp.resolve("bj")), 116.3, 39.8, 116.5, 40.0,
        39.9);
    PmTilesWriter lying = new PmTilesWriter();
    lying.west = 114.3;
    lying.south = 23.0;
    lying.east = 114.5;
    lying.north = 23.2;
    lying.minZoom = 11;
    lying.maxZoom = 11;
    byte[] pm = lying.tile(11, 1674, 888, TilePackageFixtures.pngStub()).write();
    pm[64] = (byte) 0xFF; // the tile data length now runs past the end of the file

    int audits = auditFailures();
    Object[][] cases = {
        {"name,lon\n1,2\n".getBytes(StandardCharsets.UTF_8), "datum=wgs84", 422, "not_a_tile_package"},
        {Files.readAllBytes(view), "datum=wgs84", 422, "unsupported_mbtiles_layout"},
        {pm, "datum=wgs84", 422, "pmtiles_bad_header"},
        {Files.readAllBytes(outside), "datum=wgs84", 422, "tiles_outside_bounds"},
        {Files.readAllBytes(beijing), "datum=wgs84", 422, "outside_city"},
        {good, "", 400, "datum_required"},
        {good, "datum=gcj02", 422, "gcj02_not_supported"},
        {good, "datum=bd09", 422, "bad_parameter"}};
    for (Object[] c : cases) {
      JsonNode p = body(upload("gis:gis-pw", (byte[]) c[0], (String) c[1]), (Integer) c[2]);
      assertThat(p.path("reason").asText()).as(p.toString()).isEqualTo(c[3]);
      assertThat(p.path("detail").asText()).isNotBlank();
    }
    assertThat(jdbc.queryForObject("SELECT count(*) FROM basemap_package", Integer.class)).isZero();
    assertThat(storedFiles()).isEmpty();
    assertThat(auditFailures() - audits).isEqualTo(cases.length);
    assertThat(upload("viewer:viewer-pw", good, "datum=wgs84").statusCode()).isEqualTo(403);
  }

  @Test
  void aTwoGigabyteDeclaredBodyIsRefusedBeforeItIsRead() throws Exception {
    try (Socket s = rawUpload("Content-Length: 2147483648\r\n")) {
      s.getOutputStream().write(new byte[64 * 1024]);
      String answer = readAnswer(s);
      assertThat(answer).startsWith("HTTP/1.1 413").contains("file_too_large");
    }
    assertThat(storedFiles()).isEmpty();
  }

  @Test
  void aTwoGigabyteStreamWithoutLengthIsCutAtTheLimitAndNothingIsKept() throws Exception {
    long sent = 0;
    String answer;
    try (Socket s = rawUpload("Transfer-Encoding: chunked\r\n")) {
      OutputStream out = s.getOutputStream();
      byte[] chunk = new byte[1 << 20];
      byte[] head = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      try {
        // 2 GB of chunks, stopped by the server: it answers and closes after the 8 MB limit
        while (sent < (2L << 30)) {
          out.write(head);
          out.write(chunk);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          sent += chunk.length;
        }
      } catch (IOException closed) {
        // the server stopped reading
      }
      answer = readAnswer(s);
    }
    assertThat(answer).startsWith("HTTP/1.1 413").contains("file_too_large");
    assertThat(sent).as("bytes the client got to send").isLessThan(200L << 20);
    assertThat(storedFiles()).isEmpty();
    assertThat(jdbc.queryForObject("SELECT count(*) FROM basemap_package", Integer.class)).isZero();
  }

  private Socket rawUpload(String lengthHeader) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(20_000);
    String auth = Base64.getEncoder().encodeToString("gis:gis-pw".getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().write(("POST /api/basemaps?datum=wgs84 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic "
        + auth + "\r\nContent-Type: application/octet-stream\r\n" + lengthHeader + "\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    return s;
  }

  private static String readAnswer(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    byte[] buf = new byte[4096];
    int n = in.read(buf);
    return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8);
  }

  private List<Path> storedFiles() throws IOException {
    try (var files = Files.list(STORE)) {
      return files.toList();
    }
  }

  private int auditFailures() {
    return jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE action = 'basemap.upload' AND outcome = 'failure'",
        Integer.class);
  }

  /** The first tile of an MBTiles file: zoom, column, TMS row. */
  private static int[] firstTile(Path mbtiles) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + mbtiles); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT zoom_level, tile_column, tile_row FROM tiles "
             + "ORDER BY zoom_level DESC, tile_column, tile_row LIMIT 1")) {
      rs.next();
      return new int[] {rs.getInt(1), rs.getInt(2), rs.getInt(3)};
    }
  }

  private static byte[] tileBytes(Path mbtiles, int[] tms) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + mbtiles); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT tile_data FROM tiles WHERE zoom_level = " + tms[0]
             + " AND tile_column = " + tms[1] + " AND tile_row = " + tms[2])) {
      rs.next();
      return rs.getBytes(1);
    }
  }

  private static void sql(Path file, String... statements) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  private HttpRequest.Builder request(String credentials, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Authorization",
        "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
  }

  private HttpResponse<String> upload(String credentials, byte[] bytes, String query) throws Exception {
    return http.send(request(credentials, "/api/basemaps?" + query).header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<byte[]> get(String credentials, String path) throws Exception {
    return http.send(request(credentials, path).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<String> send(String credentials, String method, String path) throws Exception {
    return http.send(request(credentials, path).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode body(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return json.readTree(r.body());
  }
}
