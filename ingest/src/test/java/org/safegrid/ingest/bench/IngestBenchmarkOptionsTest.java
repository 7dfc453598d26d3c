package org.safegrid.ingest.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ingest benchmark's options: its database password never comes from the command line. */
class IngestBenchmarkOptionsTest {

  @Test
  void aPasswordOnTheCommandLineIsRefusedWithTheVariableToUseInstead() {
    assertThatThrownBy(() -> IngestBenchmark.parse(new String[] {"--db-url", "jdbc:postgresql://h/db",
        "--db-password", "s3cret"}, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("process list").hasMessageContaining("SAFEGRID_DB_PASSWORD")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void thePasswordComesFromTheEnvironment() {
    IngestBenchmark b = IngestBenchmark.parse(new String[] {"--db-url", "jdbc:postgresql://h/db", "--db-user", "u"},
        Map.of("SAFEGRID_DB_PASSWORD", "from-env"));
    assertThat(b.dbPassword()).isEqualTo("from-env");
  }

  @Test
  void aListOfWorkerCountsSelectsTheScaleOutStepsAndACountAboveThePartitionsIsRefused() {
    IngestBenchmark b = IngestBenchmark.parse(new String[] {"--db-url", "jdbc:postgresql://h/db", "--workers", "1,2,3"},
        Map.of());
    assertThat(b.workerSteps()).containsExactly(1, 2, 3);
    assertThat(IngestBenchmark.parse(new String[] {"--workers", "2"}, Map.of()).workerSteps()).isNull();
    assertThatThrownBy(() -> IngestBenchmark.parse(new String[] {"--workers", "1,40"}, Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partitions");
  }
}
