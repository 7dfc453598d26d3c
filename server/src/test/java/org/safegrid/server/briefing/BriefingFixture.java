package org.safegrid.server.briefing;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A small city for briefing tests: two districts side by side, a 10 × 10 grid across them, and a week
 * (the period) after a week (the previous period) of reported incidents, alert incidents, patrol
 * position pings and feed silences. Everything west of the border is district A's.
 *
 * <pre>
 *   23.105 +-------------------------+-------------------------+
 *          |  A = 441302             |  B = 441303             |
 *          |   . X X X .             |   . X X X .             |   X = incident cluster (rows 4..6)
 *          |   . X P X .  ~~ coast ~~|~~ . X P X .             |   P = a patrol ping in the period
 *          |   . X X X .             |   . X X X .             |       (cells G52 and G57)
 *   23.08  +-------------------------+-------------------------+
 *       114.40                   114.4125                  114.425
 * </pre>
 */
final class BriefingFixture {

  static final String A = "441302";
  static final String B = "441303";
  static final double BORDER = 114.4125;
  static final double LON0 = 114.40;
  static final double LAT0 = 23.08;
  static final double SIZE = 0.0025;
  static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
  static final List<String> KINDS = List.of("violent", "property", "disorder", "traffic", "dispute", "fraud", "other");
  static final List<String> CHANNELS = List.of("110", "12345", "grid");
  /** A centroid point of each district (away from the clusters). */
  static final double[] CENTROID_A = {114.4060, 23.0990};
  static final double[] CENTROID_B = {114.4190, 23.0990};

  final LocalDate fromDate;
  final LocalDate toDate;
  final Instant from;
  final Instant to;
  final Instant previousFrom;
  private final JdbcTemplate jdbc;
  private int seq;

  BriefingFixture(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
    this.toDate = LocalDate.now(ZONE);
    this.fromDate = toDate.minusDays(7);
    this.to = toDate.atStartOfDay(ZONE).toInstant();
    this.from = fromDate.atStartOfDay(ZONE).toInstant();
    this.previousFrom = from.minus(Duration.ofDays(7));
  }

  /** The request's query for district {@code district} (null: none). */
  String query(String district) {
    return "from=" + fromDate + "&to=" + toDate + (district == null ? "" : "&district=" + district);
  }

