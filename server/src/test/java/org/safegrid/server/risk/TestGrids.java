package org.safegrid.server.risk;

import java.util.ArrayList;
import java.util.List;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.PrecisionModel;

/** Small square grids in WGS84 for tests: nx × ny cells of {@code sizeDeg} degrees from (lon0, lat0), row-major. */
public final class TestGrids {

  private static final GeometryFactory GF = new GeometryFactory(new PrecisionModel(), 4326);

  private TestGrids() {}

  public static GridModel squares(int nx, int ny, double lon0, double lat0, double sizeDeg) {
    List<GridModel.Cell> cells = new ArrayList<>();
    for (int r = 0; r < ny; r++) {
      for (int c = 0; c < nx; c++) {
        double x = lon0 + c * sizeDeg;
        double y = lat0 + r * sizeDeg;
        Polygon p = GF.createPolygon(new Coordinate[] {new Coordinate(x, y), new Coordinate(x + sizeDeg, y),
            new Coordinate(x + sizeDeg, y + sizeDeg), new Coordinate(x, y + sizeDeg), new Coordinate(x, y)});
        int id = r * nx + c;
        cells.add(new GridModel.Cell(id, "C" + id, null, c < nx / 2 ? "D1" : "D2", "T" + (c / 2), null,
            sizeDeg * 111_000 * sizeDeg * 102_000, GF.createMultiPolygon(new Polygon[] {p})));
      }
    }
    return new GridModel(1, cells);
  }

  /** Centre lon/lat of cell (col,row). */
  public static double[] centre(int col, int row, double lon0, double lat0, double sizeDeg) {
    return new double[] {lon0 + (col + 0.5) * sizeDeg, lat0 + (row + 0.5) * sizeDeg};
  }
}
