package org.safegrid.server.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shipped CJK font covers every Chinese character the UI and the reference data use: a string
 * added to the pages or the reference city with a character outside the subset fails here (rerun
 * {@code web/fonts/build-cjk-font.sh}). The font's character map is read with fontTools, the library
 * that built it.
 */
class CjkFontCoverageTest {

  private static final Path ROOT = Path.of("..");
  private static final Path FONTS = ROOT.resolve("web/src/main/resources/META-INF/resources/fonts");
  private static final Path FONT = FONTS.resolve("NotoSansSC-SafeGrid.woff2");

  /** CJK punctuation, ideographs (with extension A and compatibility) and full-width forms: what a kiosk without CJK fonts shows as tofu. */
  static boolean needsCjkFont(int cp) {
    return (cp >= 0x2E80 && cp <= 0x2FDF) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF00 && cp <= 0xFFEF);
  }

  /** The code points of the files listed in web/fonts/sources.txt that need the CJK font. */
  static TreeSet<Integer> usedCodePoints() throws IOException {
    TreeSet<Integer> used = new TreeSet<>();
    for (String line : Files.readAllLines(ROOT.resolve("web/fonts/sources.txt"))) {
      line = line.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      List<Path> files;
      if (line.endsWith("/**")) {
        try (Stream<Path> walk = Files.walk(ROOT.resolve(line.substring(0, line.length() - 3)))) {
          files = walk.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".woff2")).toList();
        }
      } else {
        files = List.of(ROOT.resolve(line));
      }
      assertThat(files).as("files of " + line).isNotEmpty();
      for (Path f : files) {
        Files.readString(f, StandardCharsets.UTF_8).codePoints().filter(CjkFontCoverageTest::needsCjkFont).forEach(used::add);
      }
    }
    return used;
  }

  /** The font's character map, as fontTools reads the WOFF2. */
  static TreeSet<Integer> fontCodePoints() throws Exception {
    String script = "import sys; from fontTools.ttLib import TTFont; f = TTFont(sys.argv[1]); "
        + "print(f['name'].getDebugName(1)); print(' '.join(str(c) for c in sorted(f.getBestCmap())))";
    for (String python : List.of("python3", "/usr/bin/python3")) {
      Process p;
      try {
        p = new ProcessBuilder(python, "-c", script, FONT.toAbsolutePath().toString()).redirectErrorStream(true).start();
      } catch (IOException e) {
        continue;
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        continue;
      }
      String[] lines = out.strip().split("\n");
      assertThat(lines[0]).as("family of the shipped face").isEqualTo("Noto Sans CJK SC");
      TreeSet<Integer> cmap = new TreeSet<>();
      for (String cp : lines[1].trim().split(" ")) {
        cmap.add(Integer.parseInt(cp));
      }
      return cmap;
    }
    return fail("no python3 with fontTools and brotli to read " + FONT
        + ": apt-get install python3-fonttools python3-brotli ('./safegrid test' does it for you)");
  }

  @Test
  void everyChineseCharacterOfTheUiAndReferenceDataIsInTheShippedFont() throws Exception {
    TreeSet<Integer> used = usedCodePoints();
    // the reference district names are among them: the scan reads what the map shows
    assertThat(used).as("characters of 惠城区").contains((int) '惠', (int) '城', (int) '区');
    TreeSet<Integer> missing = new TreeSet<>(used);
    missing.removeAll(fontCodePoints());
    StringBuilder chars = new StringBuilder();
    missing.forEach(chars::appendCodePoint);
    assertThat(chars.toString()).as("characters missing from " + FONT.getFileName()
        + ": rerun web/fonts/build-cjk-font.sh").isEmpty();
  }

  @Test
  void theLicenceAndSourceAreBesideTheFont() throws IOException {
    assertThat(Files.readString(FONTS.resolve("OFL.txt"))).contains("SIL OPEN FONT LICENSE Version 1.1");
    assertThat(Files.readString(FONTS.resolve("SOURCE.txt"))).contains("noto-cjk").contains("build-cjk-font.sh");
    // subset: a fraction of the 16 MB collection it comes from
    assertThat(Files.size(FONT)).isBetween(10_000L, 400_000L);
  }
}
