package org.safegrid.server.coast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.PrecisionModel;
import org.junit.jupiter.api.Test;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.TestGrids;

/**
 * The segments' cell overlaps, cut once per coastline and grid and reused for every risk window.
 *
 * <pre>
 *   row 1  [ 4 ][ 5 ][ 6 ][ 7 ]
 *   row 0  [ 0 ][ 1 ][ 2 ][ 3 ]     segment A: (0.5, 0.5) → (2.5, 0.5) in cell units, along row 0
 *                                   segment B: (3.5, 1.5) → (5.0, 1.5), half of it east of the grid
 * </pre>
 */
class CoastSegmentOverlapsTest {

  static final double LON0 = 114.40;
  static final double LAT0 = 23.08;
  static final double SIZE = 0.01;
  static final GeometryFactory GF = new GeometryFactory(new PrecisionModel(), 4326);

  static Geometry line(double x0, double y0, double x1, double y1) {
    return GF.createLineString(new Coordinate[] {new Coordinate(LON0 + x0 * SIZE, LAT0 + y0 * SIZE),
        new Coordinate(LON0 + x1 * SIZE, LAT0 + y1 * SIZE)});
  }

  static CoastSegmentService.Segments segments(String version, Geometry... lines) {
    return new CoastSegmentService.Segments(version, List.of(lines), new double[lines.length], null, 0, List.of());
  }

  @Test
  void aSegmentsRiskIsItsCellsScoresWeightedByTheShareOfItsLengthInEach() {
    GridModel grid = TestGrids.squares(4, 2, LON0, LAT0, SIZE);
    CoastSegmentService.Segments s = segments("1", line(0.5, 0.5, 2.5, 0.5), line(3.5, 1.5, 5.0, 1.5));
    double[] score = {8, 4, 2, 100, 100, 100, 100, 6};
    double[] risk = CoastSegmentService.CellOverlaps.of(s, grid).risk(score);
    // A: a quarter in cell 0, half in cell 1, a quarter in cell 2
    assertThat(risk[0]).isCloseTo(0.25 * 8 + 0.5 * 4 + 0.25 * 2, within(1e-9));
    // B: a third in cell 7, the rest outside the grid, which counts 0
    assertThat(risk[1]).isCloseTo(6.0 / 3, within(1e-9));
  }

  @Test
  void theOverlapsAreCutAgainForANewGridOrANewCoastlineAndReusedOtherwise() {
    CoastSegmentService service = new CoastSegmentService(null);
    GridModel grid = TestGrids.squares(4, 2, LON0, LAT0, SIZE);
    CoastSegmentService.Segments s = segments("1", line(0.5, 0.5, 2.5, 0.5));
    CoastSegmentService.CellOverlaps first = service.overlapsOf(s, grid);
    assertThat(service.overlapsOf(s, grid)).isSameAs(first);

    // another grid set: cells twice the size, three quarters of the segment in cell 0, a quarter in cell 1
    GridModel coarse = TestGrids.squares(2, 1, LON0, LAT0, 2 * SIZE);
    CoastSegmentService.CellOverlaps again = service.overlapsOf(s, coarse);
    assertThat(again).isNotSameAs(first);
    assertThat(again.risk(new double[] {10, 2})[0]).isCloseTo(0.75 * 10 + 0.25 * 2, within(1e-9));

    // the coastline edited (a new version): the segment moved to row 1
    CoastSegmentService.Segments moved = segments("2", line(0.5, 1.5, 2.5, 1.5));
    CoastSegmentService.CellOverlaps edited = service.overlapsOf(moved, grid);
    assertThat(edited).isNotSameAs(again);
    double[] score = {1, 1, 1, 1, 5, 5, 5, 5};
    assertThat(edited.risk(score)[0]).isCloseTo(5, within(1e-9));
  }
}
