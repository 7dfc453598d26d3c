package org.safegrid.server.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * Copies a request body to a file while hashing it, refusing it the moment it passes a cap: the
 * upload and base-map endpoints read bodies this way so an oversized one is cut off while being
 * received, never kept whole.
 */
public final class CappedCopy {

  private CappedCopy() {
  }

  /**
   * Copies {@code body} to {@code target}; returns its SHA-256 (hex). Throws what {@code tooLarge}
   * gives as soon as more than {@code maxBytes} have arrived (the partial file is the caller's to delete).
   */
  public static String copy(InputStream body, Path target, long maxBytes, Supplier<? extends RuntimeException> tooLarge)
      throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = new DigestInputStream(body, md); OutputStream out = Files.newOutputStream(target)) {
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
        if (total > maxBytes) {
          throw tooLarge.get();
        }
        out.write(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
