package org.safegrid.server.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;

/**
 * A secret the server keeps in a file only its OS user can read ({@code rw-------} in a
 * {@code rwx------} folder, on POSIX file systems): the generated admin password, the generated TOTP key.
 * Created atomically, so two servers starting together agree on one value.
 */
final class SecretFile {

  private SecretFile() {
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  /** Writes {@code value} to a new file; replaces an older one (the admin password of an earlier database). */
  static void write(Path file, String value) {
    try {
      createFolder(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".new");
      Files.deleteIfExists(tmp);
      create(tmp, value);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** The file's value, created with {@code make}'s value first when it does not exist. */
  static String readOrCreate(Path file, Supplier<String> make) {
    try {
      if (!Files.exists(file)) {
        createFolder(file.toAbsolutePath().getParent());
        try {
          create(file, make.get());
        } catch (FileAlreadyExistsException e) {
          // another server made it first: use its value
        }
      }
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file + ": " + e.getMessage(), e);
    }
  }

  private static void create(Path file, String value) throws IOException {
    FileAttribute<?>[] attrs = posix()
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
    Files.createFile(file, attrs);
    Files.writeString(file, value + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
  }

  private static void createFolder(Path dir) throws IOException {
    if (dir == null || Files.isDirectory(dir)) {
      return;
    }
    if (posix()) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(dir);
    }
  }
}
