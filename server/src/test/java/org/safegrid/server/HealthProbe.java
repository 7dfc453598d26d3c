package org.safegrid.server;

import static org.assertj.core.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Waits for a freshly started server's health to turn UP. Right after start the risk engine loads
 * its first grid and the last week of events, and health is rightly OUT_OF_SERVICE (503) until it
 * is done; how long that takes depends on the machine, so a test that checks health must wait for
 * the load, not race it. Fails with the administrator's view of every component if health is not
 * UP within the time allowed, so a real outage reads as one.
 */
public final class HealthProbe {

  private HealthProbe() {
  }

  /** Polls anonymous {@code /actuator/health} until it answers 200, at most {@code timeout}. */
  public static void awaitUp(int port, String adminUser, String adminPassword, Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create("http://127.0.0.1:" + port + "/actuator/health");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        return;
      }
      if (System.nanoTime() > deadline) {
        String basic = Base64.getEncoder().encodeToString((adminUser + ":" + adminPassword)
            .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> details = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Basic " + basic)
            .build(), HttpResponse.BodyHandlers.ofString());
        fail("health not UP within %s: last anonymous answer %d; components: %s", timeout, r.statusCode(),
            details.body());
      }
      Thread.sleep(200);
    }
  }
}
