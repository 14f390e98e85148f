package io.weft.internal.loop;

/**
 * What the loop layer knows of a task: its loop, whether it was asked to stop, and since
 * when it has run without reaching a Weft wait (for the stall watchdog). The public
 * {@code io.weft.Task} wraps one.
 */
public final class TaskContext {

    private static final ThreadLocal<TaskContext> CURRENT = new ThreadLocal<>();

    final EventLoop loop;
    final Object owner;
    private volatile boolean cancelRequested;
    /**
     * When the task last started running on its own (at start, and on return from each
     * Weft wait), on the System.nanoTime scale; 0 while parked in a Weft wait. Written by
     * the task's thread, read by the watchdog.
     */
    volatile long activeSince;
    /** The activeSince value the watchdog last reported, so one stall warns once. Watchdog thread only. */
    private long reportedStall;

    public TaskContext(EventLoop loop, Object owner) {
        this.loop = loop;
        this.owner = owner;
    }

    /** The context of the task running on this thread, or null (not a Weft task). */
    public static TaskContext current() {
        return CURRENT.get();
    }

    /** Binds this context to the current thread; called first thing in the task's thread. */
    public void bind() {
        CURRENT.set(this);
        EventLoop.bindCurrent(loop);
        activeSince = System.nanoTime();
    }

    /** Unbinds; called last thing in the task's thread. */
    public void unbind() {
        activeSince = 0;
        CURRENT.remove();
    }

    /** See {@link #activeSince}; any thread. */
    public long activeSince() {
        return activeSince;
    }

    /** Watchdog thread only. */
    public long reportedStall() {
        return reportedStall;
    }

    /** Watchdog thread only. */
    public void markStallReported(long since) {
        reportedStall = since;
    }

    public EventLoop loop() {
        return loop;
    }

    /** The public task object this context belongs to. */
    public Object owner() {
        return owner;
    }

    public boolean isCancelRequested() {
        return cancelRequested;
    }

    /** Marks the task cancelled; the caller then interrupts its thread to wake any wait. */
    public void requestCancel() {
        cancelRequested = true;
    }
}