  void load() {
    jdbc.execute("SELECT safegrid_ensure_event_partitions(current_date - 16, current_date + 1)");
    jdbc.update("INSERT INTO overlay_layer (layer, version, source, licence) VALUES ('districts', 1, 'test', 'test'), "
        + "('coastline', 1, 'test', 'test')");
    jdbc.update("INSERT INTO overlay_feature (layer, version, code, name, district_code, geom) VALUES "
        + "('districts', 1, ?, '惠城区', ?, ST_GeomFromText(?, 4326)), ('districts', 1, ?, '惠阳区', ?, ST_GeomFromText(?, 4326))",
        A, A, box(LON0, LAT0, BORDER, LAT0 + 10 * SIZE), B, B, box(BORDER, LAT0, LON0 + 10 * SIZE, LAT0 + 10 * SIZE));
    jdbc.update("INSERT INTO overlay_feature (layer, version, geom) VALUES "
        + "('coastline', 1, ST_GeomFromText('LINESTRING(114.401 23.0935, 114.424 23.0935)', 4326))");
    long gridSet = jdbc.queryForObject("INSERT INTO grid_set (name, city_code, status, cell_count) "
        + "VALUES ('briefing 10x10', '441300', 'draft', 100) RETURNING id", Long.class);
    for (int r = 0; r < 10; r++) {
      for (int c = 0; c < 10; c++) {
        String wkt = "MULTIPOLYGON(((" + ring(LON0 + c * SIZE, LAT0 + r * SIZE) + ")))";
        jdbc.update("INSERT INTO grid_cell (grid_set_id, cell_id, code, district_code, town_code, area_m2, geom) "
            + "VALUES (?, ?, ?, ?, ?, ST_Area(ST_GeomFromText(?, 4326)::geography), ST_GeomFromText(?, 4326))",
            gridSet, r * 10 + c, "G" + (r * 10 + c), c < 5 ? A : B, (c < 5 ? "TA" : "TB") + r, wkt, wkt);
      }
    }
    Random rnd = new Random(20);
    // the period: a dense cluster in each district and a thin background; the previous period: the background only
    for (int r = 0; r < 10; r++) {
      for (int c = 0; c < 10; c++) {
        boolean cluster = r >= 4 && r <= 6 && (c >= 1 && c <= 3 || c >= 6 && c <= 8);
        int now = cluster ? 10 + rnd.nextInt(4) : rnd.nextInt(2);
        int before = cluster ? rnd.nextInt(3) : rnd.nextInt(2);
        for (int e = 0; e < now + before; e++) {
          Instant start = e < now ? from : previousFrom;
          Instant at = start.plusSeconds(60 + rnd.nextInt(7 * 86_400 - 120));
          double lon = LON0 + (c + 0.1 + 0.8 * rnd.nextDouble()) * SIZE;
          double lat = LAT0 + (r + 0.1 + 0.8 * rnd.nextDouble()) * SIZE;
          insertIncident(at, lon, lat, KINDS.get(rnd.nextInt(KINDS.size())), CHANNELS.get(rnd.nextInt(3)),
              "caller_gps", null);
        }
      }
    }
    // located only to a district centroid: three in A, one in B, in the period; one in A before it
    for (int i = 0; i < 3; i++) {
      insertIncident(from.plusSeconds(3600L * (i + 5)), CENTROID_A[0], CENTROID_A[1], "dispute", "12345",
          "district_centroid", A);
    }
    insertIncident(from.plusSeconds(7200), CENTROID_B[0], CENTROID_B[1], "fraud", "110", "district_centroid", B);
    insertIncident(previousFrom.plusSeconds(7200), CENTROID_A[0], CENTROID_A[1], "fraud", "110", "district_centroid", A);
    // and one just outside the period on each side, which no figure may count
    insertIncident(to.plusSeconds(30), 114.405, 23.0925, "violent", "110", "caller_gps", null);
    insertIncident(previousFrom.minusSeconds(30), 114.405, 23.0925, "violent", "110", "caller_gps", null);

    // patrol pings in the period at the centres of G52 (A) and G57 (B); one in G42 before the period
    insertPing(from.plusSeconds(86_400), cellCentre(5, 2));
    insertPing(from.plusSeconds(90_000), cellCentre(5, 7));
    insertPing(previousFrom.plusSeconds(86_400), cellCentre(4, 2));

    // alert incidents opened in the period (A: three, B: one) and one in A before it
    insertAlertIncident("campus-violent", "high", from.plusSeconds(3600), cellCentre(5, 2), A, 60L, 600L);
    insertAlertIncident("campus-violent", "high", from.plusSeconds(7200), cellCentre(5, 3), A, 300L, 1800L);
    insertAlertIncident("disorder-cluster", "medium", from.plusSeconds(9000), cellCentre(4, 1), A, 120L, null);
    insertAlertIncident("disorder-cluster", "critical", from.plusSeconds(9000), cellCentre(5, 7), B, 30L, 90L);
    insertAlertIncident("campus-violent", "low", previousFrom.plusSeconds(9000), cellCentre(5, 2), A, 30L, 90L);

    // feed health: two cameras in A, one in B; one silence of CAM-A1 of six hours inside the period,
    // one of CAM-B1 from four hours before the period to two hours into it
    jdbc.update("INSERT INTO feed_source (source, source_id, last_seen_at, geom) VALUES "
        + "('camera', 'CAM-A1', now(), ST_SetSRID(ST_MakePoint(114.402, 23.082), 4326)), "
        + "('camera', 'CAM-A2', now(), ST_SetSRID(ST_MakePoint(114.403, 23.083), 4326)), "
        + "('camera', 'CAM-B1', now(), ST_SetSRID(ST_MakePoint(114.422, 23.082), 4326))");
    insertSilence("CAM-A1", from.plusSeconds(86_400), Duration.ofHours(6), 114.402, 23.082, A);
    insertSilence("CAM-B1", from.minusSeconds(4 * 3600), Duration.ofHours(6), 114.422, 23.082, B);

    jdbc.update("UPDATE grid_set SET status = 'active' WHERE id = ?", gridSet);
  }

  private static String ring(double x, double y) {
    return String.format(Locale.ROOT, "%f %f, %f %f, %f %f, %f %f, %f %f", x, y, x + SIZE, y, x + SIZE, y + SIZE,
        x, y + SIZE, x, y);
  }

