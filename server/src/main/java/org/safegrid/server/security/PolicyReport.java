package org.safegrid.server.security;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Prints the access-rule table of {@link SecurityConfig#endpointPolicy()} as Markdown, for
 * {@code docs/security.md}: one row per rule, in order, plus who may call it.
 */
public final class PolicyReport {

  private static final Pattern ANT = Pattern.compile("Ant \\[pattern='([^']*)'(?:, (\\w+))?]");

  private PolicyReport() {
  }

  /** The table as Markdown. */
  public static String markdown(EndpointPolicy policy) {
    StringBuilder sb = new StringBuilder();
    sb.append("| # | Requests | Who may call |\n|---|---|---|\n");
    int i = 1;
    for (EndpointPolicy.Rule rule : policy.rules()) {
      List<String> requests = new ArrayList<>();
      for (RequestMatcher m : rule.matchers()) {
        Matcher ant = ANT.matcher(m.toString());
        requests.add(ant.matches() ? "`" + (ant.group(2) == null ? "any" : ant.group(2)) + " " + ant.group(1) + "`"
            : "`" + m + "`");
      }
      sb.append("| ").append(i++).append(" | ").append(String.join(", ", requests)).append(" | ")
          .append(rule.who()).append(" |\n");
    }
    sb.append("| — | anything else | no one (401 anonymous, 403 signed in) |\n");
    return sb.toString();
  }

  public static void main(String[] args) {
    System.out.print(markdown(SecurityConfig.endpointPolicy()));
  }
}
