package org.safegrid.server.ogc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** GDAL's ogrinfo as an OGC API client, authenticating with HTTP Basic as QGIS's connection does; for tests. */
public final class OgrInfo {

  private OgrInfo() {}

  /** Runs ogrinfo with the arguments as {@code user}; fails the test if it is missing, slow or fails. */
  public static String run(String user, String password, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("ogrinfo");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("GDAL_HTTP_USERPWD", user + ":" + password);
    pb.environment().put("GDAL_HTTP_AUTH", "BASIC");
    Path out = Files.createTempFile("ogrinfo", ".txt");
    pb.redirectOutput(out.toFile());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new AssertionError("ogrinfo is missing: install GDAL (Debian: apt-get install gdal-bin)", e);
    }
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("ogrinfo did not finish in 120 s");
    }
    String text = Files.readString(out);
    Files.deleteIfExists(out);
    assertThat(p.exitValue()).as(text).isZero();
    return text;
  }
}
