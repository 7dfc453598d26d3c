package org.safegrid.server.alert;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;

/**
 * Checks the alert rules file with {@link AlertRulesFile} before Spring reads it (before the config
 * data processing that imports it), so that start-up stops with the file, line and reason instead of
 * a binding error, or a typo ignored. The file is the one {@code application.yml} imports:
 * {@code SAFEGRID_ALERT_RULES} (e.g. {@code file:/etc/safegrid/alert-rules.yml}), else the shipped
 * {@code classpath:alert-rules.yml}. Registered in {@code META-INF/spring.factories}.
 */
public class AlertRulesCheck implements EnvironmentPostProcessor, Ordered {

  /** Where the rules come from: the same expression as {@code spring.config.import} in application.yml. */
  static final String LOCATION = "${SAFEGRID_ALERT_RULES:classpath:alert-rules.yml}";

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    String location = environment.resolvePlaceholders(LOCATION).replaceFirst("^optional:", "");
    Resource resource = new DefaultResourceLoader().getResource(location);
    if (!resource.exists()) {
      throw new IllegalStateException("alert rules file " + location + " does not exist (SAFEGRID_ALERT_RULES)");
    }
    String name = resource.getFilename() == null ? location : location.replaceFirst("^classpath:", "");
    try (Reader r = new InputStreamReader(resource.getInputStream(), StandardCharsets.UTF_8)) {
      AlertRulesFile.check(name, r);
    } catch (IOException e) {
      throw new IllegalStateException("alert rules file " + location + " cannot be read: " + e.getMessage(), e);
    }
  }

  @Override
  public int getOrder() {
    // before ConfigDataEnvironmentPostProcessor (HIGHEST_PRECEDENCE + 10), which would fail on a broken file first
    return Ordered.HIGHEST_PRECEDENCE + 5;
  }
}
