package org.safegrid.server.ogc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.NoSuchElementException;
import org.safegrid.server.geojson.BoundingBox;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * OGC API – Features, Part 1 (Core, GeoJSON) under {@code /ogc}: landing page, conformance,
 * collections, items with bbox/limit/offset paging and single items, as QGIS and GDAL read them.
 * A district-scoped user gets its district's rows of the district-bound collections (grid cells,
 * campuses, checkpoints, cameras); another district's feature is "not found".
 */
@RestController
class OgcController {

  static final MediaType GEO_JSON = MediaType.parseMediaType("application/geo+json");
  private static final String CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
  private static final int DEFAULT_LIMIT = 100;
  private static final int MAX_LIMIT = 10_000;

  private final OgcCollections collections;
  private final ObjectMapper json;
  private final ScopeFilter scopes;

  OgcController(OgcCollections collections, ObjectMapper json, ScopeFilter scopes) {
    this.collections = collections;
    this.json = json;
    this.scopes = scopes;
  }

  @GetMapping(path = {"/ogc", "/ogc/"}, produces = {MediaType.APPLICATION_JSON_VALUE, "*/*"})
  ResponseEntity<ObjectNode> landing(@RequestParam(required = false) String f) {
    checkFormat(f);
    String base = base();
    ObjectNode o = json.createObjectNode();
    o.put("title", "SafeGrid");
    o.put("description", "Management grids, overlays and risk layers of SafeGrid as OGC API – Features");
    ArrayNode links = o.putArray("links");
    link(links, base, "self", "application/json", "This document");
    link(links, base + "/conformance", "conformance", "application/json", "Conformance classes");
    link(links, base + "/collections", "data", "application/json", "Collections");
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(o);
  }

  @GetMapping(path = "/ogc/conformance", produces = {MediaType.APPLICATION_JSON_VALUE, "*/*"})
  ResponseEntity<ObjectNode> conformance(@RequestParam(required = false) String f) {
    checkFormat(f);
    ObjectNode o = json.createObjectNode();
    ArrayNode c = o.putArray("conformsTo");
    c.add("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core");
    c.add("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson");
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(o);
  }

  @GetMapping(path = "/ogc/collections", produces = {MediaType.APPLICATION_JSON_VALUE, "*/*"})
  ResponseEntity<ObjectNode> collections(@RequestParam(required = false) String f) {
    checkFormat(f);
    String base = base();
    ObjectNode o = json.createObjectNode();
    link(o.putArray("links"), base + "/collections", "self", "application/json", "Collections");
    ArrayNode list = o.putArray("collections");
    for (OgcCollection c : collections.list()) {
      list.add(describe(c, base));
    }
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(o);
  }

  @GetMapping(path = "/ogc/collections/{id}", produces = {MediaType.APPLICATION_JSON_VALUE, "*/*"})
  ResponseEntity<ObjectNode> collection(@PathVariable String id, @RequestParam(required = false) String f) {
    checkFormat(f);
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(describe(collections.get(id), base()));
  }

