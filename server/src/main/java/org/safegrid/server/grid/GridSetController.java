package org.safegrid.server.grid;

import java.util.List;
import org.safegrid.server.geojson.BoundingBox;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.security.DistrictScope;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/grid-sets} and {@code GET /api/grid-sets/{id}/cells}. */
@RestController
class GridSetController {

  private final GridSetService gridSets;
  private final DistrictScope scope;

  GridSetController(GridSetService gridSets, DistrictScope scope) {
    this.gridSets = gridSets;
    this.scope = scope;
  }

  @GetMapping("/api/grid-sets")
  List<GridSetService.GridSet> list() {
    return gridSets.listGridSets();
  }

  @GetMapping(value = "/api/grid-sets/{id}/cells", produces = {"application/geo+json", "application/json"})
  GeoJsonFeatureCollection cells(@PathVariable long id, @RequestParam(required = false) String bbox) {
    return gridSets.getCells(id, BoundingBox.parse(bbox), scope.districtCodeOrNull());
  }
}
