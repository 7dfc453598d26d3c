package org.safegrid.server.upload;

import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.util.LinkedMultiValueMap;

/** The multipart body of {@code POST /api/uploads} as the upload page sends it, for tests posting with a REST template. */
public final class UploadForms {

  private UploadForms() {}

  /**
   * The file and its fields; {@code params} are name/value pairs, a null value leaves the field out,
   * and {@code datum=wgs84} is added unless {@code params} name the datum.
   */
  public static HttpEntity<LinkedMultiValueMap<String, Object>> form(String fileName, byte[] bytes, String layer,
                                                                     String... params) {
    LinkedMultiValueMap<String, Object> form = new LinkedMultiValueMap<>();
    form.add("file", new ByteArrayResource(bytes) {
      @Override
      public String getFilename() {
        return fileName;
      }
    });
    form.add("layer", layer);
    boolean datum = false;
    for (int i = 0; i < params.length; i += 2) {
      datum |= params[i].equals("datum");
      if (params[i + 1] != null) {
        form.add(params[i], params[i + 1]);
      }
    }
    if (!datum) {
      form.add("datum", "wgs84");
    }
    HttpHeaders h = new HttpHeaders();
    h.setContentType(MediaType.MULTIPART_FORM_DATA);
    return new HttpEntity<>(form, h);
  }
}
