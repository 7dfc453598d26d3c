package org.safegrid.server.upload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** The upload report's JSON Schema as documented ({@code docs/schema/upload-report.schema.json}), for tests. */
final class ReportSchema {

  private static JsonSchema schema;

  private ReportSchema() {}

  /** The repository's {@code docs} folder, found from the module's working directory. */
  static Path docs() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("docs/schema"))) {
        return d.resolve("docs");
      }
    }
    throw new IllegalStateException("docs/schema not found above " + Path.of("").toAbsolutePath());
  }

  /** The schema violations of a report, empty when it conforms. */
  static synchronized List<String> violations(JsonNode report) {
    if (schema == null) {
      try {
        JsonNode s = new ObjectMapper().readTree(docs().resolve("schema/upload-report.schema.json").toFile());
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(s);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Set<ValidationMessage> errors = schema.validate(report);
    return errors.stream().map(ValidationMessage::getMessage).sorted().toList();
  }
}
