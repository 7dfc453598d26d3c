package org.safegrid.ingest.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.ServiceArea;

class IncidentCsvTest {

  static final String HEADER = "event_id,city,datetime,tz,category,subcategory,lon,lat,area\n";
  static final IncidentCsv.Settings HUIZHOU = new IncidentCsv.Settings("110", 100, Datum.WGS84, ServiceArea.HUIZHOU,
      IncidentCategories.standard(), Instant.parse("2026-12-01T00:00:00Z"));

  static List<IncidentCsv.Row> read(String text, IncidentCsv.Settings settings) throws Exception {
    List<IncidentCsv.Row> rows = new ArrayList<>();
    try (IncidentCsv csv = new IncidentCsv(new StringReader(text), settings)) {
      while (csv.hasNext()) {
        rows.add(csv.next());
      }
    }
    return rows;
  }

  @Test
  void aLocalTimeIsReadInItsZoneAndTheCategoryMapsToAKindKeepingTheOriginal() throws Exception {
    List<IncidentCsv.Row> rows = read(HEADER
        + "hz-1,Huizhou,2026-03-04T22:15:00,Asia/Shanghai (local),故意伤害,street,114.41,23.11,441302\n"
        + "hz-2,Huizhou,2026-03-04 23:00:00,+08:00,电信诈骗,,114.42,23.12,\n"
        + "hz-3,Huizhou,2026-03-05T01:00:00Z,,\"noise, at night\",residence,114.43,23.13,441302\n"
        + "hz-4,Huizhou,2026-03-05T01:00:00Z,,lost umbrella,,114.43,23.13,441302\n", HUIZHOU);
    assertThat(rows).allMatch(r -> r instanceof IncidentCsv.Parsed);
    Event first = ((IncidentCsv.Parsed) rows.get(0)).event();
    assertThat(first.observedAt()).isEqualTo(Instant.parse("2026-03-04T14:15:00Z"));
    assertThat(first.kind()).isEqualTo("violent");
    assertThat(first.severity()).isEqualTo(4);
    assertThat(first.attrs()).containsEntry("originalCategory", "故意伤害").containsEntry("channel", "110")
        .containsEntry("area", "441302").containsEntry("subcategory", "street");
    assertThat(((IncidentCsv.Parsed) rows.get(1)).event().observedAt()).isEqualTo(Instant.parse("2026-03-04T15:00:00Z"));
    assertThat(((IncidentCsv.Parsed) rows.get(1)).event().kind()).isEqualTo("fraud");
    assertThat(((IncidentCsv.Parsed) rows.get(2)).event().kind()).isEqualTo("disorder");
    assertThat(((IncidentCsv.Parsed) rows.get(3)).event().kind()).isEqualTo("other");
    assertThat(rows).extracting(IncidentCsv.Row::line).containsExactly(2L, 3L, 4L, 5L);
  }

  @Test
  void badRowsAreRefusedWithTheirLineAndReasonAndTheRowsAroundThemStillRead() throws Exception {
    List<IncidentCsv.Row> rows = read(HEADER
        + "a,Huizhou,2026-03-04T22:15:00,Asia/Shanghai,assault,,114.41,23.11,x\n"
        + ",Huizhou,2026-03-04T22:15:00,Asia/Shanghai,assault,,114.41,23.11,x\n"
        + "b,Huizhou,04/03/2026 22:15,Asia/Shanghai,assault,,114.41,23.11,x\n"
        + "c,Huizhou,2026-03-04T22:15:00,Mars/Olympus,assault,,114.41,23.11,x\n"
        + "d,Huizhou,2026-03-04T22:15:00,Asia/Shanghai,assault,,abc,23.11,x\n"
        + "e,Huizhou,2026-03-04T22:15:00,Asia/Shanghai,assault,,114.41,95,x\n"
        + "f,Chicago,2019-03-04T22:15:00,America/Chicago,assault,,-87.62,41.79,x\n"
        + "g,Huizhou,2027-03-04T22:15:00,Asia/Shanghai,assault,,114.41,23.11,x\n"
        + "h,Huizhou,2026-03-04T22:15:00,Asia/Shanghai,assault\n"
        + "\n"
        + "i,Huizhou,2026-03-04T22:15:00,Asia/Shanghai,theft,,114.41,23.11,x\n", HUIZHOU);
    assertThat(rows).extracting(r -> r instanceof IncidentCsv.Refused x ? x.line() + ":" + x.reason() : r.line() + ":ok")
        .containsExactly("2:ok", "3:missing_id", "4:bad_datetime", "5:unknown_time_zone", "6:coordinates_out_of_range",
            "7:coordinates_out_of_range", "8:outside_city", "9:timestamp_in_future", "10:malformed_row", "12:ok");
  }

  @Test
  void anotherCitysFileIsReadWithItsOwnArea() throws Exception {
    IncidentCsv.Settings chicago = new IncidentCsv.Settings("110", 100, Datum.WGS84,
        new ServiceArea(-87.95, 41.6, -87.5, 42.05, 0), IncidentCategories.standard(), HUIZHOU.now());
    List<IncidentCsv.Row> rows = read(HEADER
        + "chi-000000,Chicago,2010-01-01T00:05:00,America/Chicago (local),AGGRAVATED ASSAULT,residence,-87.6277,41.7922,district 2\n",
        chicago);
    Event e = ((IncidentCsv.Parsed) rows.get(0)).event();
    assertThat(e.observedAt()).isEqualTo(Instant.parse("2010-01-01T06:05:00Z"));
    assertThat(e.kind()).isEqualTo("violent");
  }

  @Test
  void aFileWhoseHeaderIsNotTheLayoutIsRefusedAtLineOne() {
    assertThatThrownBy(() -> read("id,when,lon,lat\n1,2026-01-01T00:00:00Z,114.4,23.1\n", HUIZHOU))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("line 1: the header must be");
    assertThatThrownBy(() -> read("", HUIZHOU)).hasMessageStartingWith("line 1: the file is empty");
  }

  @Test
  void aCategoryTableWithAnUnknownKindNamesItsLine() {
    assertThatThrownBy(() -> IncidentCategories.read(new StringReader("match,kind,severity\ntheft,property,2\nfire,arson,3\n"),
        "my.csv")).hasMessage("my.csv line 3: kind 'arson' is not one of [disorder, dispute, fraud, other, property, traffic, violent]");
  }

  @Test
  void theFastLocalDateTimeReadsAndRefusesWhatTheIsoParserDoes() {
    for (String t : List.of("2026-03-04T22:15:00", "2024-02-29T00:00:00", "0001-01-01T23:59:59", "2026-03-04T22:15",
        "2026-03-04T22:15:00.250", "9999-12-31T23:59:59")) {
      assertThat(IncidentCsv.localDateTime(t)).as(t).isEqualTo(LocalDateTime.parse(t));
    }
    for (String t : List.of("2025-02-29T10:00:00", "2026-13-01T10:00:00", "2026-04-31T10:00:00", "2026-03-04T24:00:00",
        "2026-03-04T22:60:00", "2026-03-04T22:15:60", "2026-03-0xT22:15:00", "2026-03-04T22:1 :00", "2026-3-4T22:15:00",
        "2026-03-04X22:15:00")) {
      assertThatThrownBy(() -> LocalDateTime.parse(t)).as(t).isInstanceOf(DateTimeException.class);
      assertThatThrownBy(() -> IncidentCsv.localDateTime(t)).as(t).isInstanceOf(DateTimeException.class);
    }
  }
}