  private static String box(double x0, double y0, double x1, double y1) {
    return String.format(Locale.ROOT, "POLYGON((%f %f, %f %f, %f %f, %f %f, %f %f))", x0, y0, x1, y0, x1, y1, x0, y1,
        x0, y0);
  }

  static double[] cellCentre(int row, int col) {
    return new double[] {LON0 + (col + 0.5) * SIZE, LAT0 + (row + 0.5) * SIZE};
  }

  private void insertIncident(Instant at, double lon, double lat, String kind, String channel, String quality,
                              String districtCode) {
    String id = "bf-" + (++seq);
    String location = "{\"quality\":\"" + quality + "\",\"accuracyMeters\":" + (districtCode == null ? 30 : 5000)
        + (districtCode == null ? "" : ",\"districtCode\":\"" + districtCode + "\"") + "}";
    String attrs = "{\"channel\":\"" + channel + "\",\"reportedAt\":\"" + at + "\",\"location\":" + location + "}";
    jdbc.update("INSERT INTO event_key (event_id, source, source_id, observed_at, payload_sha256) "
        + "VALUES (?, 'incident', '110-HZ', ?, '\\x00'::bytea)", id, Timestamp.from(at));
    jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom, attrs) "
        + "VALUES (?, 'incident', '110-HZ', ?, 3, ?, ST_SetSRID(ST_MakePoint(?, ?), 4326), ?::jsonb)",
        id, kind, Timestamp.from(at), lon, lat, attrs);
  }

  private void insertPing(Instant at, double[] lonLat) {
    String id = "bp-" + (++seq);
    jdbc.update("INSERT INTO event_key (event_id, source, source_id, observed_at, payload_sha256) "
        + "VALUES (?, 'patrol', 'PU-1', ?, '\\x00'::bytea)", id, Timestamp.from(at));
    jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom, attrs) "
        + "VALUES (?, 'patrol', 'PU-1', 'position', 0, ?, ST_SetSRID(ST_MakePoint(?, ?), 4326), '{\"unitId\":\"PU-1\"}'::jsonb)",
        id, Timestamp.from(at), lonLat[0], lonLat[1]);
  }

  private void insertAlertIncident(String rule, String severity, Instant opened, double[] lonLat, String district,
                                   Long ackAfterSeconds, Long closeAfterSeconds) {
    jdbc.update("INSERT INTO incident (rule_id, group_key, title, severity, status, opened_at, first_observed_at, "
            + "last_observed_at, last_joined_at, geom, district_code, acknowledged_at, closed_at) "
            + "VALUES (?, ?, 'test', ?, ?, ?, ?, ?, ?, ST_SetSRID(ST_MakePoint(?, ?), 4326), ?, ?, ?)",
        rule, "k-" + (++seq), severity, closeAfterSeconds != null ? "resolved" : "acknowledged",
        Timestamp.from(opened), Timestamp.from(opened), Timestamp.from(opened), Timestamp.from(opened),
        lonLat[0], lonLat[1], district,
        ackAfterSeconds == null ? null : Timestamp.from(opened.plusSeconds(ackAfterSeconds)),
        closeAfterSeconds == null ? null : Timestamp.from(opened.plusSeconds(closeAfterSeconds)));
  }

  private void insertSilence(String camera, Instant lastSeen, Duration gap, double lon, double lat, String district) {
    Instant raised = lastSeen.plus(Duration.ofMinutes(10));
    jdbc.update("INSERT INTO alert (rule_id, dedupe_key, severity, status, title, detail, geom, observed_at, raised_at, "
            + "district_code, closed_at, closed_by, close_reason) VALUES ('camera-feed-silent', ?, 'medium', 'resolved', "
            + "'Camera feed silent', ?::jsonb, ST_SetSRID(ST_MakePoint(?, ?), 4326), ?, ?, ?, ?, 'system', 'feed resumed')",
        camera, "{\"source\":\"camera\",\"sourceId\":\"" + camera + "\",\"lastSeenAt\":\"" + lastSeen + "\"}",
        lon, lat, Timestamp.from(raised), Timestamp.from(raised), district, Timestamp.from(lastSeen.plus(gap)));
  }
}
