package org.safegrid.gisdata.crs;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.locationtech.jts.geom.Envelope;
import org.opengis.referencing.operation.TransformException;
import org.safegrid.gisdata.boundary.BoundaryReadException;

/**
 * Guesses the coordinate system of raw coordinates from their range: the EPSG codes that put the
 * data's centre inside the jurisdiction. Knows the systems Chinese survey data comes in: CGCS2000
 * longitude/latitude (4490), WGS84 (4326), Web Mercator (3857), and CGCS2000 Gauss-Krüger in 3° and
 * 6° zones, with the zone number before the easting (EPSG:4513–4533 for 3° zones 25–45, 4491–4501 for
 * 6° zones 13–23; an easting of 38,500,000 is zone 38) or without it (4534–4554 for 3° central
 * meridians 75°E–135°E, 4502–4512 for 6°).
 *
 * <p>Each candidate is tried, not assumed: its transform must land the centre in the jurisdiction.
 * Plain class, thread-safe.
 */
public final class CrsSuggester {

  /** One likely coordinate system with why it fits. */
  public record Suggestion(int epsg, String description) {
    public String label() {
      return "EPSG:" + epsg + " (" + description + ")";
    }
  }

  private final CrsResolver resolver = new CrsResolver();
  private final Envelope jurisdiction;

  /** @param jurisdiction lon/lat envelope the data must fall into */
  public CrsSuggester(Envelope jurisdiction) {
    this.jurisdiction = jurisdiction;
  }

  /** The EPSG codes under which data of this raw extent lands in the jurisdiction, most likely first. */
  public List<Suggestion> suggest(Envelope raw) {
    if (raw == null || raw.isNull()) {
      return List.of();
    }
    double x = raw.centre().x;
    double y = raw.centre().y;
    Set<Suggestion> candidates = new LinkedHashSet<>();
    if (Math.abs(x) <= 180 && Math.abs(y) <= 90) {
      candidates.add(new Suggestion(4490, "CGCS2000 longitude/latitude"));
      candidates.add(new Suggestion(4326, "WGS84 longitude/latitude"));
    }
    if (x >= 1e7 && x < 1e8) {
      int zone = (int) (x / 1e6);
      if (zone >= 25 && zone <= 45) {
        candidates.add(new Suggestion(4513 + zone - 25, String.format(Locale.ROOT,
            "CGCS2000 3-degree Gauss-Kruger zone %d: the easting starts with the zone number %d", zone, zone)));
      }
      if (zone >= 13 && zone <= 23) {
        candidates.add(new Suggestion(4491 + zone - 13, String.format(Locale.ROOT,
            "CGCS2000 6-degree Gauss-Kruger zone %d: the easting starts with the zone number %d", zone, zone)));
      }
    }
    if (x > 0 && x < 1e6 && y > 0 && y < 1e7) {
      for (int cm = 75; cm <= 135; cm += 3) {
        if (Math.abs(cm - jurisdiction.centre().x) <= 4.5) {
          candidates.add(new Suggestion(4534 + (cm - 75) / 3, "CGCS2000 3-degree Gauss-Kruger CM " + cm
              + "E, easting without zone number"));
        }
      }
      for (int cm = 75; cm <= 135; cm += 6) {
        if (Math.abs(cm - jurisdiction.centre().x) <= 7.5) {
          candidates.add(new Suggestion(4502 + (cm - 75) / 6, "CGCS2000 6-degree Gauss-Kruger CM " + cm
              + "E, easting without zone number"));
        }
      }
    }
    if (Math.abs(x) <= 20_037_508.35 && Math.abs(y) <= 20_048_966.1 && Math.abs(x) > 180) {
      candidates.add(new Suggestion(3857, "Web Mercator"));
    }
    List<Suggestion> fits = new ArrayList<>();
    for (Suggestion s : candidates) {
      if (landsInside(s.epsg(), x, y)) {
        fits.add(s);
      }
    }
    return fits;
  }

  private boolean landsInside(int epsg, double x, double y) {
    try {
      double[] p = {x, y};
      resolver.fromCode(String.valueOf(epsg)).toWgs84().transform(p, 0, p, 0, 1);
      return jurisdiction.contains(p[0], p[1]);
    } catch (TransformException | BoundaryReadException e) {
      return false;
    }
  }

  /** " Likely: EPSG:4526 (...) or EPSG:4547 (...)." or "" when nothing fits. */
  public static String sentence(List<Suggestion> suggestions) {
    if (suggestions.isEmpty()) {
      return "";
    }
    List<String> labels = suggestions.stream().map(Suggestion::label).toList();
    return " Judging by the coordinates' range it is likely " + String.join(" or ", labels) + "; upload again with"
        + " epsg=" + suggestions.get(0).epsg() + ".";
  }
}
