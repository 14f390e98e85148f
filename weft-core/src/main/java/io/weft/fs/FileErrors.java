package io.weft.fs;

import io.weft.internal.linux.Errno;
import io.weft.internal.wait.Op;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;

/**
 * The exceptions of file I/O, the same whichever driver ran the call: an errno becomes the
 * {@code java.nio.file} exception a JDK user expects (through {@link Errno#exception}),
 * naming the path, the errno and the call, e.g.
 * {@code /tmp/x: No space left on device (ENOSPC): write}.
 */
final class FileErrors {
    private FileErrors() {
    }

    /** The exception for an op that ended because it was cancelled for {@code reason}; runtime ones are thrown. */
    static IOException cancelled(int reason, String call, Path path) {
        switch (reason) {
            case Op.CANCEL_CLOSE -> {
                AsynchronousCloseException e = new AsynchronousCloseException();
                e.initCause(new IOException("file closed during " + call + " " + path));
                return e;
            }
            case Op.CANCEL_TIMEOUT -> {
                return timedOut(call, path);
            }
            case Op.CANCEL_INTERRUPT -> throw new CancellationException("interrupted: " + call + " " + path);
            default -> throw new CancellationException("cancelled: " + call + " " + path);
        }
    }

    static InterruptedIOException timedOut(String call, Path path) {
        return new InterruptedIOException(call + " " + path + " timed out");
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
