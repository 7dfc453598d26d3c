package org.safegrid.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.safegrid.server.PostgisTestSupport;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Reliability check 37, transport: the {@code https} profile with a self-signed keystore made by
 * {@code keytool} at test time, probed with {@code curl} (OpenSSL, security level 0 so that the client is
 * willing to offer anything): TLS 1.0 and 1.1 refused by the server, TLS 1.2 and 1.3 accepted, and on
 * TLS 1.2 only forward-secret AES-GCM or ChaCha20-Poly1305 suites negotiated.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
        "safegrid.security.admin-password=test-admin-pw-123", "spring.datasource.hikari.maximum-pool-size=2"})
@ActiveProfiles("https")
class TlsProfileTest {

  /** curl's exit code when the TLS handshake fails (CURLE_SSL_CONNECT_ERROR). */
  private static final int HANDSHAKE_FAILED = 35;

  /**
   * TLS 1.2 suites with RSA authentication that OpenSSL 3 can offer. The server must accept exactly
   * the ECDHE + AES-GCM / ChaCha20 ones.
   */
  private static final List<String> TLS12_SUITES = List.of(
      "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-CHACHA20-POLY1305",
      "DHE-RSA-AES256-GCM-SHA384", "DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-CHACHA20-POLY1305",
      "AES256-GCM-SHA384", "AES128-GCM-SHA256", "AES256-CCM", "AES128-CCM8", "DHE-RSA-AES256-CCM",
      "ECDHE-ARIA256-GCM-SHA384", "ECDHE-RSA-AES256-SHA384", "ECDHE-RSA-AES128-SHA256", "ECDHE-RSA-AES256-SHA",
      "ECDHE-RSA-AES128-SHA", "DHE-RSA-AES256-SHA256", "DHE-RSA-AES128-SHA", "AES256-SHA256", "AES128-SHA",
      "ECDHE-RSA-CAMELLIA256-SHA384");
  private static final Pattern NEGOTIATED = Pattern.compile("SSL connection using (TLSv[0-9.]+) / (\\S+)");

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    PostgisTestSupport.register(registry, TlsProfileTest.class);
    Path dir = Files.createTempDirectory("safegrid-tls");
    Path keystore = dir.resolve("tls.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "safegrid", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
        "-keystore", keystore.toString(), "-storepass", "test-keystore-pw", "-keypass", "test-keystore-pw")
        .redirectErrorStream(true).start();
    String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0).as("keytool: %s", out).isTrue();
    keystore.toFile().deleteOnExit();
    dir.toFile().deleteOnExit();
    registry.add("SAFEGRID_TLS_KEYSTORE", () -> "file:" + keystore);
    registry.add("SAFEGRID_TLS_KEYSTORE_PASSWORD", () -> "test-keystore-pw");
  }

  @LocalServerPort
  int port;

  private record Curl(int exit, String stdout, String stderr) {

    String negotiated() {
      Matcher m = NEGOTIATED.matcher(stderr);
      return m.find() ? m.group(1) + " " + m.group(2) : "";
    }
  }

  private Curl curl(String... options) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-k", "-v", "--max-time", "20", "-o", "/dev/null",
        "-w", "%{http_code}"));
    cmd.addAll(List.of(options));
    cmd.add("https://127.0.0.1:" + port + "/actuator/health");
    Process p;
    try {
      p = new ProcessBuilder(cmd).start();
    } catch (IOException e) {
      throw new AssertionError("curl is needed for the TLS check (apt-get install curl): " + e.getMessage(), e);
    }
    byte[] stdout = p.getInputStream().readAllBytes();
    byte[] stderr = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Curl(p.exitValue(), new String(stdout, StandardCharsets.UTF_8), new String(stderr, StandardCharsets.UTF_8));
  }

  @Test
  void tls10And11AreRefusedByTheServer() throws Exception {
    for (String v : List.of("1.0", "1.1")) {
      Curl c = curl("--tlsv" + v, "--tls-max", v, "--ciphers", "DEFAULT:@SECLEVEL=0");
      assertThat(c.exit).as("TLS %s: %s", v, c.stderr).isEqualTo(HANDSHAKE_FAILED);
      // the client did offer it: the failure is the server's alert, not a local refusal
      assertThat(c.stderr).as("TLS %s", v).contains("Client hello");
    }
  }

  @Test
  void tls12And13AreAcceptedWithAeadSuites() throws Exception {
    Curl v13 = curl("--tlsv1.3");
    assertThat(v13.exit).as(v13.stderr).isZero();
    assertThat(v13.stdout).isEqualTo("200");
    assertThat(v13.negotiated()).startsWith("TLSv1.3 TLS_AES_");
    Curl v12 = curl("--tlsv1.2", "--tls-max", "1.2");
    assertThat(v12.exit).as(v12.stderr).isZero();
    assertThat(v12.stdout).isEqualTo("200");
    assertThat(v12.negotiated()).matches("TLSv1.2 ECDHE-RSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)");
    // HSTS on the HTTPS answer
    Curl head = curl("-D", "-", "--tlsv1.2");
    assertThat(head.stdout.toLowerCase()).contains("strict-transport-security: max-age=31536000");
  }

  @Test
  void onTls12OnlyForwardSecretAesGcmOrChaCha20SuitesAreAccepted() throws Exception {
    List<String> accepted = new ArrayList<>();
    for (String suite : TLS12_SUITES) {
      Curl c = curl("--tlsv1.2", "--tls-max", "1.2", "--ciphers", suite + ":@SECLEVEL=0");
      assertThat(c.exit).as("%s: %s", suite, c.stderr).isIn(0, HANDSHAKE_FAILED);
      if (c.exit == 0) {
        accepted.add(suite);
      }
    }
    assertThat(accepted).containsExactlyInAnyOrder("ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-CHACHA20-POLY1305");
  }
}
