package io.weft.internal.backend;

import io.weft.internal.linux.Errno;

import java.io.IOException;

/**
 * What a failed {@link NetOps.Accept} means for the accept loop, so that the public
 * listeners can retry or back off without an errno table of their own.
 */
public enum AcceptFailure {
    /** The peer gave up before its connection was taken (ECONNABORTED): wait for the next one. */
    ABORTED,
    /**
     * The process or the kernel ran out of descriptors or memory (EMFILE, ENFILE, ENOBUFS,
     * ENOMEM): the connection stays queued, so back off and try again.
     */
    OUT_OF_RESOURCES,
    /** Anything else: the accept fails. */
    FATAL;

    static {
        // The accept loop reaches here when the process is out of descriptors, and loading
        // a class from a directory on the class path needs a free one: load Errno now.
        Errno.name(Errno.EMFILE);
    }

    /** The meaning of an accept that failed with {@code errno} (positive or negative). */
    public static AcceptFailure of(int errno) {
        return switch (Math.abs(errno)) {
            case Errno.ECONNABORTED -> ABORTED;
            case Errno.EMFILE, Errno.ENFILE, Errno.ENOBUFS, Errno.ENOMEM -> OUT_OF_RESOURCES;
            default -> FATAL;
        };
    }

    /** The errno's symbolic name for messages, such as {@code "EMFILE"}. */
    public static String errnoName(int errno) {
        return Errno.name(errno);
    }

    /** The exception an accept on {@code local} that failed with {@code errno} throws. */
    public static IOException exception(int errno, Object local) {
        return Errno.exception(errno, "accept on", local);
    }
}
