package io.weft.internal.backend.uring;

import io.weft.internal.linux.Errno;

import java.io.IOException;

/** An io_uring or ring-memory call failed; carries the errno so callers can tell causes apart. */
final class UringException extends IOException {

    private final int errno;

    UringException(String call, int errno) {
        super(Errno.text(errno) + " (" + Errno.name(errno) + "): " + call);
        this.errno = Math.abs(errno);
    }

    /** The positive errno. */
    int errno() {
        return errno;
    }
}
