package io.weft;

import java.time.Duration;

/**
 * A task kept its loop busy past the stall threshold without reaching a Weft wait. The
 * stack trace shows where it was at the time of the report.
 *
 * @param task     the task
 * @param loop     the index of its loop
 * @param busyFor  how long it had been running
 * @param stack    where it was
 */
public record StallReport(Task<?> task, int loop, Duration busyFor, StackTraceElement[] stack) {

    /** The report as an exception, for logging with its stack. */
    public Throwable asThrowable() {
        Throwable t = new Throwable("task '" + task.name() + "' (loop " + loop + ") has run for "
                + busyFor.toMillis() + " ms without reaching a Weft wait; move blocking or long work to Blocking.call");
        t.setStackTrace(stack);
        return t;
    }
}
