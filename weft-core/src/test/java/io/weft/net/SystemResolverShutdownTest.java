package io.weft.net;

import io.weft.Deadline;
import io.weft.Runtime;
import io.weft.Task;
import io.weft.TestSupport;
import io.weft.Weft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A system lookup that has been given up on (its deadline passed, or its caller was
 * cancelled) holds neither {@link Weft#run} nor {@link Runtime#shutdown}, even when it
 * ignores interrupts, as getaddrinfo does.
 */
@Timeout(60)
class SystemResolverShutdownTest {

    /** A lookup stuck until the test releases it, deaf to interrupts. */
    static final class StuckLookup implements SystemResolver.Lookup {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch ended = new CountDownLatch(1);

        @Override
        public InetAddress[] lookup(String host) throws UnknownHostException {
            started.countDown();
            boolean interrupted = false;
            while (true) {
                try {
                    release.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // ignored, as getaddrinfo ignores it
                }
            }
            ended.countDown();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            throw new UnknownHostException(host + " (released by the test)");
        }

        boolean stillStuck() {
            return ended.getCount() == 1;
        }
    }

    /**
     * A shutdown timeout longer than the test's own: a shutdown that waited for the stuck
     * lookup would not return before the test gives up on it.
     */
    private static Runtime.Builder patientRuntime() {
        return TestSupport.runtime().shutdownTimeout(Duration.ofMinutes(10));
    }

    /** Runs {@code action} on a platform thread and fails unless it returns while {@code lookup} is still stuck. */
    private static void returnsWhileTheLookupIsStuck(String what, StuckLookup lookup, Callable action) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().name("shutdown-caller").start(() -> {
            try {
                action.call();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            done.get(30, TimeUnit.SECONDS);
            assertTrue(lookup.stillStuck(), what + " returned, but only after the lookup ended");
        } catch (TimeoutException e) {
            fail(what + " waits for a lookup that was given up on (the lookup is "
                    + (lookup.stillStuck() ? "still stuck)" : "over)"));
        } finally {
            lookup.release.countDown();
        }
        assertTrue(lookup.ended.await(30, TimeUnit.SECONDS), "the released lookup ended");
    }

    interface Callable {
        void call() throws Exception;
    }

    @Test
    void weftRunReturnsWhileALookupPastItsDeadlineIsStuck() throws Exception {
        StuckLookup lookup = new StuckLookup();
        SystemResolver resolver = new SystemResolver(lookup);
        returnsWhileTheLookupIsStuck("Weft.run", lookup, () -> Weft.run(patientRuntime(), () -> {
            // A lookup only starts if a pool thread takes it before its deadline; one that did
            // not was withdrawn and never runs. Double the deadline until one starts.
            for (long ms = 50; lookup.started.getCount() == 1; ms *= 2) {
                assertTrue(ms <= 25_600, "no lookup started before its deadline");
                Deadline deadline = Deadline.after(Duration.ofMillis(ms));
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                        () -> resolver.resolve("stuck.test", deadline));
                assertEquals("DNS lookup of stuck.test timed out", e.getMessage());
            }
        }));
    }

    @Test
    void shutdownReturnsWhileTheLookupOfACancelledTaskIsStuck() throws Exception {
        StuckLookup lookup = new StuckLookup();
        SystemResolver resolver = new SystemResolver(lookup);
        Runtime rt = patientRuntime().build();
        try {
            Task<?> caller = rt.spawn(() -> resolver.resolve("stuck.test", Deadline.NONE));
            assertTrue(lookup.started.await(30, TimeUnit.SECONDS), "the lookup started");
            caller.cancel();
            assertThrows(CancellationException.class, () -> caller.join(Duration.ofSeconds(30)),
                    "the cancelled caller returns without waiting for the lookup");
            assertEquals(Task.State.CANCELLED, caller.state());
        } finally {
            returnsWhileTheLookupIsStuck("Runtime.shutdown", lookup, () -> rt.shutdown(Duration.ZERO));
        }
    }
}
