package org.safegrid.gisdata.crs;

import org.locationtech.jts.geom.CoordinateSequence;
import org.locationtech.jts.geom.CoordinateSequenceFilter;
import org.locationtech.jts.geom.Geometry;
import org.opengis.referencing.operation.MathTransform;
import org.opengis.referencing.operation.TransformException;
import org.safegrid.gisdata.boundary.BoundaryReadException;

/** Applies a coordinate transform (and optionally a datum shift on the result) to every vertex of a JTS geometry. */
public final class Reprojector {

  /** A shift applied to WGS84-frame longitude/latitude after the transform, e.g. GCJ-02 to WGS84. */
  @FunctionalInterface
  public interface DatumShift {
    double[] toWgs84(double lon, double lat);
  }

  private final MathTransform transform;
  private final DatumShift shift;

  public Reprojector(MathTransform transform, DatumShift shift) {
    this.transform = transform;
    this.shift = shift;
  }

  /** Returns a transformed copy; the input is not changed. */
  public Geometry apply(Geometry g) {
    if (g == null || (transform.isIdentity() && shift == null)) {
      return g;
    }
    Geometry copy = g.copy();
    double[] pt = new double[2];
    copy.apply(new CoordinateSequenceFilter() {
      @Override
      public void filter(CoordinateSequence seq, int i) {
        pt[0] = seq.getX(i);
        pt[1] = seq.getY(i);
        try {
          transform.transform(pt, 0, pt, 0, 1);
        } catch (TransformException e) {
          throw new BoundaryReadException("unknown_crs", "A coordinate (" + seq.getX(i) + ", " + seq.getY(i)
              + ") cannot be transformed to WGS84: it lies outside the coordinate system's domain.", false, e);
        }
        if (shift != null) {
          double[] s = shift.toWgs84(pt[0], pt[1]);
          pt[0] = s[0];
          pt[1] = s[1];
        }
        seq.setOrdinate(i, 0, pt[0]);
        seq.setOrdinate(i, 1, pt[1]);
      }

      @Override
      public boolean isDone() {
        return false;
      }

      @Override
      public boolean isGeometryChanged() {
        return true;
      }
    });
    return copy;
  }
}
