package io.weft;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Small helpers shared by the tests. */
public final class TestSupport {
    private TestSupport() {
    }

    /** Waits (bounded) until {@code condition} holds; fails the test with {@code what} otherwise. */
    public static void eventually(String what, Duration limit, BooleanSupplier condition) {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what);
            }
        }
    }

    /** Waits until {@code t}'s thread is parked (WAITING or TIMED_WAITING). */
    public static void awaitParked(Thread t) {
        eventually(t + " is parked", Duration.ofSeconds(10), () -> {
            Thread.State s = t.getState();
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
        });
    }

    /** The number of open file descriptors of this process. */
    public static int openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        }
    }

    /**
     * Starts task number {@code i} of the calling task's runtime on loop {@code i} modulo
     * the loop count: tests that mean "across loops" say so, since {@link Weft#spawn} from a
     * task starts on the caller's own loop.
     */
    public static Task<Void> spawnOnLoop(int i, ThrowingRunnable body) {
        Runtime rt = Weft.runtime();
        return rt.spawnOn(i % rt.loopCount(), body);
    }

    /** Like {@link #spawnOnLoop(int, ThrowingRunnable)} for a body with a result. */
    public static <T> Task<T> spawnOnLoop(int i, java.util.concurrent.Callable<T> body) {
        Runtime rt = Weft.runtime();
        return rt.spawnOn(i % rt.loopCount(), body);
    }

    /** A small runtime for tests, in the scheduler mode the build selected. */
    public static Runtime.Builder runtime() {
        return Runtime.builder().loops(2).shutdownTimeout(Duration.ofSeconds(5));
    }

    /**
     * Runs {@code body} as the main task of a 2-loop runtime on {@code backend}, or skips
     * the test with the reason the backend cannot run here.
     */
    public static void onBackend(String backend, ThrowingRunnable body) throws Exception {
        Runtime.Builder b = runtime().backend(backend);
        Runtime probe;
        try {
            probe = b.build();
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("backend " + backend + " is unavailable here: " + e.getMessage());
            return;
        }
        probe.close();
        Weft.run(b, () -> {
            if (!backend.equals(Weft.runtime().backend())) {
                throw new AssertionError("runtime runs " + Weft.runtime().backend() + ", not " + backend);
            }
            body.run();
        });
    }
}
