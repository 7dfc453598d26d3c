package org.safegrid.ingest.history;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.safegrid.ingest.event.Source;

/**
 * Maps the category text of a reporting system (a 110 call class, a 12345 complaint class, an offence
 * name in an open-data file) to SafeGrid's incident kinds, by the first matching piece of a table
 * ({@code incident/categories.csv}, or a file of the same layout). Unmatched text is {@code other}.
 * Immutable and thread-safe.
 */
public final class IncidentCategories {

  /** What a category maps to. */
  public record Mapping(String kind, int severity) {
  }

  private record Rule(String piece, Mapping mapping) {
  }

  /** The kind of a category that matches no row. */
  public static final Mapping OTHER = new Mapping("other", 1);

  private final List<Rule> rules;

  private IncidentCategories(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** The table shipped with SafeGrid. */
  public static IncidentCategories standard() {
    try (InputStream in = IncidentCategories.class.getResourceAsStream("/incident/categories.csv")) {
      if (in == null) {
        throw new IllegalStateException("incident/categories.csv missing from the classpath");
      }
      return read(new InputStreamReader(in, StandardCharsets.UTF_8), "incident/categories.csv");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads a table: lines {@code match,kind,severity} after a header line of those names; {@code #}
   * starts a comment line.
   *
   * @throws IllegalArgumentException naming the line and the reason when a line is not of that form
   */
  public static IncidentCategories read(Reader reader, String name) throws IOException {
    List<Rule> rules = new ArrayList<>();
    BufferedReader r = new BufferedReader(reader);
    String line;
    int n = 0;
    boolean header = false;
    while ((line = r.readLine()) != null) {
      n++;
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      String[] f = t.split(",", -1);
      if (!header) {
        if (f.length != 3 || !f[0].equals("match") || !f[1].equals("kind") || !f[2].equals("severity")) {
          throw new IllegalArgumentException(name + " line " + n + ": header must be match,kind,severity");
        }
        header = true;
        continue;
      }
      if (f.length != 3 || f[0].isBlank()) {
        throw new IllegalArgumentException(name + " line " + n + ": expected match,kind,severity, got '" + t + "'");
      }
      if (!Source.INCIDENT.kinds().contains(f[1])) {
        throw new IllegalArgumentException(name + " line " + n + ": kind '" + f[1] + "' is not one of "
            + Source.INCIDENT.kinds().stream().sorted().toList());
      }
      int severity;
      try {
        severity = Integer.parseInt(f[2]);
      } catch (NumberFormatException e) {
        severity = -1;
      }
      if (severity < 0 || severity > 5) {
        throw new IllegalArgumentException(name + " line " + n + ": severity '" + f[2] + "' is not 0 to 5");
      }
      rules.add(new Rule(f[0].toLowerCase(Locale.ROOT), new Mapping(f[1], severity)));
    }
    if (rules.isEmpty()) {
      throw new IllegalArgumentException(name + ": no mapping rows");
    }
    return new IncidentCategories(rules);
  }

  /** The kind and default severity of a category (the subcategory is tried when the category matches nothing). */
  public Mapping map(String category, String subcategory) {
    Mapping m = find(category);
    if (m == null) {
      m = find(subcategory);
    }
    return m == null ? OTHER : m;
  }

  private Mapping find(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String t = text.toLowerCase(Locale.ROOT);
    for (Rule rule : rules) {
      if (t.contains(rule.piece())) {
        return rule.mapping();
      }
    }
    return null;
  }
}
