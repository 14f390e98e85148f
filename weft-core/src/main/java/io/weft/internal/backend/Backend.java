package io.weft.internal.backend;

import io.weft.internal.wait.Op;

/**
 * The part of a backend that belongs to one event loop: it runs {@link IoOp}s and blocks
 * the loop thread while nothing is ready.
 *
 * <p>Thread confinement: every method runs on the loop thread only, except
 * {@link #wakeup()} and {@link #cancel(IoOp)}, which any thread may call.
 */
/*
 * Overview
 *
 * The loop calls, once per turn:
 *
 *   run ready tasks       tasks call submit(op); a backend may complete an op inline
 *                         (nio and epoll try the syscall first), or queue it
 *   poll(timeoutNanos)    flush queued work to the kernel and block until something
 *                         completes, the timeout passes, or wakeup() is called; complete
 *                         every op whose work is finished (Op.complete wakes its task)
 *
 * Cancellation: Op.requestCancel -> IoOp.onCancel -> backend.cancel(op), which hops to the
 * loop thread and calls cancelOnLoop. The op must still get exactly one final complete():
 * -ECANCELED if the work was withdrawn, or the real result if it had already happened.
 */
public abstract class Backend implements AutoCloseable {

    protected final LoopContext loop;

    protected Backend(LoopContext loop) {
        this.loop = loop;
    }

    /** The backend's name, as in {@code -Dweft.backend}. */
    public abstract String name();

    /**
     * Starts {@code op}. Loop thread only. The caller has already registered the op with
     * its handle ({@link Handle#beginOp}); the backend completes it exactly once.
     */
    public abstract void submit(IoOp op);

    /**
     * Hands queued work to the kernel and waits for completions. Loop thread only.
     *
     * @param timeoutNanos 0 to return at once, {@code Long.MAX_VALUE} to wait without limit
     */
    public abstract void poll(long timeoutNanos);

    /**
     * True if the backend can tell, without a syscall, that completions wait
     * ({@link #completionsReady()}). A loop that busy-polls while idle uses it to notice
     * I/O; for a backend that cannot, the loop calls {@code poll(0)} now and then instead.
     */
    public boolean canPeekCompletions() {
        return false;
    }

    /**
     * True if a {@code poll(0)} now would complete something: the kernel has posted
     * completions, or has completion work waiting for this thread. No syscall. Loop thread
     * only; meaningful only where {@link #canPeekCompletions()}.
     */
    public boolean completionsReady() {
        return false;
    }

    /**
     * True if work queued by {@link #submit} waits for the next {@link #poll} to reach the
     * kernel. A loop about to busy-poll calls {@code poll(0)} first, or that work would
     * wait for the spin to end. Loop thread only.
     */
    public boolean hasUnsubmitted() {
        return false;
    }

    /** Makes a blocked or the next {@link #poll} return promptly. Any thread. */
    public abstract void wakeup();

    /** Withdraws {@code op}; any thread. Only {@link IoOp#onCancel} should call it. */
    public final void cancel(IoOp op) {
        loop.runOnLoop(() -> cancelOnLoop(op));
    }

    /**
     * Withdraws {@code op} on the loop thread. The op may already be done, or may never
     * have reached {@link #submit} (a cancel that raced the submission): then, if it is not
     * done, complete it with {@link Op#CANCELLED}.
     */
    protected abstract void cancelOnLoop(IoOp op);

    /** Releases the backend's kernel resources. Loop thread only, after the last poll. */
    @Override
    public abstract void close();

    /*
     * Per-op and per-handle state of a backend. One untyped field on IoOp and on Handle
     * rather than a side table: a map lookup per op would cost on the hottest path. Only
     * backends reach the fields, through these accessors; each backend casts back to its
     * own type, and code outside the backends cannot see or change what a backend keeps.
     */

    /** What this kind of backend keeps on {@code op} while it runs it, or null. Loop thread. */
    protected static Object opState(IoOp op) {
        return op.backendState;
    }

    /** Sets what {@link #opState(IoOp)} returns; null when the op leaves the backend. Loop thread. */
    protected static void opState(IoOp op, Object state) {
        op.backendState = state;
    }

    /** What this kind of backend keeps on {@code handle}, or null before it kept anything. Loop thread. */
    protected static Object handleState(Handle handle) {
        return handle.backendState;
    }

    /** Sets what {@link #handleState(Handle)} returns. Loop thread. */
    protected static void handleState(Handle handle, Object state) {
        handle.backendState = state;
    }
}
