package io.weft;

import io.weft.internal.wait.Op;
import io.weft.internal.wait.Waits;
import io.weft.internal.wait.Failures;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/**
 * The entry points: run a main task on a fresh runtime, spawn tasks, sleep.
 *
 * <pre>{@code
 * public static void main(String[] args) throws Exception {
 *     Weft.run(() -> {
 *         Task<String> t = Weft.spawn(() -> "hello");
 *         Weft.sleep(Duration.ofMillis(10));
 *         System.out.println(t.join());
 *     });
 * }
 * }</pre>
 */
public final class Weft {
    private Weft() {
    }

    /**
     * Starts a runtime with the default options, runs {@code main} as a task, then cancels
     * and joins whatever tasks are left and shuts the runtime down.
     *
     * @return what {@code main} returned
     * @throws Exception what {@code main} threw, as is
     */
    public static <T> T run(Callable<T> main) throws Exception {
        return run(Runtime.builder(), main);
    }

    /** Like {@link #run(Callable)} for a main task that returns nothing. */
    public static void run(ThrowingRunnable main) throws Exception {
        run(Runtime.builder(), Runtime.asCallable(main));
    }

    /** Like {@link #run(ThrowingRunnable)} with a runtime built from {@code options}. */
    public static void run(Runtime.Builder options, ThrowingRunnable main) throws Exception {
        run(options, Runtime.asCallable(main));
    }

    /** Like {@link #run(Callable)} with a runtime built from {@code options}. */
    public static <T> T run(Runtime.Builder options, Callable<T> main) throws Exception {
        Runtime rt = options.build();
        Task<T> task;
        try {
            task = rt.spawn(main);
            task.awaitDone(Deadline.NONE);
        } finally {
            rt.shutdown(Duration.ZERO);
        }
        try {
            return task.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** The runtime of the calling task; throws if the caller is not a Weft task. */
    public static Runtime runtime() {
        return runtime("Weft.runtime");
    }

    private static Runtime runtime(String call) {
        return Failures.inTask(Runtime.current(), call);
    }

    /**
     * Starts a task in the caller's runtime, on the caller's own loop (as Go and tokio do:
     * no cross-core hand-off); a loop with nothing to do steals queued tasks from a busy
     * one, so the task may move. With tasks on the JDK's default scheduler, on the next
     * loop in turn. {@link Runtime#spawnOn} and {@link #spawnLocal} pin a task to a loop.
     */
    public static <T> Task<T> spawn(Callable<T> body) {
        return runtime("Weft.spawn").spawn(body);
    }

    /** Starts a task that returns nothing; placed as by {@link #spawn(Callable)}. */
    public static Task<Void> spawn(ThrowingRunnable body) {
        return runtime("Weft.spawn").spawn(body);
    }

    /** Starts a task on the caller's own loop, never to migrate: cheapest to talk to, shares its core. */
    public static <T> Task<T> spawnLocal(Callable<T> body) {
        Runtime rt = runtime("Weft.spawnLocal");
        return rt.spawnOn(rt.currentLoopIndexOr(0), body);
    }

    /** Like {@link #spawnLocal(Callable)} for a body that returns nothing. */
    public static Task<Void> spawnLocal(ThrowingRunnable body) {
        return spawnLocal(Runtime.asCallable(body));
    }

    /**
     * Sleeps for {@code d} on the loop's timer (outside a task: parks the thread).
     *
     * @throws CancellationException if the task is cancelled or the thread interrupted meanwhile
     */
    public static void sleep(Duration d) {
        sleep(Deadline.after(d));
    }

    /** Sleeps until {@code deadline}; see {@link #sleep(Duration)}. */
    public static void sleep(Deadline deadline) {
        if (deadline.isNone()) {
            throw new IllegalArgumentException("sleeping until Deadline.NONE would never return");
        }
        int reason = Waits.sleepUntil(deadline.nanoTime());
        if (reason != 0) {
            throw Failures.cancelled(reason, "Weft.sleep");
        }
    }

    /** True if the calling task was asked to cancel. */
    public static boolean isCancelled() {
        Task<?> t = Task.current();
        return t != null && t.isCancelRequested();
    }

    /** Throws {@link CancellationException} if the calling task was asked to cancel. */
    public static void checkCancelled() {
        if (isCancelled()) {
            throw new CancellationException("task cancelled");
        }
    }
}
