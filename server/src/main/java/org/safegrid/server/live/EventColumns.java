package org.safegrid.server.live;

import java.util.List;

/**
 * A batch of events in column form, the compact shape the map reads: one array per field, index i
 * of every array is event i. About a third of the size of the same events as GeoJSON and parsed
 * without building one object per event.
 *
 * @param watermark  the newest {@code received_at} in the batch (epoch ms), or the caller's
 *                   starting point when the batch is empty; a client resumes from it
 * @param truncated  true when more events matched than were sent
 * @param id         event ids
 * @param source     camera, checkpoint, patrol or incident
 * @param sourceId   device or unit ids
 * @param kind       event kinds
 * @param severity   0..5
 * @param lon        WGS84 longitudes
 * @param lat        WGS84 latitudes
 * @param observedAt when each happened (epoch ms)
 * @param receivedAt when each was stored (epoch ms)
 */
public record EventColumns(long watermark, boolean truncated, String[] id, String[] source, String[] sourceId,
                           String[] kind, int[] severity, double[] lon, double[] lat, long[] observedAt,
                           long[] receivedAt) {

  /** Puts a list of events into columns. */
  public static EventColumns of(List<LiveEvent> events, long watermark, boolean truncated) {
    int n = events.size();
    String[] id = new String[n];
    String[] source = new String[n];
    String[] sourceId = new String[n];
    String[] kind = new String[n];
    int[] severity = new int[n];
    double[] lon = new double[n];
    double[] lat = new double[n];
    long[] observed = new long[n];
    long[] received = new long[n];
    long mark = watermark;
    for (int i = 0; i < n; i++) {
      LiveEvent e = events.get(i);
      id[i] = e.id();
      source[i] = e.source();
      sourceId[i] = e.sourceId();
      kind[i] = e.kind();
      severity[i] = e.severity();
      // 6 decimals (~10 cm) is more than a map needs and keeps the JSON short
      lon[i] = Math.round(e.lon() * 1e6) / 1e6;
      lat[i] = Math.round(e.lat() * 1e6) / 1e6;
      observed[i] = e.observedAt().toEpochMilli();
      received[i] = e.receivedAt().toEpochMilli();
      mark = Math.max(mark, received[i]);
    }
    return new EventColumns(mark, truncated, id, source, sourceId, kind, severity, lon, lat, observed, received);
  }

  /** Number of events in the batch. */
  public int size() {
    return id.length;
  }
}
