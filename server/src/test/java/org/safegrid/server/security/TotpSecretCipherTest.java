package org.safegrid.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TOTP secrets at rest: AES-256-GCM bound to the account, and where the key comes from. */
class TotpSecretCipherTest {

  @TempDir
  Path tmp;

  private static final String SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

  private static TotpSecretCipher cipher(byte fill) {
    byte[] key = new byte[32];
    java.util.Arrays.fill(key, fill);
    return new TotpSecretCipher(key);
  }

  private SecurityProperties properties(String key, Path keyFile) {
    return new SecurityProperties(null, null, null, null, null, null, null, null, null, null, tmp.resolve("secrets"),
        key, keyFile);
  }

  @Test
  void aSecretIsStoredEncryptedAndReadBack() {
    TotpSecretCipher c = cipher((byte) 1);
    String stored = c.encrypt("otto", SECRET);
    assertThat(stored).startsWith("v1:").doesNotContain(SECRET);
    assertThat(c.encrypt("otto", SECRET)).as("a fresh nonce each time").isNotEqualTo(stored);
    assertThat(c.decrypt("otto", stored)).isEqualTo(SECRET);
    assertThat(TotpSecretCipher.isEncrypted(stored)).isTrue();
    assertThat(TotpSecretCipher.isEncrypted(SECRET)).isFalse();
  }

  @Test
  void aSecretMovedToAnotherAccountAlteredOrReadWithAnotherKeyDoesNotDecrypt() {
    TotpSecretCipher c = cipher((byte) 1);
    String stored = c.encrypt("otto", SECRET);
    assertThatThrownBy(() -> c.decrypt("mallory", stored)).hasMessageContaining("does not decrypt");
    assertThatThrownBy(() -> cipher((byte) 2).decrypt("otto", stored)).hasMessageContaining("does not decrypt");
    byte[] raw = Base64.getDecoder().decode(stored.substring(3));
    raw[raw.length - 1] ^= 1;
    String altered = "v1:" + Base64.getEncoder().encodeToString(raw);
    assertThatThrownBy(() -> c.decrypt("otto", altered)).hasMessageContaining("does not decrypt");
  }

  @Test
  void theKeyComesFromTheEnvironmentOrAFileOrIsGeneratedOwnerOnly() throws Exception {
    byte[] key = new byte[32];
    key[0] = 7;
    String b64 = Base64.getEncoder().encodeToString(key);
    String stored = TotpSecretCipher.from(properties(b64, null)).encrypt("u", SECRET);
    Path file = tmp.resolve("key.txt");
    Files.writeString(file, b64 + "\n");
    assertThat(TotpSecretCipher.from(properties(null, file)).decrypt("u", stored)).isEqualTo(SECRET);

    TotpSecretCipher generated = TotpSecretCipher.from(properties(null, null));
    Path made = tmp.resolve("secrets/totp.key");
    assertThat(Files.getPosixFilePermissions(made)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(made.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    String again = TotpSecretCipher.from(properties(null, null)).decrypt("u", generated.encrypt("u", SECRET));
    assertThat(again).as("the generated key is kept and used again").isEqualTo(SECRET);

    assertThatThrownBy(() -> TotpSecretCipher.from(properties(Base64.getEncoder().encodeToString(new byte[16]), null)))
        .hasMessageContaining("safegrid.security.totp-key").hasMessageContaining("32 bytes");
  }
}
