package org.safegrid.server.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts TOTP secrets at rest: AES-256-GCM with a random 96-bit nonce per value, the account name as
 * associated data (a secret copied onto another account does not decrypt). A stored value is
 * {@code v1:} and the Base64 of nonce and ciphertext; a value without the prefix is a clear secret of an
 * older release, read as it is until {@link TotpService#encryptClearSecrets()} has encrypted it. The key
 * comes from {@code safegrid.security.totp-key}, {@code totp-key-file} or a generated key file, never from
 * the database. Thread-safe.
 */
public final class TotpSecretCipher {

  static final String PREFIX = "v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKey key;
  private final SecureRandom random = new SecureRandom();

  TotpSecretCipher(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("the TOTP key must be 32 bytes (Base64 of 32 random bytes), not "
          + key.length);
    }
    this.key = new SecretKeySpec(key, "AES");
  }

  /** The key from the configuration: {@code totp-key}, else {@code totp-key-file}, else one generated in the secrets folder. */
  static TotpSecretCipher from(SecurityProperties properties) {
    String base64;
    String where;
    if (properties.totpKey() != null) {
      base64 = properties.totpKey();
      where = "safegrid.security.totp-key";
    } else if (properties.totpKeyFile() != null) {
      where = "safegrid.security.totp-key-file (" + properties.totpKeyFile() + ")";
      try {
        base64 = java.nio.file.Files.readString(properties.totpKeyFile()).strip();
      } catch (java.io.IOException e) {
        throw new IllegalStateException(where + " cannot be read: " + e.getMessage(), e);
      }
    } else {
      java.nio.file.Path file = properties.secretsDir().resolve("totp.key");
      where = "the generated key file " + file;
      base64 = SecretFile.readOrCreate(file, () -> {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
      });
    }
    try {
      return new TotpSecretCipher(Base64.getDecoder().decode(base64));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(where + " is not a usable TOTP key: " + e.getMessage()
          + "; make one with: head -c 32 /dev/urandom | base64", e);
    }
  }

  /** True when the stored value is encrypted (not a clear secret of an older release). */
  static boolean isEncrypted(String stored) {
    return stored != null && stored.startsWith(PREFIX);
  }

  /** The stored form of an account's Base32 secret. */
  String encrypt(String username, String base32Secret) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(aad(username));
      byte[] ct = c.doFinal(base32Secret.getBytes(StandardCharsets.US_ASCII));
      return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(nonce.length + ct.length)
          .put(nonce).put(ct).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every Java platform", e);
    }
  }

  /** The Base32 secret of a stored value; a clear value of an older release is returned as it is. */
  String decrypt(String username, String stored) {
    if (!isEncrypted(stored)) {
      return stored;
    }
    byte[] all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
      c.updateAAD(aad(username));
      return new String(c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.US_ASCII);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new IllegalStateException("the TOTP secret of '" + username + "' does not decrypt with the configured "
          + "key (another key, or the value was altered)", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every Java platform", e);
    }
  }

  private static byte[] aad(String username) {
    return ("safegrid-totp:" + username).getBytes(StandardCharsets.UTF_8);
  }
}
