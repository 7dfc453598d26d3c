/**
 * Boundary uploads and the grid-set lifecycle.
 *
 * <p>Upload: the file is streamed to a temp file (size cap, SHA-256), read and validated by
 * gis-data; a file with blocking problems (unrepairable geometry, wrong type, missing or duplicate
 * codes) is refused with its report and only an audit record is written. Otherwise one transaction
 * writes the draft (grid_set 'draft' + grid_cell rows, or overlay_draft + a new overlay_feature
 * version), its report and the audit record.
 *
 * <p>Activation: one transaction archives the active grid set and activates the chosen one (the
 * unique partial index grid_set_one_active makes two active sets impossible), writes the audit
 * record, and after commit publishes {@link org.safegrid.server.upload.GridSetActivated}. Rollback
 * is activating an archived set. Overlay drafts switch overlay_layer.version the same way; a
 * coastline also derives the coastal_zone layer (geography buffer in PostGIS). Open alerts and
 * incidents keep their cell codes and gain the activated set's (alert_cell, incident_cell).
 *
 * <p>Scope and four eyes: {@link org.safegrid.server.upload.UploadScope} keeps a district-scoped
 * officer's uploads and activations inside the district; over the API every activation goes through
 * {@link org.safegrid.server.upload.ActivationRequests}, which turns one that moves a district's area
 * beyond the tolerance into a pending request for a second GIS administrator.
 */
package org.safegrid.server.upload;
