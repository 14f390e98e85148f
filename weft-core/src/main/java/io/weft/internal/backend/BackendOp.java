package io.weft.internal.backend;

/**
 * An op a backend makes and runs for its own bookkeeping, never one a caller of the SPI
 * submits: for example io_uring's multishot accept, which a listener's handle counts so
 * that closing the listener reaches the backend. A backend completes one it did not make
 * with {@code -EOPNOTSUPP}.
 */
public abstract non-sealed class BackendOp extends IoOp {

    protected BackendOp(Handle handle) {
        super(handle);
    }
}
