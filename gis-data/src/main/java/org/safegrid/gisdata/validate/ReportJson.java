package org.safegrid.gisdata.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.geojson.GeoJsonWriter;

/**
 * Writes a validation report as JSON: the one place where its JTS geometries become GeoJSON.
 *
 * <p>Shape: {@code {layer, featureCount, format, crs, encoding, datum, mapping:{codeField, ...,
 * guessed:[...]}, blocked, counts:{type:n}, problems:[{type, blocking, featureIndex, code,
 * otherFeatureIndex, otherCode, message, areaM2, repairable, fileValue, foundValue, location}],
 * problemTypes:{type:{severity, advice}}}}; the contract is {@code docs/schema/upload-report.schema.json}.
 */
public final class ReportJson {

  private final ObjectMapper mapper;

  public ReportJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public ObjectNode toJson(ValidationReport r) {
    ObjectNode o = mapper.createObjectNode();
    o.put("layer", r.layer().apiName());
    o.put("featureCount", r.featureCount());
    o.put("format", r.format());
    o.put("crs", r.crs());
    o.put("encoding", r.encoding());
    o.put("datum", r.datum());
    ObjectNode m = o.putObject("mapping");
    m.put("codeField", r.mapping().codeField());
    m.put("nameField", r.mapping().nameField());
    m.put("districtField", r.mapping().districtField());
    m.put("townField", r.mapping().townField());
    m.put("townNameField", r.mapping().townNameField());
    ArrayNode guessed = m.putArray("guessed");
    r.mapping().guessed().forEach(guessed::add);
    o.put("blocked", r.blocked());
    ObjectNode counts = o.putObject("counts");
    r.counts().forEach(counts::put);
    ArrayNode problems = o.putArray("problems");
    ObjectNode types = mapper.createObjectNode();
    for (Problem p : r.problems()) {
      problems.add(problem(p));
      if (!types.has(p.type().code())) {
        ObjectNode t = types.putObject(p.type().code());
        t.put("severity", p.type().severity().label());
        t.put("advice", p.type().advice());
      }
    }
    o.set("problemTypes", types);
    return o;
  }

  /** One problem as JSON. */
  public ObjectNode problem(Problem p) {
    ObjectNode j = mapper.createObjectNode();
    j.put("type", p.type().code());
    j.put("blocking", p.blocking());
    if (p.featureIndex() != null) {
      j.put("featureIndex", p.featureIndex());
    }
    if (p.code() != null) {
      j.put("code", p.code());
    }
    if (p.otherIndex() != null) {
      j.put("otherFeatureIndex", p.otherIndex());
    }
    if (p.otherCode() != null) {
      j.put("otherCode", p.otherCode());
    }
    j.put("message", p.message());
    if (p.areaM2() != null) {
      j.put("areaM2", Math.round(p.areaM2() * 10) / 10.0);
    }
    if (p.repairable() != null) {
      j.put("repairable", p.repairable());
    }
    if (p.fileValue() != null || p.foundValue() != null) {
      j.put("fileValue", p.fileValue());
      j.put("foundValue", p.foundValue());
    }
    j.set("location", p.location() == null ? null : geoJson(p.location()));
    return j;
  }

  /** A JTS geometry as a GeoJSON geometry object. */
  public JsonNode geoJson(Geometry g) {
    GeoJsonWriter w = new GeoJsonWriter(8);
    w.setEncodeCRS(false);
    try {
      return mapper.readTree(w.write(g));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("GeoJSON of a JTS geometry did not parse", e);
    }
  }
}
