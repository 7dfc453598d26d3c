package org.safegrid.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.UserAccountService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The GIS officer's page in a real headless Chromium: sign in, drop a grid file with defects (not sent
 * until a datum is chosen), read the report, then a clean file and activate it. Leaves a screenshot in target/.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "safegrid.ingest.enabled=false", "safegrid.reference.load=false", "safegrid.security.admin-password=test-admin-pw"})
class UploadPageBrowserTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, UploadPageBrowserTest.class);
  }

  @LocalServerPort
  int port;
  @Autowired
  UserAccountService accounts;

  @TempDir
  Path tmp;

  @Test
  void officerSeesProblemsThenActivatesACleanGrid() throws Exception {
    accounts.createUser("gis", "gis-pw", List.of(Role.GIS_ADMIN));
    Path chromedriver = Path.of("/usr/bin/chromedriver");
    if (!Files.isExecutable(chromedriver)) {
      throw new AssertionError("chromedriver is missing: apt-get install chromium chromium-driver");
    }
    System.setProperty("webdriver.chrome.driver", chromedriver.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,900");
    WebDriver driver = new ChromeDriver(options);
    try {
      WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
      String base = "http://127.0.0.1:" + port;
      driver.get(base + "/login.html");
      driver.findElement(By.id("username")).sendKeys("gis");
      driver.findElement(By.id("password")).sendKeys("gis-pw");
      driver.findElement(By.id("login-submit")).click();
      wait.until(ExpectedConditions.not(ExpectedConditions.urlContains("login")));
      driver.get(base + "/upload.html");

      Path defects = tmp.resolve("defects.geojson");
      Files.write(defects, UploadFixtures.collection(List.of(
          UploadFixtures.cell("A", 114.40, 23.10, 0.01),
          UploadFixtures.cell("A", 114.41, 23.10, 0.01),
          UploadFixtures.wktFeature("B", "{\"type\":\"Polygon\",\"coordinates\":[[[114.42,23.10],[114.43,23.11],"
              + "[114.43,23.10],[114.42,23.11],[114.42,23.10]]]}"))));
      driver.findElement(By.id("file")).sendKeys(defects.toString());
      // the datum has no default: without a choice the form does not send
      assertThat(driver.findElements(By.cssSelector("input[name=datum]:checked"))).isEmpty();
      driver.findElement(By.id("upload-button")).click();
      assertThat(((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
          "return document.getElementById('upload-form').checkValidity()")).isEqualTo(false);
      assertThat(driver.findElement(By.id("result")).isDisplayed()).isFalse();
      driver.findElement(By.id("datum-wgs84")).click();
      driver.findElement(By.id("upload-button")).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("result-title"), "422"));
      List<String> problems = driver.findElements(By.cssSelector("#problems li")).stream()
          .map(e -> e.getText()).toList();
      assertThat(problems).hasSize(2);
      assertThat(problems).anyMatch(t -> t.startsWith("[duplicate_code]"));
      assertThat(problems).anyMatch(t -> t.startsWith("[invalid_geometry]") && t.contains("Self-intersection"));
      Files.write(Path.of("target/upload-page-refused.png"),
          ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));

      Path clean = tmp.resolve("clean.geojson");
      Files.write(clean, UploadFixtures.grid(100, 0.01, "C"));
      driver.findElement(By.id("file")).sendKeys(clean.toString());
      driver.findElement(By.id("upload-button")).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("result-title"), "Draft stored"));
      ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("window.confirm = function () { return true; };");
      driver.findElement(By.id("activate")).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("activate-result"), "Activated"));
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#grid-sets tr.active"), "clean.geojson"));
      Files.write(Path.of("target/upload-page-activated.png"),
          ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    } finally {
      driver.quit();
    }
  }
}
