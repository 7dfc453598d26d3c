package org.safegrid.server.locate;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What lies at one point: the live district, the town and the cell of the active grid set that
 * contain it. Each is null where there is none (outside the city, no live districts layer, no
 * active grid set, a cell without a town, or outside what a district-scoped caller may see).
 *
 * @param lon      the point's longitude (WGS84)
 * @param lat      the point's latitude (WGS84)
 * @param district the district of the live {@code districts} overlay layer containing the point
 * @param town     the town of the cell ({@code town_code}, {@code town_name}); the schema has no town polygons
 * @param cell     the cell of the active grid set containing the point
 */
// nulls are written out: "no district here" is part of the answer
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Location(double lon, double lat, Area district, Area town, Cell cell) {

  /** A named area: a district or a town. */
  public record Area(String code, String name) {
  }

  /**
   * A grid cell.
   *
   * @param id        the cell's id within its grid set ({@code cell_id})
   * @param gridSetId the active grid set it belongs to
   */
  public record Cell(int id, String code, String name, long gridSetId) {
  }
}
