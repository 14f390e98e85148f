package io.weft.internal.loop;

import io.weft.internal.wait.WaitTask;

import java.util.concurrent.Executor;

/**
 * What the loop layer knows of a task: its loop, whether it was asked to stop, and since
 * when it has run without reaching a Weft wait (for the stall watchdog). The public
 * {@code io.weft.Task} holds one, of a subclass that leads back to the task.
 *
 * <p>A task that may migrate (one started by {@code spawn}, not {@code spawnOn}) has this object as its virtual
 * thread's scheduler: the JDK hands it the thread's continuation whenever the task becomes
 * runnable, and it queues itself on the run queue of the loop the task last ran on, from
 * which an idle loop may steal it (see {@link EventLoop}). A pinned task's scheduler is
 * its loop itself, and it never moves.
 */
public abstract class TaskContext implements Executor, Runnable, WaitTask {

    private static final ThreadLocal<TaskContext> CURRENT = new ThreadLocal<>();

    /** The loop the task runs on, or last ran on; changes only when a loop steals the task. */
    volatile EventLoop loop;
    /** The virtual thread's continuation, as the JDK handed it to {@link #execute}; the same object every time. */
    private Runnable continuation;
    private volatile boolean cancelRequested;
    /**
     * When the task last started running on its own (at start, and on return from each
     * Weft wait), on the System.nanoTime scale; 0 while parked in a Weft wait. Written by
     * the task's thread, read by the watchdog.
     */
    volatile long activeSince;
    /** The activeSince value the watchdog last reported, so one stall warns once. Watchdog thread only. */
    private long reportedStall;

    /**
     * The public task extends this with its own reference, so that the task is found from
     * its context without this layer knowing its type.
     */
    protected TaskContext(EventLoop loop) {
        this.loop = loop;
    }

    /**
     * The virtual-thread scheduler of a task that may migrate: the JDK calls it with the
     * thread's continuation each time the task becomes runnable (start, unpark, yield). The
     * task goes to the run queue of its current loop. Any thread.
     */
    @Override
    public void execute(Runnable continuation) {
        // Plain write: the run queue's offer publishes it to whichever loop polls this.
        this.continuation = continuation;
        loop.schedule(this);
    }

    /** Runs the task until it parks or yields; called by the loop that took it off a run queue. */
    @Override
    public void run() {
        continuation.run();
    }

    /** A loop took this queued task to run it. */
    void movedTo(EventLoop thief) {
        loop = thief;
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

    /** See {@link #activeSince}; the task's thread only. */
    @Override
    public void activeSince(long nanoTime) {
        activeSince = nanoTime;
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

    @Override
    public boolean isCancelRequested() {
        return cancelRequested;
    }

    /** Marks the task cancelled; the caller then interrupts its thread to wake any wait. */
    public void requestCancel() {
        cancelRequested = true;
    }
}
