package org.safegrid.gisdata.validate;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What validation found in one boundary file, and the features as they would be stored.
 *
 * @param layer        the layer the file was uploaded as
 * @param featureCount number of features in the file
 * @param format       file format
 * @param crs          the source coordinate system as understood
 * @param encoding     attribute character set used
 * @param datum        wgs84 or gcj02
 * @param mapping      attribute mapping used
 * @param problems     problems found, in feature order, then pairs, then gaps
 * @param features     validated features (not part of the JSON report)
 */
public record ValidationReport(
    LayerKind layer, int featureCount, String format, String crs, String encoding, String datum,
    AttributeMapping mapping, List<Problem> problems, List<ValidatedFeature> features) {

  /** True if any problem stops the file from becoming a draft. */
  public boolean blocked() {
    return problems.stream().anyMatch(Problem::blocking);
  }

  /** Number of problems of each type, by JSON type name. */
  public Map<String, Integer> counts() {
    Map<String, Integer> m = new TreeMap<>();
    for (Problem p : problems) {
      m.merge(p.type().code(), 1, Integer::sum);
    }
    return m;
  }
}
