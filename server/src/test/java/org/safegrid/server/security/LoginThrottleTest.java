package org.safegrid.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.safegrid.server.PostgisTestSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Login throttling on a real server and PostGIS, with clients on distinct loopback addresses
 * (127.0.0.x): an attacker guessing one account only slows it down, and the officer gets in after the
 * short backoff (a lockout would keep the officer out); an address spraying many accounts gets 429 and
 * other addresses do not; the waits double up to their caps.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
        "spring.datasource.hikari.maximum-pool-size=4", "spring.datasource.hikari.minimum-idle=1",
        "safegrid.security.admin-password=test-admin-pw-123", "safegrid.security.max-failed-logins=3",
        "safegrid.security.login-backoff=2s", "safegrid.security.lock-duration=8s",
        "safegrid.security.max-failed-logins-per-address=6", "safegrid.security.address-backoff-max=1m"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoginThrottleTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, LoginThrottleTest.class);
  }

  @LocalServerPort
  int port;
  @Autowired
  UserAccountService accounts;
  @Autowired
  JdbcClient jdbc;

  @BeforeAll
  void users() {
    accounts.createUser("duty", "duty-password-123", List.of(Role.VIEWER));
    for (int i = 0; i < 8; i++) {
      accounts.createUser("sprayed" + i, "sprayed-password-" + i, List.of(Role.VIEWER));
    }
  }

  /** The status line and headers of {@code GET /api/me} with Basic credentials, sent from {@code fromAddress}. */
  private String getMe(String fromAddress, String user, String password) throws Exception {
    try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(fromAddress), 0)) {
      s.setSoTimeout(20_000);
      String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().write(("GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic " + auth
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      s.getInputStream().transferTo(out);
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  private static int status(String answer) {
    return Integer.parseInt(answer.substring(9, 12));
  }

  private Instant backoffUntil(String user) {
    OffsetDateTime t = jdbc.sql("SELECT login_backoff_until FROM app_user WHERE username = ?").param(user)
        .query(OffsetDateTime.class).optional().orElse(null);
    return t == null ? null : t.toInstant();
  }

  private long audits(String where, Object... params) {
    return jdbc.sql("SELECT count(*) FROM audit_event WHERE " + where).params(params).query(Long.class).single();
  }

  @Test
  void anAttackerGuessingAnAccountSlowsItDownButDoesNotLockTheOfficerOut() throws Exception {
    String attacker = "127.0.0.11";
    String officer = "127.0.0.12";
    for (int i = 0; i < 3; i++) {
      assertThat(status(getMe(attacker, "duty", "guess-" + i))).isEqualTo(401);
    }
    Instant until = backoffUntil("duty");
    assertThat(until).as("the third failure starts a 1 s wait").isNotNull()
        .isBetween(Instant.now().minusSeconds(1), Instant.now().plusSeconds(3));
    assertThat(audits("action = 'account.backoff' AND object_id = 'duty'")).isEqualTo(1);
    // during the wait even the right password is not checked
    assertThat(status(getMe(officer, "duty", "duty-password-123"))).isEqualTo(401);
    sleepUntil(until);
    assertThat(status(getMe(officer, "duty", "duty-password-123")))
        .as("the officer gets in once the short wait is over: no lockout").isEqualTo(200);
    assertThat(backoffUntil("duty")).as("a success resets the count").isNull();

    // each further failure doubles the wait, up to lock-duration (8 s)
    for (int i = 0; i < 6; i++) {
      Instant before = backoffUntil("duty");
      if (before != null) {
        sleepUntil(before);
      }
      // from addresses of their own, so that the address throttle stays out of this account's count
      assertThat(status(getMe("127.0.0." + (30 + i), "duty", "guess-again-" + i))).isEqualTo(401);
    }
    // each wait as the server set it: from the failure's transaction to the end of the wait
    List<Long> waits = jdbc.sql("SELECT round(extract(epoch FROM ((detail->>'until')::timestamptz - at)) * 1000) "
        + "FROM audit_event WHERE action = 'account.backoff' AND object_id = 'duty' ORDER BY id").query(Long.class).list();
    assertThat(waits).hasSize(5);
    long[] expected = {2_000, 2_000, 4_000, 8_000, 8_000};
    for (int i = 0; i < expected.length; i++) {
      assertThat(waits.get(i)).as("wait %d of %s", i, waits).isBetween(expected[i] - 200, expected[i] + 500);
    }
    sleepUntil(backoffUntil("duty"));
    assertThat(status(getMe(officer, "duty", "duty-password-123"))).isEqualTo(200);
  }

  @Test
  void anAddressSprayingManyAccountsGets429AndOtherAddressesDoNot() throws Exception {
    String sprayer = "127.0.0.21";
    for (int i = 0; i < 6; i++) {
      assertThat(status(getMe(sprayer, "sprayed" + i, "Winter2024!"))).isEqualTo(401);
    }
    String answer = getMe(sprayer, "sprayed7", "sprayed-password-7");
    assertThat(status(answer)).as("right credentials, from the throttled address").isEqualTo(429);
    assertThat(answer).contains("login_throttled", "application/problem+json");
    assertThat(retryAfter(answer)).as("the first wait, 2 s").isBetween(1, 2);
    assertThat(status(getMe("127.0.0.22", "sprayed7", "sprayed-password-7"))).as("another address").isEqualTo(200);
    assertThat(audits("action = 'login.throttle' AND object_id = ? AND outcome = 'denied'", sprayer)).isEqualTo(1);
    // no account was pushed into a backoff by the spray (one failure each)
    assertThat(backoffUntil("sprayed0")).isNull();
    // after the wait, one more failure doubles it
    Thread.sleep(retryAfter(answer) * 1000L + 200);
    assertThat(status(getMe(sprayer, "sprayed0", "Summer2024!"))).isEqualTo(401);
    String second = getMe(sprayer, "sprayed7", "sprayed-password-7");
    assertThat(status(second)).isEqualTo(429);
    assertThat(retryAfter(second)).as("the second wait, 4 s").isBetween(3, 4);
  }

  private static int retryAfter(String answer) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)Retry-After: (\\d+)").matcher(answer);
    assertThat(m.find()).as("Retry-After in %s", answer).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static void sleepUntil(Instant t) throws InterruptedException {
    long ms = Duration.between(Instant.now(), t).toMillis() + 50;
    if (ms > 0) {
      Thread.sleep(ms);
    }
  }
}
