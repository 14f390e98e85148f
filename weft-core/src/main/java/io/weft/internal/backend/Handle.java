package io.weft.internal.backend;

import io.weft.internal.wait.Op;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * A kernel resource (a socket, later a file) that ops run on. It counts the ops in flight
 * so that {@link #close()} can cancel them and release the resource only after the last
 * one has completed: an fd number is never reused while an op that names it is queued.
 */
/*
 * Overview
 *
 *   beginOp(op)  under the lock: refuse if closed, else remember op
 *   endOp(op)    under the lock: forget op; if closed and none left -> closeNow()
 *   close()      under the lock: mark closed, copy the ops in flight; then, outside
 *                the lock, requestCancel(CANCEL_CLOSE) on each; if none was in flight,
 *                closeNow() runs on the caller and its IOException reaches the caller
 *
 * The lock is held only for a few array writes and never while calling out. It is a spin
 * lock, not a monitor: endOp runs on loop threads, and a task that blocks on a contended
 * monitor unmounts from its carrier (JDK 24+) and needs its loop thread to run again
 * before it can take the monitor; had the loop thread meanwhile blocked on that same
 * monitor, neither would move (seen with one file read by tasks on two loops). A spinner
 * waits only for a holder that is running on another thread. A stream rarely has more than
 * two ops (one read, one write) in flight, so a small array beats a concurrent set.
 */
public abstract class Handle implements AutoCloseable {

    private static final VarHandle LOCK;
    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(Handle.class, "lock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * 0: free; 1: held by one thread inside lock()/unlock(). Taken by CAS (volatile, an
     * acquire), released by setRelease, which pairs with the next taker's CAS so the
     * fields below written under the lock are seen by it.
     */
    @SuppressWarnings("unused")
    private volatile int lock;

    /**
     * What the backend running this handle's ops keeps on it (io_uring: whether the socket
     * may hold bytes, its writes in the ring). Only {@link Backend} reads and writes it, for
     * its subclasses; loop thread only.
     */
    Object backendState;

    // Guarded by `lock`.
    private IoOp[] inflight = new IoOp[2];
    private int count;
    private boolean closed;
    private boolean released;

    private void lock() {
        while (!LOCK.compareAndSet(this, 0, 1)) {
            Thread.onSpinWait();
        }
    }

    private void unlock() {
        LOCK.setRelease(this, 0);
    }

    /**
     * Registers {@code op} as in flight.
     *
     * @return false if the handle is closed (the op must not be submitted)
     */
    public final boolean beginOp(IoOp op) {
        lock();
        try {
            if (closed) {
                return false;
            }
            if (count == inflight.length) {
                inflight = Arrays.copyOf(inflight, count * 2);
            }
            inflight[count++] = op;
            return true;
        } finally {
            unlock();
        }
    }

    /** Called by {@link IoOp} once it is done. */
    final void endOp(IoOp op) {
        boolean release;
        lock();
        try {
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
        } finally {
            unlock();
        }
        if (release) {
            closeQuietly();
        }
    }

    /** The number of ops in flight on this handle (for tests and leak checks). */
    public final int inflightCount() {
        lock();
        try {
            return count;
        } finally {
            unlock();
        }
    }

    /** True once {@link #close()} was called. */
    public final boolean isClosed() {
        lock();
        try {
            return closed;
        } finally {
            unlock();
        }
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
        lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            toCancel = Arrays.copyOf(inflight, count);
            releaseNow = count == 0;
            if (releaseNow) {
                released = true;
            }
        } finally {
            unlock();
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
            System.getLogger(Handle.class.getName()).log(System.Logger.Level.DEBUG, "close of " + this + " failed", e);
        }
    }

    /** Releases the kernel resource. Called exactly once, when closed and no op is in flight. */
    protected abstract void closeNow() throws IOException;
}
