package org.safegrid.server.alert;

import java.io.Reader;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.convert.DurationStyle;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Checks an alert rules file ({@code alert-rules.yml}) before Spring binds it, on the YAML node tree
 * so that every refusal names the file and line: a file that does not parse, a key no rule knows
 * (a typo would otherwise be ignored silently), a missing id, type or severity, a duplicate id, and a
 * grouping or inhibition window, quiet period or radius that is not positive or a grouping key that
 * does not exist. Plain Java; no state.
 */
public final class AlertRulesFile {

  /** A rules file that must not be used; the message is {@code file:line: reason}. */
  public static final class Invalid extends IllegalStateException {
    Invalid(String file, int line, String reason) {
      super(file + ":" + line + ": " + reason);
    }
  }

  private static final Set<String> RULE_KEYS = Set.of("id", "type", "title", "severity", "match", "geofence",
      "schedule", "dedupe-by", "levels", "categories", "nearest-units", "grouping", "inhibit", "threshold");
  private static final Map<String, Set<String>> SECTION_KEYS = Map.of(
      "match", Set.of("source", "kinds", "attrs"),
      "geofence", Set.of("layer", "trigger", "dwell", "hysteresis-meters", "buffer-meters"),
      "threshold", Set.of("count", "window"),
      "grouping", Set.of("key", "window", "radius-meters", "quiet-period"),
      "inhibit", Set.of("rules", "radius-meters", "window"));
  private static final Set<String> SCHEDULE_KEYS = Set.of("days", "from", "to");
  private static final Set<String> TYPES = Set.of("event", "risk-level", "emerging-hotspot", "silence");
  private static final Set<String> SEVERITIES = Set.of("low", "medium", "high", "critical");

  private final String file;

  private AlertRulesFile(String file) {
    this.file = file;
  }

  /**
   * Checks the rules file read from {@code text}; {@code file} names it in messages. Throws
   * {@link Invalid} at the first problem.
   */
  public static void check(String file, Reader text) {
    new AlertRulesFile(file).check(text);
  }

  private void check(Reader text) {
    Node root;
    try {
      root = new Yaml(new LoaderOptions()).compose(text);
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw new Invalid(file, m == null ? 1 : m.getLine() + 1, "not valid YAML: " + e.getProblem());
    } catch (YAMLException e) {
      throw new Invalid(file, 1, "not valid YAML: " + e.getMessage());
    }
    if (root == null) {
      throw new Invalid(file, 1, "the file is empty; it needs safegrid.alerts.rules");
    }
    Node rules = path(root, "safegrid", "alerts", "rules");
    if (!(rules instanceof SequenceNode list)) {
      throw new Invalid(file, line(rules == null ? root : rules), "safegrid.alerts.rules must be a list of rules");
    }
    Set<String> ids = new HashSet<>();
    for (Node r : list.getValue()) {
      checkRule(r, ids);
    }
  }

  private void checkRule(Node node, Set<String> ids) {
    MappingNode rule = mapping(node, "a rule");
    String id = scalarAt(rule, "id");
    if (id == null || id.isBlank()) {
      throw new Invalid(file, line(rule), "a rule needs an id");
    }
    String where = "rule '" + id + "'";
    if (!ids.add(id)) {
      throw new Invalid(file, line(rule), where + ": the id is used twice");
    }
    for (NodeTuple t : rule.getValue()) {
      String key = key(t);
      if (!RULE_KEYS.contains(key)) {
        throw new Invalid(file, line(t.getKeyNode()), where + ": unknown key '" + keyText(t) + "' (known: "
            + String.join(", ", RULE_KEYS.stream().sorted().toList()) + ")");
      }
      if (SECTION_KEYS.containsKey(key)) {
        MappingNode section = mapping(t.getValueNode(), where + ": " + key);
        for (NodeTuple s : section.getValue()) {
          // match.attrs holds attribute names of the source: any key
          if (!SECTION_KEYS.get(key).contains(key(s))) {
            throw new Invalid(file, line(s.getKeyNode()), where + ": unknown key '" + keyText(s) + "' in " + key
                + " (known: " + String.join(", ", SECTION_KEYS.get(key).stream().sorted().toList()) + ")");
          }
        }
      }
      if (key.equals("schedule")) {
        if (!(t.getValueNode() instanceof SequenceNode windows)) {
          throw new Invalid(file, line(t.getValueNode()), where + ": schedule must be a list of windows");
        }
        for (Node w : windows.getValue()) {
          for (NodeTuple s : mapping(w, where + ": a schedule window").getValue()) {
            if (!SCHEDULE_KEYS.contains(key(s))) {
              throw new Invalid(file, line(s.getKeyNode()), where + ": unknown key '" + keyText(s)
                  + "' in a schedule window (known: days, from, to)");
            }
          }
        }
      }
    }
    requireOneOf(rule, "type", TYPES, where);
    requireOneOf(rule, "severity", SEVERITIES, where);
    Node grouping = child(rule, "grouping");
    if (grouping != null) {
      positiveDuration(grouping, "window", where + ": grouping");
      positiveDuration(grouping, "quiet-period", where + ": grouping");
      positiveNumber(grouping, "radius-meters", where + ": grouping");
      String key = scalarAt(grouping, "key");
      if (key != null && !AlertRule.Grouping.KEYS.contains(key) && !(key.startsWith("attr:") && key.length() > 5)) {
        throw new Invalid(file, line(child(grouping, "key")), where + ": grouping key '" + key + "' is not one of "
            + String.join(", ", AlertRule.Grouping.KEYS) + " or attr:NAME");
      }
    }
    Node inhibit = child(rule, "inhibit");
    if (inhibit != null) {
      positiveDuration(inhibit, "window", where + ": inhibit");
      if (child(inhibit, "radius-meters") == null) {
        throw new Invalid(file, line(inhibit), where + ": inhibit needs radius-meters");
      }
      positiveNumber(inhibit, "radius-meters", where + ": inhibit");
    }
  }

