package io.weft.fs;

import io.weft.internal.linux.Errno;
import io.weft.internal.wait.Op;
import io.weft.internal.wait.Failures;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The exceptions of file I/O, the same whichever driver ran the call: an errno becomes the
 * {@code java.nio.file} exception a JDK user expects (through {@link Errno#exception}),
 * naming the path, the errno and the call, e.g.
 * {@code /tmp/x: No space left on device (ENOSPC): write}.
 */
final class FileErrors {
    private FileErrors() {
    }

    /**
     * The exception for an op that ended because it was cancelled for {@code reason}
     * (a close: AsynchronousCloseException; a deadline: InterruptedIOException); runtime
     * ones are thrown. See {@link Failures}.
     */
    static IOException cancelled(int reason, String call, Path path) {
        return Failures.cancelled(reason, Failures.FILE, call, path);
    }

    /** The exception for an op whose deadline passed. */
    static IOException timedOut(String call, Path path) {
        return Failures.timedOut(Failures.FILE, call, path);
    }

    /**
     * The exception the native driver would have thrown for what the JDK reported: JDK
     * file exceptions and strerror messages map back to their errno. Others pass through.
     */
    static IOException translate(IOException e, String call, Path path) {
        if (e instanceof ClosedChannelException) {
            return e;
        }
        int errno = switch (e) {
            case NoSuchFileException x -> Errno.ENOENT;
            case AccessDeniedException x -> Errno.EACCES;
            case FileAlreadyExistsException x -> Errno.EEXIST;
            case DirectoryNotEmptyException x -> Errno.ENOTEMPTY;
            case NotDirectoryException x -> Errno.ENOTDIR;
            case FileSystemException x -> Errno.fromMessage(x.getReason());
            default -> Errno.fromMessage(e.getMessage());
        };
        if (errno == 0) {
            return e;
        }
        IOException mapped = Errno.exception(errno, call, path);
        mapped.initCause(e);
        return mapped;
    }
}
