package org.safegrid.server.backtest;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.ServiceArea;
import org.safegrid.ingest.history.IncidentCategories;
import org.safegrid.ingest.history.IncidentCsv;
import org.safegrid.server.risk.RiskRepository;

/**
 * The incidents a backtest (or the live scorecard) is run on, from an incident CSV of the shared
 * layout or from the event table, as the same rows: the category is SafeGrid's incident kind
 * ({@code violent}, {@code property}, …, mapped from the file's category by the same table the
 * history import uses), and the time is the local clock time (encoded as if UTC, so that days and
 * weeks are local). Rows come sorted by time, then event id, whichever the origin.
 *
 * <p>The file is read by the history import's own reader ({@link IncidentCsv}): the first row it
 * refuses stops the backtest with that row's line and reason, and a row whose {@code event_id}
 * repeats an earlier one is skipped, as the import stores it once. From the table, incidents located
 * only to a district centroid are left out, as the live engine leaves them out of cell statistics.
 */
public final class BacktestEvents {

  /** One incident: local clock time as epoch ms, WGS84 position, kind. */
  public record Row(String id, long localMillis, double lon, double lat, String category) {}

  private static final Comparator<Row> ORDER = Comparator.comparingLong(Row::localMillis).thenComparing(Row::id);

  private BacktestEvents() {}

  /**
   * Reads a file of the shared layout.
   *
   * @param kinds the kinds to keep (empty: all)
   * @throws IllegalArgumentException "FILE line N: reason: detail" for the first row that is not an incident
   */
  public static List<Row> readFile(Path file, Set<String> kinds) throws IOException {
    IncidentCsv.Settings settings = new IncidentCsv.Settings("110", 100, Datum.WGS84,
        new ServiceArea(-180, -90, 180, 90, 0), IncidentCategories.standard(), Instant.now());
    List<Row> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    long[] line = {1};
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8); IncidentCsv csv = new IncidentCsv(r, settings)) {
      while (csv.hasNext()) {
        IncidentCsv.Row row = csv.next();
        line[0] = row.line();
        if (row instanceof IncidentCsv.Refused x) {
          throw new IllegalArgumentException(file.getFileName() + " line " + x.line() + ": " + x.reason() + ": "
              + x.detail());
        }
        IncidentCsv.Parsed p = (IncidentCsv.Parsed) row;
        Event e = p.event();
        if (!seen.add(e.id()) || !(kinds.isEmpty() || kinds.contains(e.kind()))) {
          continue;
        }
        out.add(new Row(e.id(), localMillis(e.observedAt(), p.zone()), e.lon(), e.lat(), e.kind()));
      }
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("line 1:")) {
        throw new IllegalArgumentException(file.getFileName() + " " + e.getMessage(), e);
      }
      throw e;
    } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      throw new IllegalArgumentException(file.getFileName() + " after line " + (out.size() + 1)
          + ": the file is not valid CSV: " + msg, e);
    }
    out.sort(ORDER);
    return out;
  }

  /**
   * Reads the incidents of the event table observed in [from, to) (null: unbounded), cell-level ones
   * only, their times read in {@code zone}.
   *
   * @param kinds the kinds to keep (empty: all)
   */
  public static List<Row> readTable(Connection c, ZoneId zone, Set<String> kinds, Instant from, Instant to)
      throws SQLException {
    return readTable(c, zone, List.of("incident"), kinds, from, to);
  }

  /**
   * Reads the events of these sources (patrol position pings never: they measure coverage) observed
   * in [from, to), cell-level ones only; the category of a row is its kind.
   */
  public static List<Row> readTable(Connection c, ZoneId zone, List<String> sources, Set<String> kinds, Instant from,
                                    Instant to) throws SQLException {
    String sql = "SELECT event_id, kind, observed_at, ST_X(geom), ST_Y(geom) FROM event WHERE source = ANY (?) AND "
        + "NOT (source = 'patrol' AND kind = 'position') AND "
        + RiskRepository.CELL_LEVEL + " AND observed_at >= ? AND observed_at < ?"
        + (kinds.isEmpty() ? "" : " AND kind = ANY (?)");
    List<Row> out = new ArrayList<>();
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false); // lets the driver stream with a fetch size
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setFetchSize(10_000);
      ps.setArray(1, c.createArrayOf("text", sources.toArray()));
      ps.setTimestamp(2, Timestamp.from(from == null ? Instant.parse("0001-01-01T00:00:00Z") : from));
      ps.setTimestamp(3, Timestamp.from(to == null ? Instant.parse("9999-01-01T00:00:00Z") : to));
      if (!kinds.isEmpty()) {
        ps.setArray(4, c.createArrayOf("text", kinds.toArray()));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Row(rs.getString(1), localMillis(rs.getTimestamp(3).toInstant(), zone), rs.getDouble(4),
              rs.getDouble(5), rs.getString(2)));
        }
      }
    } finally {
      c.commit();
      c.setAutoCommit(auto);
    }
    out.sort(ORDER);
    return out;
  }

  /** The local clock time of an instant in a zone, as epoch ms of that clock time read as UTC. */
  public static long localMillis(Instant t, ZoneId zone) {
    return t.atZone(zone).toLocalDateTime().toInstant(ZoneOffset.UTC).toEpochMilli();
  }
}
