package org.safegrid.server.upload;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.safegrid.gisdata.boundary.BoundaryReadException;
import org.safegrid.gisdata.crs.Reprojector;

/**
 * The GCJ-02 to WGS84 conversion of gis-data ({@code org.safegrid.gisdata.datum.Gcj02.toWgs84}),
 * looked up once so that uploads with {@code datum=gcj02} use the same model as ingest.
 */
final class Gcj02Shift {

  private Gcj02Shift() {}

  /** The conversion, or null if this build has no GCJ-02 model (uploads with datum=gcj02 are then refused). */
  static Reprojector.DatumShift find() {
    try {
      Class<?> c = Class.forName("org.safegrid.gisdata.datum.Gcj02");
      MethodHandle h = MethodHandles.publicLookup().findStatic(c, "toWgs84",
          MethodType.methodType(double[].class, double.class, double.class));
      return (lon, lat) -> {
        try {
          return (double[]) h.invokeExact(lon, lat);
        } catch (Throwable t) {
          throw new BoundaryReadException("bad_parameter", "GCJ-02 conversion failed: " + t.getMessage());
        }
      };
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }
}
