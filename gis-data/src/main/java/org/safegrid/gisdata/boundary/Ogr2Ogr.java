package org.safegrid.gisdata.boundary;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * GDAL's {@code ogr2ogr} run as a confined subprocess: one input driver, no network, CPU and
 * wall-clock limits.
 *
 * <p>GDAL's parsers are fuzzed continuously but untrusted files still belong outside the server's
 * process: a crash or a runaway parse kills the converter, never the server. The child gets a
 * minimal environment: HTTP and /vsicurl/ are disabled, drivers are restricted with
 * {@code -if} and {@code GDAL_SKIP}, and {@code prlimit} caps CPU seconds and address space when
 * present. Needs Debian's {@code gdal-bin}.
 */
public final class Ogr2Ogr {

  private final String executable;
  private final Duration timeout;

  public Ogr2Ogr(Duration timeout) {
    this("ogr2ogr", timeout);
  }

  public Ogr2Ogr(String executable, Duration timeout) {
    this.executable = executable;
    this.timeout = timeout;
  }

  /** The executable as configured: a name looked up on the PATH, or a path. */
  public String executable() {
    return executable;
  }

  /**
   * Why the converter cannot run here (not installed, not executable), or empty when it can. Cheap: a
   * look at the file system, no process is started.
   */
  public java.util.Optional<String> unavailableReason() {
    try {
      resolve(executable);
      return java.util.Optional.empty();
    } catch (ReaderUnavailableException e) {
      return java.util.Optional.of(e.getMessage());
    }
  }

  /** Finds the executable on the PATH (or checks the given path), failing with the install hint if it is not there. */
  static String resolve(String executable) {
    if (executable.contains("/")) {
      if (Files.isExecutable(Path.of(executable))) {
        return executable;
      }
      throw new ReaderUnavailableException("ogr2ogr", "GDAL's ogr2ogr, which reads Shapefiles, is not installed at the"
          + " configured path (safegrid.upload.ogr2ogr); install GDAL (Debian: apt-get install gdal-bin) or correct"
          + " the path. GeoJSON and GeoPackage uploads work without it.");
    }
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String d : path.split(java.io.File.pathSeparator)) {
      Path p = Path.of(d.isEmpty() ? "." : d, executable);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new ReaderUnavailableException("ogr2ogr", "GDAL's " + executable + ", which reads Shapefiles, is not"
        + " installed on this server; install GDAL (Debian: apt-get install gdal-bin). GeoJSON and GeoPackage uploads"
        + " work without it.");
  }

  /** The outcome of one run: exit code and what GDAL wrote on standard error. */
  public record Result(int exitCode, String stderr) {}

  /** Runs ogr2ogr with the given arguments (after the executable); throws if it is missing or times out. */
  public Result run(List<String> args, Path workDir) throws IOException {
    List<String> cmd = new ArrayList<>();
    Path prlimit = Path.of("/usr/bin/prlimit");
    long cpuSeconds = Math.max(1, timeout.toSeconds());
    if (Files.isExecutable(prlimit)) {
      cmd.addAll(List.of(prlimit.toString(), "--cpu=" + cpuSeconds, "--as=" + (4L << 30), "--"));
    }
    cmd.add(resolve(executable));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
    Map<String, String> env = pb.environment();
    String path = env.getOrDefault("PATH", "/usr/bin:/bin");
    env.clear();
    env.put("PATH", path);
    env.put("HOME", workDir.toString());
    env.put("GDAL_HTTP_TIMEOUT", "1");
    env.put("GDAL_HTTP_MAX_RETRY", "0");
    env.put("GDAL_HTTP_PROXY", "127.0.0.1:9");
    env.put("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", ".safegrid-no-remote-files");
    env.put("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR");
    env.put("OGR_SKIP", "VRT,OGR_VRT,CSV,KML,LIBKML,GML,NAS,SQLite,OSM,PGDump,WFS,OAPIF,ODS,XLSX");
    env.put("GDAL_SKIP", "VRT");
    env.put("GDAL_HTTP_USERPWD", "");
    Path err = workDir.resolve("ogr2ogr.stderr");
    pb.redirectErrorStream(false);
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.redirectError(err.toFile());
    Process proc = pb.start();
    try {
      if (!proc.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        proc.descendants().forEach(ProcessHandle::destroyForcibly);
        proc.destroyForcibly();
        throw BoundaryReadException.tooLarge("too_complex",
            "Converting the Shapefile took longer than " + timeout.toSeconds() + " s; refused.");
      }
    } catch (InterruptedException e) {
      proc.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while converting", e);
    }
    String stderr = Files.exists(err) ? new String(Files.readAllBytes(err), StandardCharsets.UTF_8) : "";
    return new Result(proc.exitValue(), stderr);
  }
}
