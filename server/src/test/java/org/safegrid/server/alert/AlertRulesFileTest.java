package org.safegrid.server.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.MapPropertySource;

/** The start-up check of the alert rules file: each refusal names the file, the line and the reason. */
class AlertRulesFileTest {

  private static final String HEAD = "safegrid:\n  alerts:\n    rules:\n";

  private static void check(String yaml) {
    AlertRulesFile.check("rules.yml", new StringReader(yaml));
  }

  @Test
  void theShippedRulesPass() throws Exception {
    try (var in = new InputStreamReader(AlertRulesFileTest.class.getResourceAsStream("/alert-rules.yml"),
        StandardCharsets.UTF_8)) {
      assertThatCode(() -> AlertRulesFile.check("alert-rules.yml", in)).doesNotThrowAnyException();
    }
  }

  @Test
  void anUnknownRuleKeyNamesItsLine() {
    assertThatThrownBy(() -> check(HEAD
        + "      - id: a\n"
        + "        type: event\n"
        + "        severity: high\n"
        + "        match: { source: camera }\n"
        + "        groupin: { key: rule }\n"))
        .isInstanceOf(AlertRulesFile.Invalid.class)
        .hasMessageStartingWith("rules.yml:8: rule 'a': unknown key 'groupin'");
  }

  @Test
  void anUnknownKeyInsideAGroupingNamesItsLine() {
    assertThatThrownBy(() -> check(HEAD
        + "      - id: a\n"
        + "        type: event\n"
        + "        severity: high\n"
        + "        match: { source: camera }\n"
        + "        grouping:\n"
        + "          key: rule\n"
        + "          radius: 500\n"))
        .hasMessageStartingWith("rules.yml:10: rule 'a': unknown key 'radius' in grouping");
  }

  @Test
  void aGroupingWindowOfZeroIsRefused() {
    assertThatThrownBy(() -> check(HEAD
        + "      - id: coastal\n"
        + "        type: event\n"
        + "        severity: high\n"
        + "        match: { source: camera }\n"
        + "        grouping:\n"
        + "          key: rule\n"
        + "          window: 0s\n"))
        .isInstanceOf(AlertRulesFile.Invalid.class)
        .hasMessage("rules.yml:10: rule 'coastal': grouping window must be positive, got 0s");
  }

  @Test
  void aFileThatDoesNotParseNamesTheLineOfTheProblem() {
    assertThatThrownBy(() -> check(HEAD
        + "      - id: a\n"
        + "        type: event\n"
        + "       severity: high\n"))
        .isInstanceOf(AlertRulesFile.Invalid.class)
        .hasMessageStartingWith("rules.yml:6: not valid YAML");
  }

  @Test
  void otherRefusals() {
    assertThatThrownBy(() -> check(HEAD + "      - id: a\n        type: event\n        severity: urgent\n"))
        .hasMessage("rules.yml:6: rule 'a': severity 'urgent' is not one of critical, high, low, medium");
    assertThatThrownBy(() -> check(HEAD + "      - id: a\n        type: event\n        severity: low\n"
        + "      - id: a\n        type: event\n        severity: low\n"))
        .hasMessage("rules.yml:7: rule 'a': the id is used twice");
    assertThatThrownBy(() -> check(HEAD + "      - id: a\n        type: event\n        severity: low\n"
        + "        grouping: { key: street }\n"))
        .hasMessageStartingWith("rules.yml:7: rule 'a': grouping key 'street' is not one of");
    assertThatThrownBy(() -> check(HEAD + "      - id: a\n        type: event\n        severity: low\n"
        + "        inhibit: { rules: [b], window: 10m }\n"))
        .hasMessage("rules.yml:7: rule 'a': inhibit needs radius-meters");
    assertThatThrownBy(() -> check("safegrid:\n  alerts:\n    enabled: true\n"))
        .hasMessageStartingWith("rules.yml:1: safegrid.alerts.rules must be a list");
    // Spring's relaxed names are the same keys
    assertThatCode(() -> check(HEAD + "      - id: a\n        type: event\n        severity: low\n"
        + "        dedupeBy: source\n        grouping: { key: cause, quietPeriod: 5m }\n")).doesNotThrowAnyException();
  }

  @Test
  void startUpStopsOnABrokenRulesFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("my-rules.yml");
    Files.writeString(file, HEAD + "      - id: a\n        type: event\n        severity: low\n"
        + "        grouping: { key: rule, window: 0m }\n");
    StandardEnvironment env = new StandardEnvironment();
    env.getPropertySources().addFirst(new MapPropertySource("test",
        java.util.Map.of("SAFEGRID_ALERT_RULES", "file:" + file)));
    assertThatThrownBy(() -> new AlertRulesCheck().postProcessEnvironment(env, new SpringApplication()))
        .hasMessage("file:" + file + ":7: rule 'a': grouping window must be positive, got 0m");
  }
}
