package org.safegrid.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The compose stack's replicas, checked without a container engine: {@code docker-compose.yml}
 * parses, the server service can be scaled (no host port of its own, a health check, a stop grace
 * period above the graceful shutdown), a balancer service is the one way in and mounts its nginx
 * configuration, and that configuration passes {@code nginx -t} (the upstream's service name
 * replaced by a local address, since nothing resolves it here) with the live stream unbuffered.
 */
class ComposeReplicasConfigTest {

  private static final Path ROOT = Path.of("..");
  private static final Path NGINX = Path.of(System.getenv().getOrDefault("SAFEGRID_NGINX", "/usr/sbin/nginx"));

  @SuppressWarnings("unchecked")
  private static Map<String, Object> services() throws IOException {
    Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
    return (Map<String, Object>) compose.get("services");
  }

  @Test
  @SuppressWarnings("unchecked")
  void theServerScalesBehindTheBalancerThatIsTheOneWayIn() throws IOException {
    Map<String, Object> services = services();
    Map<String, Object> server = (Map<String, Object>) services.get("server");
    Map<String, Object> balancer = (Map<String, Object>) services.get("balancer");
    assertThat(server).as("server service").isNotNull().doesNotContainKey("ports");
    assertThat(server).containsKey("healthcheck");
    assertThat(String.valueOf(((Map<String, Object>) server.get("healthcheck")).get("test"))).contains("readiness");
    assertThat(((Map<String, Object>) server.get("deploy")).get("replicas")).isEqualTo(2);
    // longer than the drain (10 s) and the graceful shutdown (20 s per phase), so a stop is not a kill
    assertThat(String.valueOf(server.get("stop_grace_period"))).isEqualTo("45s");
    assertThat(balancer).as("balancer service").isNotNull();
    assertThat((List<String>) balancer.get("ports")).containsExactly("${SAFEGRID_PORT:-8080}:8080");
    assertThat((List<String>) balancer.get("volumes"))
        .containsExactly("./ops/nginx/balancer.conf:/etc/nginx/conf.d/default.conf:ro");
    assertThat((Map<String, Object>) balancer.get("depends_on")).containsKey("server");
    for (Map.Entry<String, Object> s : services.entrySet()) {
      Map<String, Object> deploy = (Map<String, Object>) ((Map<String, Object>) s.getValue()).get("deploy");
      if (!s.getKey().equals("migrate")) {
        assertThat(deploy).as("deploy of " + s.getKey()).isNotNull();
        assertThat((Map<String, Object>) ((Map<String, Object>) deploy.get("resources")).get("limits"))
            .as("memory limit of " + s.getKey()).containsKey("memory");
      }
    }
  }

  @Test
  void theBalancerConfigurationPassesNginxAndCarriesTheLiveStreamUnbuffered(@TempDir Path dir) throws Exception {
    if (!Files.isExecutable(NGINX)) {
      throw new AssertionError("nginx not found at " + NGINX + " (install the Debian package nginx, or set "
          + "SAFEGRID_NGINX to its binary)");
    }
    String conf = Files.readString(ROOT.resolve("ops/nginx/balancer.conf"));
    assertThat(conf).contains("server server:8080");
    String upstream = conf.substring(conf.indexOf("upstream safegrid_replicas"));
    upstream = upstream.substring(0, upstream.indexOf('}'));
    // sessions are shared in PostgreSQL: no replica is pinned to a client
    assertThat(upstream).contains("least_conn;").doesNotContain("ip_hash", "hash ", "sticky");
    // nginx OSS checks passively: a replica that refuses connections (it stopped after its drain) is left
    // out; more than one failure, so that one failed request on the other replica does not leave none
    assertThat(upstream).contains("max_fails=3 fail_timeout=5s");
    String live = conf.substring(conf.indexOf("location = /api/live"));
    live = live.substring(0, live.indexOf('}'));
    assertThat(live).contains("proxy_buffering off", "proxy_read_timeout 1h");
    assertThat(conf).contains("proxy_next_upstream error timeout http_502 http_503 http_504");
    Path site = dir.resolve("balancer.conf");
    Files.writeString(site, conf.replace("server server:8080", "server 127.0.0.1:8080"));
    Path main = dir.resolve("nginx.conf");
    Files.writeString(main, "pid " + dir.resolve("nginx.pid") + ";\nerror_log stderr;\nevents {}\nhttp {\n"
        + "  access_log off;\n  client_body_temp_path " + dir + ";\n  proxy_temp_path " + dir + ";\n"
        + "  fastcgi_temp_path " + dir + ";\n  uwsgi_temp_path " + dir + ";\n  scgi_temp_path " + dir + ";\n"
        + "  include " + site + ";\n}\n");
    Process p = new ProcessBuilder(NGINX.toString(), "-t", "-p", dir.toString(), "-c", main.toString())
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("nginx -t finished").isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("nginx -t said: " + out).isZero();
    assertThat(out).contains("syntax is ok");
  }
}
