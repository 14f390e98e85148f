package io.weft.internal.backend;

import io.weft.internal.wait.Op;

/**
 * An op that a {@link Backend} runs on a {@link Handle}. The subclasses name the kinds of
 * work; a backend that cannot do a kind completes it with {@code -EOPNOTSUPP}.
 */
public abstract class IoOp extends Op {

    private final Handle handle;
    /** Set before the op is registered; read by a canceller on any thread (see submitTo). */
    private volatile Backend backend;
    /**
     * The op's deadline on the {@link System#nanoTime()} scale, or {@link Long#MAX_VALUE}.
     * A backend with {@link Capability#NATIVE_DEADLINES} enforces it itself and completes
     * an op whose deadline passed with {@code -ETIMEDOUT}; otherwise the loop's timer
     * cancels the op with {@link #CANCEL_TIMEOUT}.
     */
    public long deadline = Long.MAX_VALUE;
    /** Scratch for the backend that runs this op (its registration, its slot); loop thread only. */
    public Object backendState;

    protected IoOp(Handle handle) {
        this.handle = handle;
    }

    public final Handle handle() {
        return handle;
    }

    /**
     * Submits this op to {@code backend}. Loop thread only.
     *
     * <p>A canceller on another thread and this method form a Dekker pair: this method
     * writes {@code backend} then reads the op's state; {@code requestCancel} writes the
     * state then reads {@code backend}. At least one sees the other. If this side sees a
     * cancel, it does not submit (the canceller, or the backend's cancelOnLoop for an op
     * it never received, completes the op); if the canceller saw null, it completed the op.
     *
     * @return false if the handle was already closed; the op is then completed as
     *         cancelled with reason {@link #CANCEL_CLOSE}
     */
    public final boolean submitTo(Backend backend) {
        this.backend = backend;
        if (!isPending()) {
            return true;
        }
        if (!handle.beginOp(this)) {
            requestCancel(CANCEL_CLOSE);
            return false;
        }
        backend.submit(this);
        return true;
    }

    @Override
    protected final void onCancel(int reason) {
        Backend b = backend;
        if (b != null) {
            b.cancel(this);
        } else {
            complete(CANCELLED);
        }
    }

    @Override
    protected final void onDone() {
        handle.endOp(this);
        afterDone();
    }

    /**
     * Called once on the completing thread after the op is done and has let go of its
     * handle, before its waiter is woken. For ops that forward their outcome to another
     * op (a select's socket case); keep it short, it runs on a loop thread.
     */
    protected void afterDone() {
    }
}