  private void requireOneOf(MappingNode rule, String key, Set<String> allowed, String where) {
    String v = scalarAt(rule, key);
    if (v == null) {
      throw new Invalid(file, line(rule), where + ": " + key + " is required (one of "
          + String.join(", ", allowed.stream().sorted().toList()) + ")");
    }
    if (!allowed.contains(v.toLowerCase(Locale.ROOT).replace('_', '-'))) {
      throw new Invalid(file, line(child(rule, key)), where + ": " + key + " '" + v + "' is not one of "
          + String.join(", ", allowed.stream().sorted().toList()));
    }
  }

  private void positiveDuration(Node section, String key, String where) {
    Node n = child(section, key);
    if (n == null) {
      return;
    }
    Duration d;
    try {
      d = DurationStyle.detectAndParse(scalar(n, where + " " + key));
    } catch (IllegalArgumentException e) {
      throw new Invalid(file, line(n), where + " " + key + " '" + scalar(n, where + " " + key)
          + "' is not a duration (e.g. 15m, 1h, PT30M)");
    }
    if (d.isZero() || d.isNegative()) {
      throw new Invalid(file, line(n), where + " " + key + " must be positive, got " + scalar(n, where + " " + key));
    }
  }

  private void positiveNumber(Node section, String key, String where) {
    Node n = child(section, key);
    if (n == null) {
      return;
    }
    String text = scalar(n, where + " " + key);
    double v;
    try {
      v = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new Invalid(file, line(n), where + " " + key + " '" + text + "' is not a number");
    }
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new Invalid(file, line(n), where + " " + key + " must be positive, got " + text);
    }
  }

  private MappingNode mapping(Node n, String what) {
    if (n instanceof MappingNode m) {
      return m;
    }
    throw new Invalid(file, line(n), what + " must be a mapping of keys to values");
  }

  private String scalar(Node n, String what) {
    if (n instanceof ScalarNode s) {
      return s.getValue();
    }
    throw new Invalid(file, line(n), what + " must be a single value");
  }

  /** The scalar value under a key of a mapping, or null when absent. */
  private String scalarAt(Node mapping, String key) {
    Node n = child(mapping, key);
    return n == null ? null : scalar(n, key);
  }

  private static Node child(Node mapping, String key) {
    if (mapping instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        if (key(t).equals(key)) {
          return t.getValueNode();
        }
      }
    }
    return null;
  }

  private static Node path(Node root, String... keys) {
    Node n = root;
    for (String k : keys) {
      n = child(n, k);
      if (n == null) {
        return null;
      }
    }
    return n;
  }

  /** The key in Spring's canonical form: camelCase and snake_case as kebab-case, lower case. */
  private static String key(NodeTuple t) {
    String raw = keyText(t);
    return raw.replaceAll("([a-z0-9])([A-Z])", "$1-$2").replace('_', '-').toLowerCase(Locale.ROOT);
  }

  private static String keyText(NodeTuple t) {
    return t.getKeyNode() instanceof ScalarNode s ? s.getValue() : String.valueOf(t.getKeyNode());
  }

  private static int line(Node n) {
    return n.getStartMark() == null ? 1 : n.getStartMark().getLine() + 1;
  }

}
