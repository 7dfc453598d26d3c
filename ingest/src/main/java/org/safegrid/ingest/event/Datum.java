package org.safegrid.ingest.event;

/** The datum of an event's coordinates as sent; storage is always WGS84. */
public enum Datum {
  /** WGS84 (GPS); the default. */
  WGS84,
  /** GCJ-02, the offset datum of Chinese web maps; converted to WGS84 on ingest. */
  GCJ02;

  private final String wireName = name().toLowerCase(java.util.Locale.ROOT);

  /** The name in messages. */
  public String wireName() {
    return wireName;
  }
}
