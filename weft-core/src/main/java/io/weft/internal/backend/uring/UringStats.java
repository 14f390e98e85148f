package io.weft.internal.backend.uring;

/**
 * Counters of one {@link UringBackend}, for tests and diagnostics: plain fields, written
 * on the loop thread only and read there (tests read them on the loop thread too). They
 * count events; the backend's state (slots and buffers in use) is read from its parts.
 */
final class UringStats {
    /** io_uring_enter calls made. */
    long enters;
    /** Cross-thread wake-ups the loop reaped. */
    long wakeupsReaped;
    /** Times reap() found the CQ overflowed and had the kernel flush its overflow list. */
    long overflowFlushes;
    /** Blocking polls that ended with no completion: by their timeout, or a signal. */
    long timedOutPolls;
    /** Heap reads re-issued with a bounce chunk because the provided-buffer ring ran dry. */
    long bufferSelectFallbacks;
    /** Multishot accepts handed to the kernel. */
    long multishotArms;
    /** Writes completed by a direct send(2), without the ring. */
    long directSends;
}