  @GetMapping(path = "/ogc/collections/{id}/items", produces = {"application/geo+json", MediaType.APPLICATION_JSON_VALUE, "*/*"})
  ResponseEntity<ObjectNode> items(@PathVariable String id, @RequestParam(required = false) String bbox,
      @RequestParam(required = false) Integer limit, @RequestParam(required = false) Long offset,
      @RequestParam(required = false) String f, HttpServletRequest request) {
    checkFormat(f);
    OgcCollection c = collections.get(id);
    int lim = limit == null ? DEFAULT_LIMIT : limit;
    if (lim < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
    lim = Math.min(lim, MAX_LIMIT);
    long off = offset == null ? 0 : offset;
    if (off < 0) {
      throw new IllegalArgumentException("offset must not be negative");
    }
    BoundingBox box = BoundingBox.parse(bbox);
    DataScope scope = scopes.current();
    if (c.districtExpr() != null) {
      scopes.noteFiltered(scope, box, "ogc_" + c.id());
    }
    OgcCollections.Page page = collections.items(c, box, lim, off, scope);
    ObjectNode o = json.createObjectNode();
    o.put("type", "FeatureCollection");
    ArrayNode features = o.putArray("features");
    for (OgcCollections.Item item : page.items()) {
      features.add(feature(item));
    }
    o.put("numberMatched", page.numberMatched());
    o.put("numberReturned", page.items().size());
    o.put("timeStamp", Instant.now().toString());
    ArrayNode links = o.putArray("links");
    UriComponentsBuilder self = ServletUriComponentsBuilder.fromRequest(request);
    link(links, self.replaceQueryParam("offset", off).replaceQueryParam("limit", lim).toUriString(), "self",
        "application/geo+json", "This page");
    if (off + page.items().size() < page.numberMatched()) {
      link(links, self.replaceQueryParam("offset", off + lim).replaceQueryParam("limit", lim).toUriString(), "next",
          "application/geo+json", "Next page");
    }
    link(links, base() + "/collections/" + c.id(), "collection", "application/json", c.title());
    return ResponseEntity.ok().contentType(GEO_JSON).body(o);
  }

  @GetMapping(path = "/ogc/collections/{id}/items/{featureId}",
      produces = {"application/geo+json", MediaType.APPLICATION_JSON_VALUE, "*/*"})
  ResponseEntity<ObjectNode> item(@PathVariable String id, @PathVariable String featureId,
      @RequestParam(required = false) String f) {
    checkFormat(f);
    OgcCollection c = collections.get(id);
    OgcCollections.Item item = collections.item(c, featureId, scopes.current())
        .orElseThrow(() -> new NoSuchElementException("There is no feature " + featureId + " in " + id + "."));
    ObjectNode o = feature(item);
    ArrayNode links = o.putArray("links");
    link(links, base() + "/collections/" + c.id() + "/items/" + featureId, "self", "application/geo+json", null);
    link(links, base() + "/collections/" + c.id(), "collection", "application/json", c.title());
    return ResponseEntity.ok().contentType(GEO_JSON).body(o);
  }

  private ObjectNode feature(OgcCollections.Item item) {
    ObjectNode f = json.createObjectNode();
    f.put("type", "Feature");
    if (item.id() instanceof Number n) {
      f.put("id", n.longValue());
    } else {
      f.put("id", String.valueOf(item.id()));
    }
    try {
      f.set("geometry", item.geometry() == null ? null : json.readTree(item.geometry()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("PostGIS GeoJSON did not parse", e);
    }
    f.set("properties", json.valueToTree(item.properties()));
    return f;
  }

  private ObjectNode describe(OgcCollection c, String base) {
    ObjectNode o = json.createObjectNode();
    // "synthetic" is data: the flag and the title's "(synthetic)" only while the live data is generated
    boolean synthetic = collections.synthetic(c);
    o.put("id", c.id());
    o.put("title", synthetic ? c.title() + " (synthetic)" : c.title());
    o.put("description", synthetic ? c.description() + "; synthetic: generated with a fixed seed as a stand-in "
        + "where no open data exists" : c.description());
    o.put("synthetic", synthetic);
    o.put("itemType", "feature");
    o.putArray("crs").add(CRS84);
    OgcCollections.Extent e = collections.extent(c, scopes.current());
    ObjectNode spatial = o.putObject("extent").putObject("spatial");
    ArrayNode box = spatial.putArray("bbox").addArray();
    if (e == null) {
      box.add(-180).add(-90).add(180).add(90);
    } else {
      box.add(e.minLon()).add(e.minLat()).add(e.maxLon()).add(e.maxLat());
    }
    spatial.put("crs", CRS84);
    ArrayNode links = o.putArray("links");
    link(links, base + "/collections/" + c.id(), "self", "application/json", c.title());
    link(links, base + "/collections/" + c.id() + "/items", "items", "application/geo+json", c.title() + " features");
    return o;
  }

  private static void link(ArrayNode links, String href, String rel, String type, String title) {
    ObjectNode l = links.addObject();
    l.put("href", href);
    l.put("rel", rel);
    l.put("type", type);
    if (title != null) {
      l.put("title", title);
    }
  }

  private static String base() {
    return ServletUriComponentsBuilder.fromCurrentContextPath().path("/ogc").toUriString();
  }

  private static void checkFormat(String f) {
    if (f != null && !f.equals("json") && !f.equals("geojson")) {
      throw new IllegalArgumentException("f must be json (HTML is not offered)");
    }
  }
}
