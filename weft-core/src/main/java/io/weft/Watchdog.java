package io.weft;

import io.weft.internal.loop.EventLoop;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Warns when one task keeps a loop busy past a threshold: a blocking call or a long
 * computation on a loop stalls every other task on it.
 */
/*
 * Overview
 *
 * A daemon platform thread wakes every threshold/4 and looks at each live task:
 *   - the task's activeSince (set when it starts or returns from a Weft wait, 0 while
 *     parked in one) is older than the threshold, and
 *   - its thread is RUNNABLE and not parked elsewhere (top frame not in park), and
 *   - in the LOOPS mode, its loop has been inside one runnable for longer than the
 *     threshold (exact: the loop stamps each runnable's start).
 * Such a task is reported once per activation (activeSince value), with its stack.
 *
 * Rejected: sampling the loop thread's stack. A carrier's stack ends where the mounted
 * virtual thread's begins, so it never shows the task's own frames.
 */
final class Watchdog {

    private static final System.Logger LOG = System.getLogger(Watchdog.class.getName());

    private final Runtime runtime;
    private final long thresholdNanos;
    private final Consumer<StallReport> sink;
    private final Thread thread;
    private volatile boolean running = true;

    Watchdog(Runtime runtime, Duration threshold, Consumer<StallReport> listener) {
        this.runtime = runtime;
        this.thresholdNanos = threshold.toNanos();
        this.sink = listener != null ? listener
                : r -> LOG.log(System.Logger.Level.WARNING, r.asThrowable().getMessage(), r.asThrowable());
        this.thread = Thread.ofPlatform().daemon(true).name(runtime.name() + "-watchdog")
                .inheritInheritableThreadLocals(false).start(this::run);
    }

    private void run() {
        long periodMillis = Math.max(5, thresholdNanos / 4_000_000);
        while (running) {
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                return;
            }
            scan(System.nanoTime());
        }
    }

    /** Looks at every live task as of {@code now} (System.nanoTime scale); the tests pass their own. */
    void scan(long now) {
        boolean loopsMode = runtime.schedulerMode() == SchedulerMode.LOOPS;
        for (Task<?> task : runtime.liveTaskList()) {
            var ctx = task.context();
            long since = ctx.activeSince();
            if (since == 0 || now - since < thresholdNanos || ctx.reportedStall() == since) {
                continue;
            }
            Thread t = task.thread();
            if (t == null || t.getState() != Thread.State.RUNNABLE) {
                continue;
            }
            if (loopsMode) {
                EventLoop loop = ctx.loop();
                long runStart = loop.runStart();
                if (runStart == 0 || now - runStart < thresholdNanos) {
                    continue;
                }
            }
            StackTraceElement[] stack = t.getStackTrace();
            if (stack.length == 0 || isParked(stack[0])) {
                continue;
            }
            ctx.markStallReported(since);
            try {
                sink.accept(new StallReport(task, ctx.loop().index(), Duration.ofNanos(now - since), stack));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "stall listener failed", e);
            }
        }
    }

    private static boolean isParked(StackTraceElement top) {
        String c = top.getClassName();
        return c.equals("jdk.internal.misc.Unsafe") || c.equals("jdk.internal.vm.Continuation")
                || c.equals("java.lang.VirtualThread");
    }

    void stop() {
        running = false;
        thread.interrupt();
    }
}
