package org.safegrid.server.ogc;

/**
 * One collection served by the OGC API – Features endpoint, declared as SQL fragments.
 *
 * <p>Adding a collection is one bean: e.g. the engine registers
 * <pre>{@code
 * @Bean OgcCollection riskCollection() {
 *   return new OgcCollection("risk", "Grid risk", "Risk score per cell of the active grid set",
 *       "grid_risk r JOIN grid_cell c ON ...", "true", "c.cell_id", "c.geom",
 *       "jsonb_build_object('code', c.code, 'score', r.score)");
 * }
 * }</pre>
 * The fragments are fixed by the code that registers them, never taken from a request; the
 * request only supplies the bbox numbers, limit and offset, all bound as parameters.
 *
 * @param id          collection id in URLs ({@code /ogc/collections/{id}})
 * @param title       human title
 * @param description what the features are
 * @param from        FROM clause (tables and joins)
 * @param filter      WHERE condition selecting the live rows ({@code "true"} for all)
 * @param idExpr      SQL expression of the feature id (unique, integer or text)
 * @param geomExpr    SQL expression of the WGS84 geometry (SRID 4326)
 * @param propsExpr   SQL expression of a jsonb object of properties
 * @param districtExpr SQL expression of the row's district code, by which district-scoped users are
 *                    confined; null for a collection every user sees whole (e.g. the districts themselves)
 */
public record OgcCollection(String id, String title, String description, String from, String filter, String idExpr,
                            String geomExpr, String propsExpr, String districtExpr) {

  public OgcCollection {
    if (id == null || !id.matches("[a-z][a-z0-9_-]*")) {
      throw new IllegalArgumentException("OGC collection id must be lower-case letters, digits, - or _: " + id);
    }
  }

  /** A collection without district rows: every user sees it whole. */
  public OgcCollection(String id, String title, String description, String from, String filter, String idExpr,
                       String geomExpr, String propsExpr) {
    this(id, title, description, from, filter, idExpr, geomExpr, propsExpr, null);
  }
}
