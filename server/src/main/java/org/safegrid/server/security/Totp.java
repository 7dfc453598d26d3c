package org.safegrid.server.security;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP, HMAC-SHA1, 30 s steps, as authenticator
 * apps use them) and the Base32 encoding of their secrets (RFC 4648). Plain functions; thread-safe.
 */
public final class Totp {

  /** Length of one time step in seconds. */
  public static final int STEP_SECONDS = 30;
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private Totp() {
  }

  /** The time step that contains {@code time}. */
  public static long step(Instant time) {
    return Math.floorDiv(time.getEpochSecond(), STEP_SECONDS);
  }

  /** The code for a time step, zero-padded to {@code digits} (6 for apps, 8 in the RFC's test vectors). */
  public static String code(byte[] secret, long step, int digits) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret, "HmacSHA1"));
      byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
      int offset = h[h.length - 1] & 0x0f;
      int binary = ((h[offset] & 0x7f) << 24) | ((h[offset + 1] & 0xff) << 16) | ((h[offset + 2] & 0xff) << 8)
          | (h[offset + 3] & 0xff);
      int mod = (int) Math.pow(10, digits);
      return String.format("%0" + digits + "d", binary % mod);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is not available", e);
    }
  }

  /**
   * The step whose 6-digit code equals {@code code} within {@code window} steps either side of
   * {@code now}'s step (to allow for clock drift), or -1. Compares in constant time.
   */
  public static long matchingStep(byte[] secret, String code, Instant now, int window) {
    if (code == null || !code.matches("[0-9]{6}")) {
      return -1;
    }
    long current = step(now);
    long found = -1;
    for (long s = current - window; s <= current + window; s++) {
      if (MessageDigest.isEqual(code(secret, s, 6).getBytes(), code.getBytes())) {
        found = s;
      }
    }
    return found;
  }

  /** Base32 without padding, upper case. */
  public static String base32(byte[] data) {
    StringBuilder sb = new StringBuilder();
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        sb.append(ALPHABET.charAt((buffer >> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      sb.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
    }
    return sb.toString();
  }

  /** Decodes Base32, ignoring case, spaces and padding; throws on other characters. */
  public static byte[] fromBase32(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int buffer = 0;
    int bits = 0;
    for (char c : text.toUpperCase().toCharArray()) {
      if (c == '=' || c == ' ') {
        continue;
      }
      int v = ALPHABET.indexOf(c);
      if (v < 0) {
        throw new IllegalArgumentException("not a Base32 character: '" + c + "'");
      }
      buffer = (buffer << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out.write((buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return out.toByteArray();
  }
}
