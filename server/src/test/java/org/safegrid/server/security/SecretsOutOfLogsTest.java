package org.safegrid.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.ingest.testing.TestDatabase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * No secret in the logs: a server started without an admin password writes the one it generates to a
 * file only its OS user can read and logs where, not what; a configured admin password that is not the
 * existing account's is called out instead of being taken for it; the database password is not logged.
 * The output is captured from before the server starts.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
        "spring.datasource.hikari.maximum-pool-size=4", "spring.datasource.hikari.minimum-idle=1",
        "safegrid.security.admin-password="})
class SecretsOutOfLogsTest {

  static Path secrets;
  static TestDatabase db;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    db = PostgisTestSupport.register(registry, SecretsOutOfLogsTest.class);
    secrets = Files.createTempDirectory("safegrid-secrets-test").resolve("secrets");
    registry.add("safegrid.security.secrets-dir", secrets::toString);
  }

  @LocalServerPort
  int port;
  @Autowired
  JdbcClient jdbc;
  @Autowired
  PasswordEncoder encoder;

  @Test
  void theGeneratedAdminPasswordGoesToAnOwnerOnlyFileAndNotToTheLog(CapturedOutput output) throws Exception {
    Path file = secrets.resolve("admin-password");
    assertThat(file).exists();
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(secrets)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    String password = Files.readString(file).strip();
    assertThat(password).hasSizeGreaterThanOrEqualTo(20);
    assertThat(output.getAll()).contains("Created account 'admin' with a generated password, written to "
        + file.toAbsolutePath()).doesNotContain(password);
    if (!db.password().isBlank()) {
      assertThat(output.getAll()).as("the database password").doesNotContain(db.password());
    }
    HttpResponse<String> me = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/api/me"))
        .header("Authorization", "Basic " + Base64.getEncoder()
            .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(me.statusCode()).as("the password in the file is the admin's").isEqualTo(200);
    // the generated TOTP key lives beside it, owner-only too
    assertThat(Files.getPosixFilePermissions(secrets.resolve("totp.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void aConfiguredAdminPasswordThatIsNotTheExistingAccountsIsCalledOut(CapturedOutput output) {
    SecurityProperties given = new SecurityProperties("not-the-admins-password-1", null, null, null, null, null, null,
        null, null, null, secrets, null, null);
    new UserAccountService(jdbc, encoder, given).ensureAdmin();
    assertThat(output.getAll()).contains(UserAccountService.ADMIN_PASSWORD_IGNORED)
        .doesNotContain("not-the-admins-password-1");
    String stored = jdbc.sql("SELECT password_hash FROM app_user WHERE username = 'admin'").query(String.class).single();
    assertThat(encoder.matches("not-the-admins-password-1", stored)).as("the account is left as it was").isFalse();
  }
}
