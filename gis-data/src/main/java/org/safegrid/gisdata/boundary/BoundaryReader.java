package org.safegrid.gisdata.boundary;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.safegrid.gisdata.crs.CrsResolver;
import org.safegrid.gisdata.crs.CrsSuggester;
import org.safegrid.gisdata.crs.Reprojector;

/**
 * Reads any supported boundary file into WGS84: detects the format, reads it, resolves its
 * coordinate system with Apache SIS, reprojects, and checks that the data lands in the jurisdiction.
 *
 * <p>Thread-safe; holds no state between reads.
 */
public final class BoundaryReader {

  private final ReadLimits limits;
  private final Envelope jurisdiction;
  private final Reprojector.DatumShift gcj02ToWgs84;
  private final CrsResolver crs = new CrsResolver();
  private final Ogr2Ogr ogr2ogr;

  /**
   * @param limits        caps on size and complexity
   * @param jurisdiction  lon/lat box the data must fall into (swapped axes and metres-as-degrees land
   *                      outside it), or null to skip the check
   * @param gcj02ToWgs84  GCJ-02 to WGS84 conversion used for {@code datum=gcj02}; null if not offered
   */
  public BoundaryReader(ReadLimits limits, Envelope jurisdiction, Reprojector.DatumShift gcj02ToWgs84) {
    this(limits, jurisdiction, gcj02ToWgs84, new Ogr2Ogr(limits.converterTimeout()));
  }

  /** As above, with the Shapefile converter to use (e.g. GDAL's ogr2ogr at a configured path). */
  public BoundaryReader(ReadLimits limits, Envelope jurisdiction, Reprojector.DatumShift gcj02ToWgs84, Ogr2Ogr ogr2ogr) {
    this.limits = limits;
    this.jurisdiction = jurisdiction;
    this.gcj02ToWgs84 = gcj02ToWgs84;
    this.ogr2ogr = ogr2ogr;
  }

  /** The Shapefile converter this reader runs. */
  public Ogr2Ogr ogr2ogr() {
    return ogr2ogr;
  }

  /** The reference city's envelope, Huizhou: lon 113.8–115.5, lat 22.3–24.4. */
  public static Envelope huizhou() {
    return new Envelope(113.8, 115.5, 22.3, 24.4);
  }

  public ReadLimits limits() {
    return limits;
  }

