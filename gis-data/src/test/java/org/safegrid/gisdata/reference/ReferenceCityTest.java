package org.safegrid.gisdata.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;

class ReferenceCityTest {

  private final ReferenceCity city = ReferenceCity.huizhou();

  @Test
  void fiveDistrictsWithTheirAdcodesAndChineseNames() {
    assertThat(city.districts()).extracting(Feature::code)
        .containsExactly("441302", "441303", "441322", "441323", "441324");
    assertThat(city.districts()).extracting(Feature::name).contains("惠城区", "龙门县");
  }

  @Test
  void gridHasAboutTheCitysNumberOfCellsAllOnLandWithUniqueCodesAndADistrict() {
    List<Feature> grid = city.grid();
    assertThat(grid.size()).isBetween(3000, 4000);
    Set<String> codes = new HashSet<>();
    for (Feature cell : grid) {
      assertThat(codes.add(cell.code())).as("unique code %s", cell.code()).isTrue();
      assertThat(cell.districtCode()).isNotNull();
      assertThat(cell.geometry().isValid()).as("valid %s", cell.code()).isTrue();
      assertThat(cell.geometry().getGeometryType()).isEqualTo("MultiPolygon");
    }
    // cells cover the land: their summed area is the land area within a few percent (slivers dropped)
    double cellArea = grid.stream().mapToDouble(f -> f.geometry().getArea()).sum();
    assertThat(cellArea / city.land().getArea()).isBetween(0.97, 1.0001);
  }

  @Test
  void coastlineIsAboutTheReportedLength() {
    double meters = city.coastline().stream().mapToDouble(f -> ReferenceCity.lengthMeters(f.geometry())).sum();
    // Huizhou reports 281 km of mainland coast; a full-resolution shoreline with islands is longer
    assertThat(meters / 1000).isBetween(250.0, 900.0);
  }

  @Test
  void syntheticLayersHaveTheirCountsLieOnLandAndAreLabelledSynthetic() {
    Geometry land = city.land().buffer(1e-9);
    assertThat(city.campuses()).hasSize(ReferenceCity.CAMPUS_COUNT);
    assertThat(city.checkpoints()).hasSize(ReferenceCity.CHECKPOINT_COUNT);
    assertThat(city.cameras()).hasSize(ReferenceCity.CAMERA_COUNT);
    for (List<Feature> layer : List.of(city.campuses(), city.checkpoints(), city.cameras())) {
      for (Feature f : layer) {
        assertThat(land.covers(f.geometry())).as("%s on land", f.code()).isTrue();
        assertThat(f.props()).containsEntry("synthetic", true);
      }
    }
  }

  @Test
  void generationIsRepeatableForASeedAndDiffersAcrossSeeds() {
    ReferenceCity again = new ReferenceCity(ReferenceCity.DEFAULT_SEED);
    assertThat(again.campuses().get(100).geometry()).isEqualTo(city.campuses().get(100).geometry());
    ReferenceCity other = new ReferenceCity(7);
    assertThat(other.campuses().get(100).geometry()).isNotEqualTo(city.campuses().get(100).geometry());
  }
}
