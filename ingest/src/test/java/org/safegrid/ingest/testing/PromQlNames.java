package org.safegrid.ingest.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names that the shipped monitoring (ops/prometheus alert rules, ops/grafana dashboard)
 * queries, so tests can check each against what a running process really exports. A small reader of
 * the PromQL the project writes, not a PromQL parser: it drops label matchers, grouping clauses, range
 * selectors and string literals, then keeps the identifiers that are not PromQL functions or keywords.
 */
public final class PromQlNames {

  /** PromQL functions, aggregations and keywords the shipped expressions use (and common others). */
  private static final Set<String> NOT_METRICS = Set.of("sum", "min", "max", "avg", "count", "stddev", "stdvar",
      "topk", "bottomk", "quantile", "count_values", "group", "by", "without", "on", "ignoring", "group_left",
      "group_right", "and", "or", "unless", "bool", "offset", "rate", "irate", "increase", "delta", "idelta",
      "deriv", "time", "timestamp", "abs", "absent", "absent_over_time", "changes", "resets", "clamp", "clamp_max",
      "clamp_min", "histogram_quantile", "label_replace", "label_join", "vector", "scalar", "sort", "sort_desc",
      "avg_over_time", "max_over_time", "min_over_time", "sum_over_time", "count_over_time", "last_over_time",
      "predict_linear", "round", "ceil", "floor", "exp", "ln", "log2", "log10", "sqrt", "Inf", "NaN", "inf", "nan");

  private static final Pattern LABELS = Pattern.compile("\\{[^}]*}");
  private static final Pattern GROUPING = Pattern.compile(
      "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
  private static final Pattern IDENT = Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\\w.])(\\s*\\()?");

  private PromQlNames() {
  }

  /** The metric names queried by one PromQL expression. */
  public static Set<String> metricNames(String expr) {
    String e = STRING.matcher(expr).replaceAll(" ");
    e = LABELS.matcher(e).replaceAll(" ");
    e = GROUPING.matcher(e).replaceAll(" ");
    e = RANGE.matcher(e).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENT.matcher(e);
    while (m.find()) {
      boolean call = m.group(2) != null;
      String name = m.group(1);
      if (!call && !NOT_METRICS.contains(name) && !name.matches("\\d.*")) {
        names.add(name);
      }
    }
    return names;
  }

  /** Rule group name → the metric names its alert rules query, from a Prometheus rule file. */
  public static Map<String, Set<String>> ruleGroups(Path rules) throws IOException {
    Map<String, Set<String>> groups = new LinkedHashMap<>();
    String group = null;
    for (String line : Files.readAllLines(rules)) {
      Matcher g = Pattern.compile("^\\s*-\\s*name:\\s*(\\S+)").matcher(line);
      if (g.find()) {
        group = g.group(1);
        groups.put(group, new TreeSet<>());
        continue;
      }
      Matcher x = Pattern.compile("^\\s*expr:\\s*(.+)$").matcher(line);
      if (x.find() && group != null) {
        groups.get(group).addAll(metricNames(x.group(1)));
      }
    }
    return groups;
  }

  /** Every {@code expr} of a Grafana dashboard's panels. */
  public static List<String> dashboardExpressions(Path dashboard) throws IOException {
    List<String> out = new ArrayList<>();
    collect(new ObjectMapper().readTree(dashboard.toFile()), out);
    return out;
  }

  private static void collect(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(f -> {
        if ("expr".equals(f.getKey()) && f.getValue().isTextual()) {
          out.add(f.getValue().asText());
        } else {
          collect(f.getValue(), out);
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> collect(n, out));
    }
  }

  /**
   * The series names in a Prometheus text-format scrape, and the family names of its {@code # TYPE}
   * lines (so a histogram's {@code _count} and its family both count as present).
   */
  public static Set<String> exported(String scrape) {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        names.add(line.split(" ")[2]);
      } else if (!line.isBlank() && !line.startsWith("#")) {
        Matcher m = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)").matcher(line);
        if (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }
}
