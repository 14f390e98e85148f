package io.weft.internal.wait;

/**
 * A task as {@link Waits} sees it. Implemented by {@code io.weft.internal.loop.TaskContext},
 * which this package may not import.
 */
public interface WaitTask {

    /** True once the task was asked to stop; its waits then end with {@link Op#CANCEL_TASK}. */
    boolean isCancelRequested();

    /**
     * Records when the task last started running on its own (System.nanoTime scale), or 0
     * while it is parked in a Weft wait; the stall watchdog reads it. The task's thread only.
     */
    void activeSince(long nanoTime);
}
