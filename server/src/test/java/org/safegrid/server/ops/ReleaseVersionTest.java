package org.safegrid.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Node;

/**
 * The version in the POMs and CHANGELOG.md agree, as RELEASING.md asks: a {@code -SNAPSHOT} version
 * collects changes under "Unreleased"; a release version has its own dated section, the newest one.
 */
class ReleaseVersionTest {

  private static final Path ROOT = Path.of("..");

  @Test
  void thePomVersionAndTheChangelogAgree() throws Exception {
    String version = projectVersion(ROOT.resolve("pom.xml"));
    String changelog = Files.readString(ROOT.resolve("CHANGELOG.md"));
    Matcher first = Pattern.compile("(?m)^## (.+)$").matcher(changelog);
    assertThat(first.find()).as("CHANGELOG.md has no '## ' section").isTrue();
    if (version.endsWith("-SNAPSHOT")) {
      assertThat(first.group(1).strip()).as("the newest CHANGELOG section of development version %s", version)
          .isEqualTo("Unreleased");
    } else {
      assertThat(first.group(1)).as("the newest CHANGELOG section of release %s", version)
          .matches("\\[" + Pattern.quote(version) + "] — \\d{4}-\\d{2}-\\d{2}");
    }
    // every module builds the same version
    for (String module : new String[] {"gis-data", "ingest", "web", "server"}) {
      Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
          .parse(ROOT.resolve(module).resolve("pom.xml").toFile());
      Node parentVersion = (Node) javax.xml.xpath.XPathFactory.newInstance().newXPath()
          .evaluate("/project/parent/version", pom, javax.xml.xpath.XPathConstants.NODE);
      assertThat(parentVersion).as(module + "/pom.xml names no parent version").isNotNull();
      assertThat(parentVersion.getTextContent().strip()).as(module).isEqualTo(version);
    }
  }

  private static String projectVersion(Path pom) throws Exception {
    Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    return javax.xml.xpath.XPathFactory.newInstance().newXPath().evaluate("/project/version", d).strip();
  }
}
