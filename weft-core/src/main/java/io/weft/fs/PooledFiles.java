package io.weft.fs;

import io.weft.Blocking;
import io.weft.Deadline;
import io.weft.DeadlineExceededException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.Callable;

/**
 * File I/O for backends without native file ops (epoll, nio): the JDK's own calls, each
 * run on the blocking pool while the task parks. Calls are never interrupted
 * ({@link Blocking#callUninterruptibly}): an interrupt would close a {@link FileChannel}
 * under every other user of the file. A cancel withdraws a call that has not started; a
 * started one finishes and its outcome is kept, as a native op's is.
 */
final class PooledFiles implements FileDriver {

    static final PooledFiles INSTANCE = new PooledFiles();

    private PooledFiles() {
    }

    /** A JDK file call, translated to the exceptions the native driver throws. */
    @FunctionalInterface
    interface FileCall<T> {
        T call() throws IOException;
    }

    /** Runs {@code c} on the blocking pool; see the class comment for cancellation. */
    static <T> T run(FileCall<T> c, long deadline, String call, Path path) throws IOException {
        Callable<T> task = () -> {
            try {
                return c.call();
            } catch (IOException e) {
                throw FileErrors.translate(e, call, path);
            }
        };
        try {
            return Blocking.callUninterruptibly(task, Deadline.atNanoTime(deadline));
        } catch (DeadlineExceededException e) {
            throw FileErrors.timedOut(call, path);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(call + " " + path, e);
        }
    }

    @Override
    public OpenFile open(Path path, OpenMode mode, long deadline) throws IOException {
        FileChannel ch = run(() -> FileChannel.open(path, mode.toOptions()), deadline, "open", path);
        return new PooledFile(path, ch);
    }

    @Override
    public FileStat stat(Path path, boolean followLinks) throws IOException {
        LinkOption[] opts = followLinks ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        BasicFileAttributes a = run(() -> Files.readAttributes(path, BasicFileAttributes.class, opts), Long.MAX_VALUE, "stat", path);
        FileStat.Kind kind = a.isRegularFile() ? FileStat.Kind.REGULAR_FILE
                : a.isDirectory() ? FileStat.Kind.DIRECTORY
                : a.isSymbolicLink() ? FileStat.Kind.SYMBOLIC_LINK
                : FileStat.Kind.OTHER;
        return new FileStat(a.size(), kind, a.lastModifiedTime().toInstant());
    }

    @Override
    public void createDirectory(Path dir) throws IOException {
        run(() -> Files.createDirectory(dir), Long.MAX_VALUE, "mkdir", dir);
    }

    @Override
    public void delete(Path path) throws IOException {
        run(() -> {
            Files.delete(path);
            return null;
        }, Long.MAX_VALUE, "delete", path);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        // ATOMIC_MOVE is rename(2) on Linux, which replaces an existing target, as the native driver's does.
        run(() -> Files.move(from, to, StandardCopyOption.ATOMIC_MOVE), Long.MAX_VALUE, "rename to " + to, from);
    }
}
