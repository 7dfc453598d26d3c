package org.safegrid.server.browser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium driven through Selenium and Debian's chromedriver. Never downloads a
 * browser: when Chromium or its driver is missing the test fails and says what to install.
 */
public final class Browser implements AutoCloseable {

  private static final String CHROMIUM = System.getenv().getOrDefault("SAFEGRID_CHROMIUM", "/usr/bin/chromium");
  private static final String DRIVER = System.getenv().getOrDefault("SAFEGRID_CHROMEDRIVER", "/usr/bin/chromedriver");

  private final ChromeDriver driver;
  private final String base;

  public Browser(String baseUrl) {
    for (String exe : new String[] {CHROMIUM, DRIVER}) {
      if (!Files.isExecutable(Path.of(exe))) {
        throw new IllegalStateException(exe + " not found: install Debian's chromium and chromium-driver "
            + "(apt-get install chromium chromium-driver; './safegrid test' does it for you)");
      }
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--window-size=1400,900", "--lang=zh-CN",
        // performance.memory otherwise rounds to coarse buckets: the heap figures must be exact
        "--enable-precise-memory-info");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of(DRIVER).toFile())
        .usingAnyFreePort().build();
    this.driver = new ChromeDriver(service, options);
    this.base = baseUrl;
  }

  public ChromeDriver driver() {
    return driver;
  }

  public void open(String path) {
    driver.get(base + path);
  }

  /** Signs in through the login form. */
  public void login(String user, String password) {
    open("/login.html");
    driver.findElement(By.id("username")).sendKeys(user);
    driver.findElement(By.id("password")).sendKeys(password);
    driver.findElement(By.id("login-submit")).click();
  }

  public Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Waits until the map reports itself ready, then returns its state. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> waitForMapReady(Duration timeout) {
    new WebDriverWait(driver, timeout).until(d -> Boolean.TRUE.equals(
        js("return !!(window.safegrid && (window.safegrid.state().ready || window.safegrid.state().error))")));
    return (Map<String, Object>) js("return window.safegrid.state()");
  }

  /** Saves a PNG screenshot under target/screenshots and returns its path. */
  public Path screenshot(String name) throws java.io.IOException {
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    Path file = dir.resolve(name + ".png");
    Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    return file;
  }

  @Override
  public void close() {
    driver.quit();
  }
}
