package org.safegrid.server.security;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.safegrid.server.audit.AuditLog;
import org.safegrid.server.geojson.BoundingBox;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The one place that turns a user's district ({@link DistrictScope}) into what a feature filters
 * by: a {@link DataScope} for in-memory filtering (live stream, engine results) and a parameterised
 * SQL predicate ({@link #inDistrictSql}) for queries. Also refuses requests that name another
 * district (403, audited as {@code scope.denied}) and audits reads that asked for more than the
 * district and were cut down to it ({@code scope.filtered}, at most once per user and object type
 * every ten minutes, so panning a map along the border does not flood the trail).
 *
 * <p>District polygons are cached for {@link #AREA_TTL}; activating a new districts layer is
 * therefore seen within that time. Thread-safe.
 */
@Component
public class ScopeFilter {

  /** How long a district's polygon is kept before it is read again. */
  static final Duration AREA_TTL = Duration.ofSeconds(30);
  private static final Duration FILTERED_AUDIT_EVERY = Duration.ofMinutes(10);

  /** The district's features in the live {@code districts} layer, the district code bound as the next parameter. */
  private static final String DISTRICT_FEATURES = " FROM overlay_feature sd "
      + "JOIN overlay_layer sl ON sl.layer = sd.layer AND sl.version = sd.version "
      + "WHERE sd.layer = 'districts' AND sd.code = ?";
  /**
   * The subdivided pieces ({@code overlay_feature_part}, at most 256 vertices each) of the same
   * features. The derived table exposes one column, {@code scope_piece}, so that an unqualified
   * column name handed to {@link #inDistrictSql} (such as {@code geom}) still means the caller's.
   */
  private static final String DISTRICT_PIECES = "(SELECT sp.geom AS scope_piece FROM overlay_feature_part sp "
      + "JOIN overlay_layer sl ON sl.layer = sp.layer AND sl.version = sp.version "
      + "WHERE sp.layer = 'districts' AND sp.code = ?) sdp";
  private static final Pattern DISTRICT_CODE = Pattern.compile("[0-9]{6}");
  private static final Pattern COLUMN = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?");

  private final DistrictScope districts;
  private final JdbcClient jdbc;
  private final AuditLog audit;
  private final TransactionTemplate ownTx;
  private final Map<String, CachedArea> areas = new ConcurrentHashMap<>();
  private final Map<String, Long> lastFilteredAudit = new ConcurrentHashMap<>();

  private record CachedArea(DataScope scope, long loadedAtNanos) {
  }

  public ScopeFilter(DistrictScope districts, JdbcClient jdbc, AuditLog audit, PlatformTransactionManager tm) {
    this.districts = districts;
    this.jdbc = jdbc;
    this.audit = audit;
    this.ownTx = new TransactionTemplate(tm);
    this.ownTx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
  }

  /**
   * SQL predicate: the geometry column {@code geomColumn} (a fixed column name such as
   * {@code e.geom}, never request text) intersects the district whose code is bound as the next
   * positional parameter. It asks whether any subdivided piece of the district's polygon
   * intersects the geometry (found through the pieces' GiST index), which is the same as
   * intersecting the whole polygon but does not test a point against every vertex of a long
   * coastline. A district without features in the live layer has no pieces: the predicate is
   * false for every row (fails closed).
   */
  public static String inDistrictSql(String geomColumn) {
    if (!COLUMN.matcher(geomColumn).matches() || geomColumn.endsWith("scope_piece")) {
      throw new IllegalArgumentException("not a column name: " + geomColumn);
    }
    // OFFSET 0 keeps the EXISTS a per-row probe of the pieces' GiST index: flattened into a semi-join, a
    // planner without fresh statistics on the pieces (right after an upload) tested every row against every piece
    return "EXISTS (SELECT 1 FROM " + DISTRICT_PIECES + " WHERE ST_Intersects(sdp.scope_piece, " + geomColumn
        + ") OFFSET 0)";
  }

  /** The same predicate with a named parameter {@code :name} for the district code (JdbcClient named style). */
  public static String inDistrictSql(String geomColumn, String name) {
    if (!COLUMN.matcher(name).matches()) {
      throw new IllegalArgumentException("not a parameter name: " + name);
    }
    return inDistrictSql(geomColumn).replace("sp.code = ?", "sp.code = :" + name);
  }

  /** The scope of the current request's user (the whole city when unscoped or outside a request). */
  public DataScope current() {
    return of(districts.districtCodeOrNull());
  }

  /** The scope of a named user, for streams and jobs. */
  public DataScope forUser(String username) {
    return username == null ? DataScope.CITY : of(districts.districtCodeOf(username));
  }

  /** The scope of a district code (null: the whole city). */
  public DataScope of(String districtCode) {
    if (districtCode == null) {
      return DataScope.CITY;
    }
    CachedArea c = areas.get(districtCode);
    if (c == null || System.nanoTime() - c.loadedAtNanos() > AREA_TTL.toNanos()) {
      Geometry area = loadArea(districtCode);
      c = new CachedArea(DataScope.district(districtCode, area), System.nanoTime());
      if (area != null) {
        // only real districts are kept, so codes named in requests cannot grow the cache
        areas.put(districtCode, c);
      } else {
        areas.remove(districtCode);
      }
    }
    return c.scope();
  }

  private Geometry loadArea(String districtCode) {
    byte[] wkb = jdbc.sql("SELECT ST_AsBinary(ST_Union(sd.geom))" + DISTRICT_FEATURES).param(districtCode)
        .query((rs, n) -> rs.getBytes(1)).optional().orElse(null);
    if (wkb == null) {
      return null;
    }
    try {
      Geometry g = new WKBReader().read(wkb);
      g.setSRID(4326);
      return g;
    } catch (ParseException e) {
      throw new IllegalStateException("district " + districtCode + " polygon did not parse", e);
    }
  }

  /**
   * The scope a request that names a district (e.g. {@code ?district=}) is served with: the
   * current scope when it names none or the user's own district; for an unscoped user, the named
   * district. A scoped user naming another district is refused: the refusal is audited
   * ({@code scope.denied}, object = what was asked) and a {@link ScopeDeniedException} (403) thrown.
   *
   * @param requested  the district the request names, or null/blank
   * @param objectType what was asked for, e.g. {@code hotspots} or {@code live_stream}
   */
  public DataScope requireAllowed(String requested, String objectType) {
    DataScope scope = current();
    if (requested == null || requested.isBlank()) {
      return scope;
    }
    if (!DISTRICT_CODE.matcher(requested).matches()) {
      throw new IllegalArgumentException("district must be a six-digit district code, e.g. 441302");
    }
    if (scope.isCity()) {
      return of(requested);
    }
    if (scope.districtCodeOrNull().equals(requested)) {
      return scope;
    }
    recordDenied(scope, objectType, requested);
    throw new ScopeDeniedException(requested);
  }

  /**
   * Audits ({@code scope.denied}) a scoped user's attempt on an object outside its district, e.g. an
   * action on another district's alert; the caller answers "not found" so existence does not leak.
   */
  public void recordDenied(DataScope scope, String objectType, String objectId) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("scope", scope.districtCodeOrNull());
    detail.put("request", currentRequestLine());
    ownTx.executeWithoutResult(s -> audit.record("scope.denied", objectType, objectId, AuditLog.Outcome.DENIED,
        detail));
  }

  /**
   * Audits ({@code scope.filtered}) a scoped read whose bounding box reached beyond the district and
   * was cut down to it; nothing for city-wide users, boxes inside the district's bounds, or when the
   * same user was audited for the same object type in the last ten minutes.
   */
  public void noteFiltered(DataScope scope, BoundingBox bbox, String objectType) {
    if (scope.isCity() || bbox == null) {
      return;
    }
    Envelope district = scope.envelopeOrNull();
    Envelope asked = new Envelope(bbox.minLon(), bbox.maxLon(), bbox.minLat(), bbox.maxLat());
    if (district != null && district.contains(asked)) {
      return;
    }
    String user = AuditLog.currentUsername();
    String key = user + "|" + objectType;
    long now = System.nanoTime();
    Long last = lastFilteredAudit.get(key);
    if (last != null && now - last < FILTERED_AUDIT_EVERY.toNanos()) {
      return;
    }
    lastFilteredAudit.put(key, now);
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("scope", scope.districtCodeOrNull());
    detail.put("bbox", java.util.List.of(bbox.minLon(), bbox.minLat(), bbox.maxLon(), bbox.maxLat()));
    detail.put("request", currentRequestLine());
    ownTx.executeWithoutResult(s -> audit.record("scope.filtered", objectType, null, AuditLog.Outcome.SUCCESS,
        detail));
  }

  private static String currentRequestLine() {
    if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attrs) {
      String q = attrs.getRequest().getQueryString();
      String line = attrs.getRequest().getMethod() + " " + attrs.getRequest().getRequestURI() + (q == null ? "" : "?" + q);
      return line.length() > 300 ? line.substring(0, 300) : line;
    }
    return null;
  }

  /** A district-scoped user asked for another district's data: 403 with a reason. */
  public static final class ScopeDeniedException extends ErrorResponseException {

    ScopeDeniedException(String requested) {
      super(HttpStatus.FORBIDDEN, problem(requested), null);
    }

    private static ProblemDetail problem(String requested) {
      ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, "your account is confined to one "
          + "district and may not read district " + requested + "; ask an administrator to widen your scope");
      p.setTitle("Outside your district");
      return p;
    }
  }
}
