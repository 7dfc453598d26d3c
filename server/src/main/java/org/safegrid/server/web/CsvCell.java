package org.safegrid.server.web;

/**
 * One text cell of a CSV export (RFC 4180), safe to open in a spreadsheet: a value starting with
 * {@code = + - @}, a tab or a carriage return, which Excel, LibreOffice and Google Sheets would
 * evaluate as a formula ({@code =HYPERLINK(...)}, {@code =cmd|...}), is prefixed with {@code '} so it
 * shows as text; a value holding a separator, quote, line break or {@code '} is quoted. Every CSV
 * export writes its text cells (codes, names, kinds, users, details) through {@link #text}; numbers
 * the server formats itself are written as they are.
 */
public final class CsvCell {

  private CsvCell() {
  }

  /** The cell for a text value; empty for null. */
  public static String text(String value) {
    if (value == null) {
      return "";
    }
    String v = value;
    if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
      v = "'" + v;
    }
    if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0
        || v.indexOf('\'') >= 0) {
      v = "\"" + v.replace("\"", "\"\"") + "\"";
    }
    return v;
  }
}
