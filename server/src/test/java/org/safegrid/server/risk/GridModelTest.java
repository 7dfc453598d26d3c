package org.safegrid.server.risk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKTReader;

class GridModelTest {

  /*
   *  (0,2) +-------+-------+ (2,2)
   *        |   0   |   1   |      cell 1 is a square, cell 0 a square too;
   *  (0,1) +-------+-------+      cell 2 is an L-shaped hexagon under both
   *        |   2   |    ___|
   *        |       |___|  (2,0.5)   the notch (1.5..2, 0..0.5) belongs to no cell
   *  (0,0) +-----------+
   */
  static GridModel model() throws Exception {
    WKTReader r = new WKTReader();
    List<Geometry> g = List.of(
        r.read("MULTIPOLYGON (((0 1, 1 1, 1 2, 0 2, 0 1)))"),
        r.read("MULTIPOLYGON (((1 1, 2 1, 2 2, 1 2, 1 1)))"),
        r.read("MULTIPOLYGON (((0 0, 1.5 0, 1.5 0.5, 2 0.5, 2 1, 0 1, 0 0)))"));
    return new GridModel(7, List.of(
        new GridModel.Cell(10, "A", null, "D", null, null, 1, g.get(0)),
        new GridModel.Cell(11, "B", null, "D", null, null, 1, g.get(1)),
        new GridModel.Cell(12, "C", null, "D", null, null, 1, g.get(2))));
  }

  @Test
  void pointsInsideRectangularAndIrregularCells() throws Exception {
    GridModel m = model();
    assertThat(m.locate(0.5, 1.5)).isEqualTo(0);
    assertThat(m.locate(1.5, 1.5)).isEqualTo(1);
    assertThat(m.locate(0.5, 0.5)).isEqualTo(2);
    assertThat(m.locate(1.9, 0.7)).isEqualTo(2);
  }

  @Test
  void pointInTheNotchOfAnIrregularCellIsInNoCell() throws Exception {
    assertThat(model().locate(1.75, 0.25)).isEqualTo(-1);
  }

  @Test
  void pointOnSharedBorderGoesToTheLowestIndex() throws Exception {
    GridModel m = model();
    assertThat(m.locate(1.0, 1.5)).isEqualTo(0);
    assertThat(m.locate(0.5, 1.0)).isEqualTo(0);
    assertThat(m.locate(1.5, 1.0)).isEqualTo(1);
  }

  @Test
  void pointOutsideTheGridIsInNoCell() throws Exception {
    GridModel m = model();
    assertThat(m.locate(-0.1, 0.5)).isEqualTo(-1);
    assertThat(m.locate(2.5, 2.5)).isEqualTo(-1);
  }
}
