package org.safegrid.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@link AuditLog} the only writer of {@code audit_event} in the server's code, so that every
 * audit row is written under its same-transaction rule.
 */
class AuditWritersTest {

  @Test
  void onlyAuditLogInsertsIntoAuditEvent() throws IOException {
    Path sources = Path.of("src/main/java");
    assertThat(sources).as("run from the server module").isDirectory();
    List<String> writers;
    try (Stream<Path> files = Files.walk(sources)) {
      writers = files.filter(f -> f.toString().endsWith(".java"))
          .filter(f -> !f.getFileName().toString().equals("AuditLog.java"))
          .filter(f -> {
            try {
              return Files.readString(f).toLowerCase(Locale.ROOT).replaceAll("\\s+", " ")
                  .contains("insert into audit_event");
            } catch (IOException e) {
              throw new IllegalStateException(e);
            }
          })
          .map(Path::toString).toList();
    }
    assertThat(writers).as("classes writing audit rows without AuditLog").isEmpty();
  }
}
