package io.weft.internal.backend;

import io.weft.internal.wait.Op;

/**
 * An op that a {@link Backend} runs on a {@link Handle}. The subclasses name the kinds of
 * work; a backend that cannot do a kind completes it with {@code -EOPNOTSUPP}.
 *
 * <p>The set of kinds is closed, so that each backend dispatches on an op with one
 * exhaustive {@code switch}: a new kind goes into the {@code permits} list, and the compiler
 * then names every switch that has to handle it. {@link NetOps.Poll} stays open to
 * subclasses that only forward its outcome, and {@link BackendOp} to ops a backend makes
 * for its own bookkeeping.
 */
public abstract sealed class IoOp extends Op
        permits NetOps.Accept, NetOps.Connect, NetOps.Read, NetOps.Write, NetOps.ReadV, NetOps.WriteV,
                NetOps.Shutdown, NetOps.Poll, MsgOps.SendMsg, MsgOps.RecvMsg, FileOps.FileOp, FutexWait, BackendOp {

    private final Handle handle;
    /** Set before the op is registered; read by a canceller on any thread (see submitTo). */
    private volatile Backend backend;
    /** See {@link #deadline()}; set at most once, before submission. */
    private long deadline = Long.MAX_VALUE;
    /**
     * What the backend running this op keeps on it (its slot, say). Only {@link Backend}
     * reads and writes it, for its subclasses; loop thread only.
     */
    Object backendState;

    protected IoOp(Handle handle) {
        this.handle = handle;
    }

    public final Handle handle() {
        return handle;
    }

    /**
     * The op's deadline on the {@link System#nanoTime()} scale, or {@link Long#MAX_VALUE}.
     * A backend with {@link Capability#NATIVE_DEADLINES} enforces it itself and completes
     * an op whose deadline passed with {@code -ETIMEDOUT}; otherwise the loop's timer
     * cancels the op with {@link #CANCEL_TIMEOUT}.
     */
    public final long deadline() {
        return deadline;
    }

    /**
     * Gives the op a deadline for its backend to enforce (see {@link #deadline()}). Once,
     * before the op is submitted: a backend reads it when it starts the op.
     *
     * @throws IllegalStateException if the op has a deadline already, or was submitted
     */
    public final void setDeadline(long deadline) {
        if (this.deadline != Long.MAX_VALUE || backend != null) {
            throw new IllegalStateException("the deadline of " + this + " is set once, before it is submitted");
        }
        this.deadline = deadline;
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
