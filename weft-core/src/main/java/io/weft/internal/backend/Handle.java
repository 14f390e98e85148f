package io.weft.internal.backend;

import java.io.IOException;
import java.util.Arrays;

/**
 * A kernel resource (a socket, later a file) that ops run on. It counts the ops in flight
 * so that {@link #close()} can cancel them and release the resource only after the last
 * one has completed: an fd number is never reused while an op that names it is queued.
 */
/*
 * Overview
 *
 *   beginOp(op)  under the monitor: refuse if closed, else remember op
 *   endOp(op)    under the monitor: forget op; if closed and none left -> closeNow()
 *   close()      under the monitor: mark closed, copy the ops in flight; then, outside
 *                the monitor, requestCancel(CANCEL_CLOSE) on each; if none was in flight,
 *                closeNow() runs on the caller and its IOException reaches the caller
 *
 * The monitor is held only for a few array writes and never while calling out, so a loop
 * thread completing an op never waits on a task for long. A stream rarely has more than
 * two ops (one read, one write) in flight, so a small array beats a concurrent set.
 */
public abstract class Handle implements AutoCloseable {

    private IoOp[] inflight = new IoOp[2];
    private int count;
    private boolean closed;
    private boolean released;

    /**
     * Registers {@code op} as in flight.
     *
     * @return false if the handle is closed (the op must not be submitted)
     */
    public final synchronized boolean beginOp(IoOp op) {
        if (closed) {
            return false;
        }
        if (count == inflight.length) {
            inflight = Arrays.copyOf(inflight, count * 2);
        }
        inflight[count++] = op;
        return true;
    }

    /** Called by {@link IoOp} once it is done. */
    final void endOp(IoOp op) {
        boolean release;
        synchronized (this) {
            for (int i = 0; i < count; i++) {
                if (inflight[i] == op) {
                    inflight[i] = inflight[--count];
                    inflight[count] = null;
                    break;
                }
            }
            release = closed && count == 0 && !released;
            if (release) {
                released = true;
            }
        }
        if (release) {
            closeQuietly();
        }
    }

    /** The number of ops in flight on this handle (for tests and leak checks). */
    public final synchronized int inflightCount() {
        return count;
    }

    /** True once {@link #close()} was called. */
    public final synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Closes the handle: ops in flight are cancelled (they finish with
     * {@link Op#CANCEL_CLOSE} as their cancel reason) and the resource is released once the
     * last of them has completed. Idempotent.
     */
    @Override
    public final void close() throws IOException {
        IoOp[] toCancel;
        boolean releaseNow;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toCancel = Arrays.copyOf(inflight, count);
            releaseNow = count == 0;
            if (releaseNow) {
                released = true;
            }
        }
        for (IoOp op : toCancel) {
            op.requestCancel(Op.CANCEL_CLOSE);
        }
        if (releaseNow) {
            closeNow();
        }
    }

    private void closeQuietly() {
        try {
            closeNow();
        } catch (IOException e) {
            System.getLogger("io.weft").log(System.Logger.Level.DEBUG, "close of " + this + " failed", e);
        }
    }

    /** Releases the kernel resource. Called exactly once, when closed and no op is in flight. */
    protected abstract void closeNow() throws IOException;
}