  /** Reads a file already on disk. */
  public BoundaryDataset read(Path file, ReadOptions options) {
    try {
      long size = Files.size(file);
      if (size == 0) {
        throw new BoundaryReadException("empty_file", "The file is empty.");
      }
      if (size > limits.maxFileBytes()) {
        throw BoundaryReadException.tooLarge("file_too_large", "The file is " + (size >> 20) + " MB; the limit is "
            + (limits.maxFileBytes() >> 20) + " MB.");
      }
      if (!ReadOptions.DATUMS.contains(options.datumName())) {
        throw new BoundaryReadException("bad_parameter", "datum must be one of " + String.join(", ", ReadOptions.DATUMS)
            + ", not \"" + options.datum() + "\".");
      }
      if (options.gcj02() && gcj02ToWgs84 == null) {
        throw new BoundaryReadException("bad_parameter", "GCJ-02 conversion is not available on this server.");
      }
      if (options.encoding() != null && !options.encoding().isBlank()) {
        // refused for every format, so a bogus value is never silently ignored
        ShapefileZipReader.checkCharset(options.encoding());
      }
      BoundaryFormat format = BoundaryFormat.detect(file);
      if (format == BoundaryFormat.GEOJSON) {
        try (InputStream in = Files.newInputStream(file)) {
          new GeoJsonReader(limits).checkFeatureCount(in);
        }
      }
      SourceLayer layer;
      try (InputStream in = Files.newInputStream(file)) {
        layer = switch (format) {
          case GEOJSON -> new GeoJsonReader(limits).read(in);
          case SHAPEFILE_ZIP -> new ShapefileZipReader(limits, ogr2ogr).read(in, options.encoding());
          case GEOPACKAGE -> new GeoPackageReader(limits).read(file, options.layerName());
        };
      }
      return toWgs84(layer, options);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private BoundaryDataset toWgs84(SourceLayer layer, ReadOptions options) {
    checkOneGeometryFamily(layer);
    CrsResolver.ResolvedCrs resolved;
    try {
      resolved = crs.resolve(options.epsg(), layer.crsWkt(), layer.format() == BoundaryFormat.GEOJSON);
    } catch (BoundaryReadException e) {
      throw suggest(e, layer, (options.epsg() == null || options.epsg().isBlank()) && layer.crsWkt() == null
          ? (layer.format() == BoundaryFormat.SHAPEFILE_ZIP ? "The Shapefile has no .prj, so its coordinate system is"
              + " unknown." : "The file does not say which coordinate system it uses.") : null);
    }
    try {
      return toWgs84(layer, options, resolved);
    } catch (BoundaryReadException e) {
      if (!List.of("implausible_coordinates", "outside_jurisdiction", "swapped_axes").contains(e.reason())) {
        throw e;
      }
      throw suggest(e, layer, null);
    }
  }

  /**
   * The refusal with the coordinate systems the raw coordinates' range suggests (zone-prefixed
   * eastings, 3° and 6° zones, lon/lat, Web Mercator), named in the message and in {@code suggestedEpsg}.
   */
  private BoundaryReadException suggest(BoundaryReadException e, SourceLayer layer, String replacementStart) {
    if (jurisdiction == null) {
      return e;
    }
    Envelope raw = new Envelope();
    for (SourceFeature f : layer.features()) {
      if (f.geometry() != null && !f.geometry().isEmpty()) {
        raw.expandToInclude(f.geometry().getEnvelopeInternal());
      }
    }
    List<CrsSuggester.Suggestion> s = new CrsSuggester(jurisdiction).suggest(raw);
    if (s.isEmpty() && replacementStart == null) {
      return e;
    }
    String range = raw.isNull() ? "" : String.format(Locale.ROOT, " Its coordinates run x %.1f–%.1f, y %.1f–%.1f.",
        raw.getMinX(), raw.getMaxX(), raw.getMinY(), raw.getMaxY());
    String message = (replacementStart == null ? e.getMessage() : replacementStart + range)
        + (s.isEmpty() ? " Give its EPSG code with the epsg parameter, e.g. 4547 or 4326." : CrsSuggester.sentence(s));
    return new BoundaryReadException(e.reason(), message, e.tooLarge(), e)
        .withSuggestedEpsg(s.stream().map(CrsSuggester.Suggestion::epsg).toList());
  }

  private BoundaryDataset toWgs84(SourceLayer layer, ReadOptions options, CrsResolver.ResolvedCrs resolved) {
    Reprojector rp = new Reprojector(resolved.toWgs84(), options.gcj02() ? gcj02ToWgs84 : null);
    List<SourceFeature> out = new ArrayList<>(layer.features().size());
    Envelope all = new Envelope();
    Integer wild = null;
    Envelope wildEnvelope = null;
    double maxAbsX = 0;
    double maxAbsY = 0;
    for (SourceFeature f : layer.features()) {
      Geometry src = f.geometry();
      if (src != null && !src.isEmpty() && jurisdiction != null) {
        // judged on the raw values too: metres read as degrees must not be "transformed" into the box
        Envelope e = src.getEnvelopeInternal();
        if (resolved.epsg() != null && (resolved.epsg() == 4326 || resolved.epsg() == 4490)) {
          maxAbsX = Math.max(maxAbsX, Math.max(Math.abs(e.getMinX()), Math.abs(e.getMaxX())));
          maxAbsY = Math.max(maxAbsY, Math.max(Math.abs(e.getMinY()), Math.abs(e.getMaxY())));
        }
      }
      Geometry g = rp.apply(src);
      if (g != null && !g.isEmpty()) {
        Envelope ge = g.getEnvelopeInternal();
        if (wild == null && (ge.getMinX() < -180 || ge.getMaxX() > 180 || ge.getMinY() < -90 || ge.getMaxY() > 90)) {
          wild = f.index();
          wildEnvelope = ge;
        }
        all.expandToInclude(ge);
      }
      out.add(f.withGeometry(g));
    }
    if (jurisdiction != null && !all.isNull()) {
      checkPlausible(all, maxAbsX, maxAbsY);
      if (wild != null) {
        // one wild vertex (1e308, metres among degrees) must not hide behind the others' envelope
        throw new BoundaryReadException("implausible_coordinates", String.format(Locale.ROOT,
            "Feature %d reaches longitude %.3g–%.3g, latitude %.3g–%.3g, beyond the globe: a coordinate is garbage"
                + " or in another coordinate system (epsg parameter).", wild, wildEnvelope.getMinX(),
            wildEnvelope.getMaxX(), wildEnvelope.getMinY(), wildEnvelope.getMaxY()));
      }
    }
    return new BoundaryDataset(layer.format(), out, layer.fieldNames(), resolved.label(), resolved.epsg(),
        layer.encoding(), options.datumName());
  }

  private void checkPlausible(Envelope all, double maxAbsX, double maxAbsY) {
    if (all.intersects(jurisdiction)) {
      return;
    }
    Envelope swapped = new Envelope(all.getMinY(), all.getMaxY(), all.getMinX(), all.getMaxX());
    if (swapped.intersects(jurisdiction)) {
      throw new BoundaryReadException("swapped_axes", String.format(Locale.ROOT,
          "The data lies at longitude %.2f–%.2f, latitude %.2f–%.2f: latitude and longitude look swapped."
              + " GeoJSON and Shapefile store longitude first.", all.getMinX(), all.getMaxX(), all.getMinY(),
          all.getMaxY()));
    }
    if (maxAbsX > 180 || maxAbsY > 90 || Math.abs(all.getMinX()) > 180 || Math.abs(all.getMaxY()) > 90
        || Math.abs(all.getMinY()) > 90 || Math.abs(all.getMaxX()) > 180) {
      throw new BoundaryReadException("implausible_coordinates", String.format(Locale.ROOT,
          "The coordinates reach %.0f, %.0f, far beyond longitude/latitude: they look like metres read as degrees."
              + " Give the file's EPSG code with the epsg parameter (e.g. 3857 for Web Mercator, 4547 for CGCS2000"
              + " 3-degree Gauss-Kruger CM 114E).", Math.max(maxAbsX, Math.abs(all.getMaxX())),
          Math.max(maxAbsY, Math.abs(all.getMaxY()))));
    }
    throw new BoundaryReadException("outside_jurisdiction", String.format(Locale.ROOT,
        "The data lies at longitude %.2f–%.2f, latitude %.2f–%.2f, outside the jurisdiction (longitude %.2f–%.2f,"
            + " latitude %.2f–%.2f). Check the coordinate system (epsg parameter).", all.getMinX(), all.getMaxX(),
        all.getMinY(), all.getMaxY(), jurisdiction.getMinX(), jurisdiction.getMaxX(), jurisdiction.getMinY(),
        jurisdiction.getMaxY()));
  }

  /** Refuses a file that mixes points, lines and polygons. */
  private static void checkOneGeometryFamily(SourceLayer layer) {
    String family = null;
    for (SourceFeature f : layer.features()) {
      String fam = family(f.geometry());
      if (fam == null) {
        continue;
      }
      if (family == null) {
        family = fam;
      } else if (!family.equals(fam)) {
        throw new BoundaryReadException("mixed_geometry_types", "The file mixes " + family + " and " + fam
            + " geometries (feature " + f.index() + "); upload one kind of geometry per layer.");
      }
    }
  }

  static String family(Geometry g) {
    if (g == null || g.isEmpty()) {
      return null;
    }
    return switch (g.getGeometryType()) {
      case "Point", "MultiPoint" -> "point";
      case "LineString", "LinearRing", "MultiLineString" -> "line";
      case "Polygon", "MultiPolygon" -> "polygon";
      default -> null;
    };
  }
}
