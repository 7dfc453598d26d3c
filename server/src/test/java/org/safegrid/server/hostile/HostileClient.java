package org.safegrid.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;

/**
 * A plain HTTP client for hostile requests: raw query strings (no encoding done for us beyond what
 * the caller does), multipart uploads of bytes or files, and the checks every answer must pass.
 */
final class HostileClient {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String auth;
  private final String user;
  private final String password;

  HostileClient(int port, String user, String password) {
    this.base = "http://127.0.0.1:" + port;
    this.user = user;
    this.password = password;
    this.auth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  HttpResponse<String> get(String pathAndQuery) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).header("Authorization", auth)
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A GET without credentials, as a load balancer's health probe sends it. */
  HttpResponse<String> getAnonymous(String pathAndQuery) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(30)).GET()
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Signs in through the login form as a browser does (the login page's CSRF cookie, then the form
   * post) and returns the session cookie ({@code JSESSIONID=...}).
   */
  String formLogin() throws Exception {
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/login.html")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    String xsrf = page.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("XSRF-TOKEN="))
        .map(c -> c.split(";")[0].substring("XSRF-TOKEN=".length())).findFirst().orElseThrow();
    String form = "username=" + java.net.URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
        + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf=" + xsrf;
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/login"))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", "XSRF-TOKEN=" + xsrf)
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.headers().firstValue("Location").orElse("")).as("login redirect").doesNotContain("error");
    return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("JSESSIONID="))
        .map(c -> c.split(";")[0]).findFirst().orElseThrow();
  }

  /** A GET in a signed-in session (see {@link #formLogin()}) instead of Basic credentials. */
  HttpResponse<String> getInSession(String pathAndQuery, String sessionCookie) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).header("Cookie", sessionCookie)
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> postJson(String pathAndQuery, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).header("Authorization", auth)
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Multipart upload: text fields (name, value, ...) first, then the file part. Sends {@code datum=wgs84}
   * unless the fields name the datum; a null value leaves a field out.
   */
  HttpResponse<String> upload(String fileName, HttpRequest.BodyPublisher file, String... fields) throws Exception {
    String boundary = "----hostile" + UUID.randomUUID();
    StringBuilder head = new StringBuilder();
    boolean datum = false;
    for (int i = 0; i < fields.length; i += 2) {
      datum |= fields[i].equals("datum");
      if (fields[i + 1] != null) {
        head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"").append(fields[i])
            .append("\"\r\n\r\n").append(fields[i + 1]).append("\r\n");
      }
    }
    if (!datum) {
      head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"datum\"\r\n\r\n")
          .append("wgs84\r\n");
    }
    head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"file\"; filename=\"")
        .append(fileName).append("\"\r\nContent-Type: application/octet-stream\r\n\r\n");
    String tail = "\r\n--" + boundary + "--\r\n";
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.concat(
        HttpRequest.BodyPublishers.ofString(head.toString(), StandardCharsets.UTF_8), file,
        HttpRequest.BodyPublishers.ofString(tail));
    return http.send(HttpRequest.newBuilder(URI.create(base + "/api/uploads")).header("Authorization", auth)
        .header("Content-Type", "multipart/form-data; boundary=" + boundary).timeout(Duration.ofSeconds(125))
        .POST(body).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> upload(String fileName, byte[] bytes, String... fields) throws Exception {
    return upload(fileName, HttpRequest.BodyPublishers.ofByteArray(bytes), fields);
  }

  /** Asserts an answer leaks no stack trace, no Java exception name and no database error text. */
  static void noLeak(HttpResponse<String> r) {
    String b = r.body() == null ? "" : r.body();
    assertThat(b).as("body of %s", r.uri())
        .doesNotContain("\tat ", "at org.", "at java.", "Exception", "PSQL", "ERROR:", "SQLState", "org.postgresql",
            "syntax error", "relation \"");
    assertThat(r.statusCode()).as("%s -> %s", r.uri(), b).isNotEqualTo(500);
  }
}
