package org.safegrid.gisdata.crs;

import java.util.Locale;
import java.util.Set;
import org.apache.sis.referencing.factory.IdentifiedObjectFinder;
import org.opengis.referencing.IdentifiedObject;
import org.apache.sis.referencing.CRS;
import org.apache.sis.referencing.CommonCRS;
import org.apache.sis.referencing.IdentifiedObjects;
import org.apache.sis.referencing.crs.AbstractCRS;
import org.apache.sis.referencing.cs.AxesConvention;
import org.opengis.referencing.crs.CoordinateReferenceSystem;
import org.opengis.referencing.operation.MathTransform;
import org.opengis.util.FactoryException;
import org.safegrid.gisdata.boundary.BoundaryReadException;

/**
 * Turns what a boundary file says about its coordinates (a .prj WKT, an EPSG code, a GeoJSON crs
 * name) into an Apache SIS coordinate reference system and a transform to WGS84 longitude/latitude.
 *
 * <p>Axis order is made explicit: both ends use SIS's {@link AxesConvention#RIGHT_HANDED}
 * (easting/longitude first), which is how Shapefile, GeoPackage and GeoJSON store coordinates
 * whatever the EPSG database says about the axis order of a code.
 */
public final class CrsResolver {

  private static final CoordinateReferenceSystem WGS84_LON_LAT = CommonCRS.WGS84.normalizedGeographic();

  /** A resolved coordinate system: its name, EPSG code if one is known, and the transform to WGS84 lon/lat. */
  public record ResolvedCrs(String name, Integer epsg, MathTransform toWgs84) {
    /** A text for reports, e.g. "EPSG:4547 CGCS2000 / 3-degree Gauss-Kruger CM 114E". */
    public String label() {
      return epsg == null ? name : "EPSG:" + epsg + " " + name;
    }
  }

  /** Resolves a code such as 4547, "EPSG:4547" or "urn:ogc:def:crs:EPSG::4547"; refuses unknown codes. */
  public ResolvedCrs fromCode(String code) {
    String c = code.trim();
    if (c.matches("\\d{1,6}")) {
      c = "EPSG:" + c;
    }
    if (c.equalsIgnoreCase("urn:ogc:def:crs:OGC:1.3:CRS84") || c.equalsIgnoreCase("CRS:84")
        || c.equalsIgnoreCase("OGC:CRS84")) {
      return resolve(WGS84_LON_LAT, 4326);
    }
    try {
      CoordinateReferenceSystem crs = CRS.forCode(c);
      return resolve(crs, IdentifiedObjects.lookupEPSG(crs));
    } catch (FactoryException | RuntimeException e) {
      throw new BoundaryReadException("unknown_crs", "The coordinate system \"" + code
          + "\" is not known; give an EPSG code such as 4326, 4490, 4547 or 3857.", false, e);
    }
  }

  /** Resolves a WKT definition (ESRI .prj or OGC WKT 1/2). */
  public ResolvedCrs fromWkt(String wkt) {
    try {
      CoordinateReferenceSystem crs = CRS.fromWKT(wkt);
      Integer epsg = null;
      try {
        epsg = IdentifiedObjects.lookupEPSG(crs);
        if (epsg == null) {
          // ESRI .prj names differ from EPSG's ("D_China_2000"): match on the definition instead
          IdentifiedObjectFinder finder = IdentifiedObjects.newFinder("EPSG");
          finder.setIgnoringAxes(true);
          finder.setSearchDomain(IdentifiedObjectFinder.Domain.VALID_DATASET);
          Set<IdentifiedObject> found = finder.find(crs);
          if (found.size() == 1) {
            epsg = IdentifiedObjects.lookupEPSG(found.iterator().next());
          }
        }
      } catch (FactoryException ignored) {
        // a WKT without an EPSG twin is fine: it is used as written
      }
      return resolve(crs, epsg);
    } catch (FactoryException | RuntimeException e) {
      throw new BoundaryReadException("unknown_crs", "The coordinate system in the file cannot be understood ("
          + firstLine(e.getMessage()) + "); give its EPSG code with the epsg parameter.", false, e);
    }
  }

  /**
   * Resolves the coordinate system of a file from, in order: the user's override, what the file
   * declares, the format's default (GeoJSON: WGS84). Refuses when none applies.
   */
  public ResolvedCrs resolve(String overrideCode, String declared, boolean defaultsToWgs84) {
    if (overrideCode != null && !overrideCode.isBlank()) {
      return fromCode(overrideCode);
    }
    if (declared != null && !declared.isBlank()) {
      String d = declared.trim();
      boolean looksLikeCode = d.toUpperCase(Locale.ROOT).startsWith("EPSG:") || d.startsWith("urn:")
          || d.toUpperCase(Locale.ROOT).startsWith("CRS:") || d.startsWith("OGC:");
      return looksLikeCode ? fromCode(d) : fromWkt(d);
    }
    if (defaultsToWgs84) {
      return resolve(WGS84_LON_LAT, 4326);
    }
    throw new BoundaryReadException("unknown_crs", "The file does not say which coordinate system it uses"
        + " (no .prj or spatial reference); give its EPSG code with the epsg parameter, e.g. 4547 or 4326.");
  }

  private static ResolvedCrs resolve(CoordinateReferenceSystem crs, Integer epsg) {
    try {
      CoordinateReferenceSystem source = AbstractCRS.castOrCopy(crs).forConvention(AxesConvention.RIGHT_HANDED);
      if (source.getCoordinateSystem().getDimension() != 2) {
        throw new BoundaryReadException("unknown_crs", "Only 2-D coordinate systems are supported, not "
            + crs.getName().getCode() + ".");
      }
      MathTransform mt = CRS.findOperation(source, WGS84_LON_LAT, null).getMathTransform();
      return new ResolvedCrs(crs.getName().getCode(), epsg, mt);
    } catch (FactoryException e) {
      throw new BoundaryReadException("unknown_crs", "No transformation from " + crs.getName().getCode()
          + " to WGS84 is known.", false, e);
    }
  }

  private static String firstLine(String m) {
    if (m == null) {
      return "unreadable";
    }
    int nl = m.indexOf('\n');
    return nl > 0 ? m.substring(0, nl) : m;
  }
}
