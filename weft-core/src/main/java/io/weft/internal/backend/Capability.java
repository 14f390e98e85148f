package io.weft.internal.backend;

/** What a backend can do beyond TCP streams; a backend never fakes one it lacks. */
public enum Capability {
    /** Completes ops itself at their deadline (io_uring linked timeouts); else the loop's timer cancels them. */
    NATIVE_DEADLINES,
    /** Can wait for readiness of any socket ({@link NetOps.Poll}). */
    POLL,
    /** Passes file descriptors over Unix sockets. */
    FD_PASSING,
    /** Runs file I/O natively rather than on the blocking pool. */
    NATIVE_FILE_IO,
}
