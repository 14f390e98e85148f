package io.weft.internal.loop;

import io.weft.internal.backend.BackendProvider;
import io.weft.internal.backend.BackendUnavailableException;
import io.weft.internal.backend.Backends;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Races cross-thread {@link EventLoop#execute} against the loop going to sleep. A lost
 * wake-up shows as a submission that does not run within seconds while the loop sleeps
 * with no timer to wake it. Each backend wakes its loop its own way (a Selector's pipe,
 * an eventfd, a ring message), so the race runs on each backend this machine offers.
 */
@Tag("mode-independent")
@Timeout(120)
class WakeupStressTest {

    private static final long ATTEMPTS = 1_000_000;
    private static final long TIME_BOUND_NANOS = 20_000_000_000L;
    private static final long LOST_AFTER_NANOS = 5_000_000_000L;

    private static BackendProvider provider(String backend) throws BackendUnavailableException {
        try {
            return Backends.choose(backend).provider();
        } catch (BackendUnavailableException e) {
            Assumptions.abort("backend " + backend + " is unavailable here: " + e.getMessage());
            throw e;
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void crossThreadExecuteRacingSleepNeverLosesAWakeupALot(String backend) throws Exception {
        EventLoop loop = new EventLoop(0, "wakeup-stress", provider(backend), false, NanoClock.SYSTEM, null);
        try {
            AtomicLong ran = new AtomicLong();
            long start = System.nanoTime();
            long attempts = 0;
            while (attempts < ATTEMPTS && System.nanoTime() - start < TIME_BOUND_NANOS) {
                long want = ++attempts;
                loop.execute(() -> ran.set(want));
                long submitted = System.nanoTime();
                // Most attempts spin so the loop is caught at every point of going to
                // sleep; every 64th waits long enough for it to be fully asleep.
                if ((want & 63) == 0) {
                    while (ran.get() != want) {
                        Thread.yield();
                        assertTrue(System.nanoTime() - submitted < LOST_AFTER_NANOS, "lost wake-up at attempt " + want);
                    }
                } else {
                    while (ran.get() != want) {
                        Thread.onSpinWait();
                        if (System.nanoTime() - submitted > LOST_AFTER_NANOS) {
                            throw new AssertionError("lost wake-up at attempt " + want);
                        }
                    }
                }
            }
            assertEquals(attempts, ran.get());
            assertTrue(attempts >= 10_000, "enough attempts in the time bound: " + attempts);
            System.out.println("wake-up stress on " + backend + ": " + attempts + " cross-thread submissions, none lost");
        } finally {
            loop.stop();
            loop.awaitTermination(10_000);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void manyProducersAtOnceAreAllRun(String backend) throws Exception {
        EventLoop loop = new EventLoop(0, "wakeup-producers", provider(backend), false, NanoClock.SYSTEM, null);
        try {
            int producers = 4;
            int each = 100_000;
            AtomicLong ran = new AtomicLong();
            Thread[] threads = new Thread[producers];
            for (int p = 0; p < producers; p++) {
                threads[p] = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < each; i++) {
                        loop.execute(ran::incrementAndGet);
                        if ((i & 1023) == 0) {
                            Thread.yield();
                        }
                    }
                });
            }
            for (Thread t : threads) {
                t.join();
            }
            long deadline = System.nanoTime() + LOST_AFTER_NANOS;
            while (ran.get() != (long) producers * each && System.nanoTime() - deadline < 0) {
                Thread.sleep(1);
            }
            assertEquals((long) producers * each, ran.get());
        } finally {
            loop.stop();
            loop.awaitTermination(10_000);
        }
    }
}
