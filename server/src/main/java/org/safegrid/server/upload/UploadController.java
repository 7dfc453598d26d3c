package org.safegrid.server.upload;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.safegrid.gisdata.boundary.ReadOptions;
import org.safegrid.gisdata.validate.AttributeMapping;
import org.safegrid.gisdata.validate.LayerKind;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/** Boundary uploads and the grid-set lifecycle: upload to draft, report, activate, export. */
@RestController
class UploadController {

  private final UploadService uploads;
  private final GridSetLifecycle lifecycle;
  private final GridSetExport export;
  private final ScopeFilter scopes;
  private final GridSetDiff diffs;
  private final ActivationRequests activations;

  UploadController(UploadService uploads, GridSetLifecycle lifecycle, GridSetExport export, ScopeFilter scopes,
      GridSetDiff diffs, ActivationRequests activations) {
    this.uploads = uploads;
    this.activations = activations;
    this.diffs = diffs;
    this.lifecycle = lifecycle;
    this.export = export;
    this.scopes = scopes;
  }

  /** The answer to an upload: the draft and its validation report. */
  record UploadResponse(long draftId, String kind, String layer, String sha256, ObjectNode report,
                        Map<String, String> links) {}

  /**
   * Stores an uploaded file as a draft. {@code datum} is required (wgs84, cgcs2000 or gcj02); it is declared optional
   * here so that its absence is refused by {@link UploadService} with the reason {@code datum_required}
   * and audited like every other refused upload.
   */
  @PostMapping(path = "/api/uploads", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  ResponseEntity<UploadResponse> upload(@RequestParam("file") MultipartFile file, @RequestParam("layer") String layer,
      @RequestParam(required = false) String epsg, @RequestParam(required = false) String encoding,
      @RequestParam(required = false) String datum, @RequestParam(required = false) String layerName,
      @RequestParam(required = false) String codeField, @RequestParam(required = false) String nameField,
      @RequestParam(required = false) String districtField, @RequestParam(required = false) String townField,
      Principal principal, HttpServletRequest request) throws IOException {
    LayerKind kind = LayerKind.of(layer);
    String name = file.getOriginalFilename() == null ? "upload" : Path.of(file.getOriginalFilename().replace('\\', '/'))
        .getFileName().toString();
    var req = new UploadService.UploadRequest(name, kind, new ReadOptions(epsg, encoding, datum, layerName),
        AttributeMapping.of(codeField, nameField, districtField, townField));
    UploadService.Draft d;
    try (InputStream in = file.getInputStream()) {
      d = uploads.upload(in, req, actor(principal, request));
    }
    String base = d.kind().equals("grid-set") ? "/api/grid-sets/" + d.id() : "/api/overlay-drafts/" + d.id();
    Map<String, String> links = new LinkedHashMap<>();
    links.put("report", base + "/report");
    links.put("activate", base + "/activate");
    if (d.kind().equals("grid-set")) {
      links.put("diff", base + "/diff");
      links.put("cells", base + "/cells");
      links.put("export", base + "/export?format=geojson");
    }
    return ResponseEntity.status(HttpStatus.CREATED)
        .body(new UploadResponse(d.id(), d.kind(), kind.apiName(), d.sha256(), d.report(), links));
  }

  /** 200 with the activation, or 202 with a pending four-eyes request (see {@link ActivationRequests}). */
  @PostMapping("/api/grid-sets/{id}/activate")
  ResponseEntity<Object> activateGridSet(@PathVariable long id, Principal principal, HttpServletRequest request) {
    return answer(activations.activateGridSet(id, actor(principal, request)));
  }

  @GetMapping("/api/activation-requests")
  java.util.List<ActivationRequests.Request> activationRequests() {
    return activations.listPending();
  }

  @GetMapping("/api/activation-requests/{id}")
  ActivationRequests.Request activationRequest(@PathVariable long id) {
    return activations.get(id);
  }

  /** A second GIS administrator approves; the target is activated. The requester is refused (403). */
  @PostMapping("/api/activation-requests/{id}/approve")
  GridSetLifecycle.Activation approve(@PathVariable long id, Principal principal, HttpServletRequest request) {
    return activations.approve(id, actor(principal, request));
  }

  @PostMapping("/api/activation-requests/{id}/reject")
  ActivationRequests.Request reject(@PathVariable long id, Principal principal, HttpServletRequest request) {
    return activations.reject(id, actor(principal, request));
  }

  private static ResponseEntity<Object> answer(ActivationRequests.Outcome outcome) {
    if (outcome instanceof ActivationRequests.Pending p) {
      return ResponseEntity.status(HttpStatus.ACCEPTED)
          .body(Map.of("status", "pending", "request", p.request(),
              "links", Map.of("approve", "/api/activation-requests/" + p.request().id() + "/approve",
                  "reject", "/api/activation-requests/" + p.request().id() + "/reject")));
    }
    return ResponseEntity.ok(((ActivationRequests.Activated) outcome).activation());
  }

  /** What activating the set would change against the live one (or {@code against}): see {@link GridSetDiff}. */
  @GetMapping("/api/grid-sets/{id}/diff")
  GridSetDiff.Diff diffGridSet(@PathVariable long id, @RequestParam(required = false) Long against) {
    return diffs.diff(id, against);
  }

  @DeleteMapping("/api/grid-sets/{id}")
  ResponseEntity<Void> discardGridSet(@PathVariable long id, Principal principal, HttpServletRequest request) {
    lifecycle.discardGridSet(id, actor(principal, request));
    return ResponseEntity.noContent().build();
  }

  @PostMapping("/api/overlay-drafts/{id}/activate")
  ResponseEntity<Object> activateOverlay(@PathVariable long id, Principal principal, HttpServletRequest request) {
    return answer(activations.activateOverlay(id, actor(principal, request)));
  }

  @GetMapping(path = "/api/grid-sets/{id}/report", produces = MediaType.APPLICATION_JSON_VALUE)
  String gridSetReport(@PathVariable long id) {
    return lifecycle.gridSetReport(id);
  }

  @GetMapping(path = "/api/overlay-drafts/{id}/report", produces = MediaType.APPLICATION_JSON_VALUE)
  String overlayReport(@PathVariable long id) {
    return lifecycle.overlayDraftReport(id);
  }

  @GetMapping("/api/grid-sets/{id}/export")
  void exportGridSet(@PathVariable long id, @RequestParam(defaultValue = "geojson") String format,
      @RequestParam(defaultValue = "wgs84") String crs,
      Principal principal, HttpServletRequest request, HttpServletResponse response) throws IOException {
    String district = scopes.current().districtCodeOrNull();
    String name = export.name(id).replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("\\.(zip|geojson|json|gpkg)$", "");
    int srid = srid(id, crs);
    switch (format) {
      case "geojson" -> {
        export.audit(id, format, actor(principal, request));
        response.setContentType("application/geo+json");
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION,
            "attachment; filename=\"grid-set-" + id + "-" + name + ".geojson\"");
        export.writeGeoJson(id, response.getOutputStream(), district, srid);
      }
      case "gpkg" -> {
        Path dir = Files.createTempDirectory("safegrid-export");
        Path file = dir.resolve("grid-set.gpkg");
        try {
          export.writeGeoPackage(id, file, district, srid);
          export.audit(id, format, actor(principal, request));
          response.setContentType("application/geopackage+sqlite3");
          response.setHeader(HttpHeaders.CONTENT_DISPOSITION,
              "attachment; filename=\"grid-set-" + id + "-" + name + ".gpkg\"");
          response.setContentLengthLong(Files.size(file));
          Files.copy(file, response.getOutputStream());
        } finally {
          Files.deleteIfExists(file);
          Files.deleteIfExists(dir);
        }
      }
      default -> throw new IllegalArgumentException("format must be geojson or gpkg, not \"" + format + "\"");
    }
  }

  /** {@code crs}: wgs84 (default), source (the system the set was uploaded in) or an EPSG code such as 4547. */
  private int srid(long id, String crs) {
    String c = crs.trim().toLowerCase(java.util.Locale.ROOT).replaceFirst("^epsg:", "");
    int srid;
    if (c.equals("wgs84") || c.equals("4326")) {
      return 4326;
    } else if (c.equals("source")) {
      srid = export.sourceEpsg(id).orElseThrow(() -> new IllegalArgumentException(
          "crs=source: grid set " + id + " has no known source coordinate system; ask for an EPSG code or wgs84."));
    } else if (c.matches("\\d{4,6}")) {
      srid = Integer.parseInt(c);
    } else {
      throw new IllegalArgumentException("crs must be wgs84, source or an EPSG code such as 4547, not \"" + crs + "\"");
    }
    export.requireKnownSrid(srid);
    return srid;
  }

  static Actor actor(Principal principal, HttpServletRequest request) {
    return new Actor(principal == null ? null : principal.getName(), request.getRemoteAddr());
  }
}
