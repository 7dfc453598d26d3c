package org.safegrid.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps the module dependency rules of the house style true: gis-data ← ingest ← server → web. */
class ArchitectureTest {

  private static final JavaClasses CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("org.safegrid");

  @Test
  void gisDataKnowsNothingOfSpringKafkaOrTheOtherModules() {
    noClasses().that().resideInAPackage("org.safegrid.gisdata..")
        .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "org.apache.kafka..",
            "org.safegrid.ingest..", "org.safegrid.server..")
        .check(CLASSES);
  }

  @Test
  void ingestNeverDependsOnTheServerOrSpring() {
    noClasses().that().resideInAPackage("org.safegrid.ingest..")
        .should().dependOnClassesThat().resideInAnyPackage("org.safegrid.server..", "org.springframework..")
        .check(CLASSES);
  }

  @Test
  void statisticsArePlainJava() {
    // the statistics (Gi*, weights, FDR, trends, forecasts, intervals) stay callable from a test, a
    // benchmark or a backtest without Spring, a database or an HTTP request
    noClasses().that().resideInAPackage("org.safegrid.server.stats..")
        .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "java.sql..", "javax.sql..",
            "jakarta.servlet..", "org.apache.kafka..")
        .orShould().dependOnClassesThat(
            com.tngtech.archunit.base.DescribedPredicate.describe("SafeGrid classes outside the statistics",
                c -> c.getPackageName().startsWith("org.safegrid.server")
                    && !c.getPackageName().startsWith("org.safegrid.server.stats")))
        .check(CLASSES);
  }

  @Test
  void packagesAreByFeatureNotByLayer() {
    noClasses().should().resideInAnyPackage("..controller..", "..service..", "..repository..", "..util..", "..helper..")
        .check(CLASSES);
  }
}
