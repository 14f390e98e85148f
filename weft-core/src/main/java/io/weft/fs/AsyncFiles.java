package io.weft.fs;

import io.weft.Deadline;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Whole-file helpers and directory operations for Weft tasks, the counterparts of
 * {@link java.nio.file.Files}' methods of the same names, with the same exceptions.
 *
 * <pre>{@code
 * AsyncFiles.createDirectory(dir);
 * AsyncFiles.writeString(dir.resolve("a.txt"), "hello");
 * String s = AsyncFiles.readString(dir.resolve("a.txt"));
 * for (Path p : AsyncFiles.list(dir)) { ... }
 * }</pre>
 *
 * <p>On io_uring, stat, mkdir, delete and rename are native ops (STATX, MKDIRAT, UNLINKAT,
 * RENAMEAT) and the whole-file helpers run on {@link AsyncFile}. {@link #list} and
 * {@link #copy} run on the blocking pool on every backend: io_uring has no op that reads
 * a directory (getdents), and a copy is fastest as the kernel's own file-to-file copy
 * ({@link FileChannel#transferTo}: copy_file_range or sendfile), which has no io_uring op
 * either, where SPLICE would need a pipe and two ops per chunk.
 */
public final class AsyncFiles {
    private AsyncFiles() {
    }

    /** Reads the whole file. @throws OutOfMemoryError if it is larger than an array can be */
    public static byte[] readAllBytes(Path path) throws IOException {
        try (AsyncFile f = AsyncFile.open(path)) {
            long size = f.size();
            if (size > Integer.MAX_VALUE - 8) {
                throw new OutOfMemoryError("Required array size too large: " + path + " has " + size + " bytes");
            }
            byte[] buf = new byte[Math.max((int) size, 8192)];
            int n = 0;
            for (;;) {
                if (n == buf.length) {
                    if (buf.length >= Integer.MAX_VALUE - 8) {
                        throw new OutOfMemoryError("Required array size too large: " + path);
                    }
                    buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8L, buf.length * 2L)); // it grew meanwhile
                }
                int r = f.read(n, buf, n, buf.length - n);
                if (r < 0) {
                    return n == buf.length ? buf : Arrays.copyOf(buf, n);
                }
                n += r;
            }
        }
    }

    /** Reads the whole file as UTF-8 text. */
    public static String readString(Path path) throws IOException {
        return readString(path, StandardCharsets.UTF_8);
    }

    public static String readString(Path path, Charset charset) throws IOException {
        return new String(readAllBytes(path), charset);
    }

    /**
     * Writes {@code bytes} to the file; with no options, creates it or truncates it first
     * (CREATE, TRUNCATE_EXISTING, WRITE), as {@link Files#write(Path, byte[], OpenOption...)}.
     */
    public static void write(Path path, byte[] bytes, OpenOption... options) throws IOException {
        Set<OpenOption> opts = options.length == 0
                ? Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)
                : Set.of(options);
        try (AsyncFile f = AsyncFile.open(path, opts, Deadline.NONE)) {
            if (opts.contains(StandardOpenOption.APPEND)) {
                f.append(bytes);
            } else {
                f.writeAll(0, bytes);
            }
        }
    }

    /** Writes {@code text} as UTF-8; options as in {@link #write}. */
    public static void writeString(Path path, CharSequence text, OpenOption... options) throws IOException {
        writeString(path, text, StandardCharsets.UTF_8, options);
    }

    public static void writeString(Path path, CharSequence text, Charset charset, OpenOption... options) throws IOException {
        write(path, text.toString().getBytes(charset), options);
    }

    /**
     * Copies a regular file's content to {@code target}, in the kernel where it can; fails
     * with FileAlreadyExistsException if {@code target} exists, unless
     * {@link StandardCopyOption#REPLACE_EXISTING} is given.
     *
     * @return the number of bytes copied
     */
    public static long copy(Path source, Path target, CopyOption... options) throws IOException {
        boolean replace = false;
        for (CopyOption o : options) {
            if (o != StandardCopyOption.REPLACE_EXISTING) {
                throw new UnsupportedOperationException("AsyncFiles.copy does not support " + o);
            }
            replace = true;
        }
        Set<StandardOpenOption> out = replace
                ? Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)
                : Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
        FileDriver.current("AsyncFiles.copy");
        return PooledFiles.run(() -> {
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
                try (FileChannel to = openTarget(target, out)) {
                    long size = in.size();
                    long pos = 0;
                    while (pos < size) {
                        long n = in.transferTo(pos, size - pos, to);
                        if (n <= 0) {
                            break; // the source shrank meanwhile
                        }
                        pos += n;
                    }
                    return pos;
                }
            }
        }, Long.MAX_VALUE, "copy to " + target + " from", source);
    }

    private static FileChannel openTarget(Path target, Set<StandardOpenOption> options) throws IOException {
        try {
            return FileChannel.open(target, options);
        } catch (IOException e) {
            // name the target, not the source, in what the caller sees
            throw FileErrors.translate(e, "copy: open", target);
        }
    }

    /**
     * The entries of {@code dir} (not {@code .} and {@code ..}), resolved against it, in
     * the order the directory lists them. On the blocking pool on every backend (see above).
     *
     * @throws java.nio.file.NotDirectoryException if {@code dir} is not a directory
     */
    public static List<Path> list(Path dir) throws IOException {
        FileDriver.current("AsyncFiles.list");
        return PooledFiles.run(() -> {
            List<Path> out = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                s.forEach(out::add);
            }
            return out;
        }, Long.MAX_VALUE, "list", dir);
    }

    /** Creates the directory (mode 0777 less the umask). @throws java.nio.file.FileAlreadyExistsException if it exists */
    public static void createDirectory(Path dir) throws IOException {
        FileDriver.current("AsyncFiles.createDirectory").createDirectory(dir);
    }

    /** Deletes a file or an empty directory. @throws NoSuchFileException if there is none */
    public static void delete(Path path) throws IOException {
        FileDriver.current("AsyncFiles.delete").delete(path);
    }

    /** Deletes a file or an empty directory if there is one; true if it did. */
    public static boolean deleteIfExists(Path path) throws IOException {
        try {
            delete(path);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /**
     * Renames {@code from} to {@code to} atomically (rename(2)): an existing file at
     * {@code to} is replaced; both must be on one file system.
     */
    public static void rename(Path from, Path to) throws IOException {
        FileDriver.current("AsyncFiles.rename").rename(from, to);
    }

    /** What {@code path} is (symbolic links followed). */
    public static FileStat stat(Path path) throws IOException {
        return FileDriver.current("AsyncFiles.stat").stat(path, true);
    }

    /** What {@code path} is; a symbolic link itself if {@code followLinks} is false. */
    public static FileStat stat(Path path, boolean followLinks) throws IOException {
        return FileDriver.current("AsyncFiles.stat").stat(path, followLinks);
    }

    /** True if {@code path} names something (symbolic links followed). */
    public static boolean exists(Path path) throws IOException {
        try {
            stat(path);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }
}
