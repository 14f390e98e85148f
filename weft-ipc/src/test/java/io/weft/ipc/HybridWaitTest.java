package io.weft.ipc;

import io.weft.Deadline;
import io.weft.Runtime;
import io.weft.Weft;
import io.weft.internal.ipc.LoopWaits;
import io.weft.net.OwnedFd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The hybrid wait: a record that comes while it polls is taken without a ring of the
 * doorbell, and one that comes after it fell asleep wakes it (no lost wake-up); in tasks
 * on io_uring and epoll, and on plain threads. In a task its polls leave the loop to the
 * loop's other tasks.
 */
@Timeout(120)
class HybridWaitTest {

    private static final int ROUNDS = 20;
    private static final Duration LIMIT = Duration.ofSeconds(10);

    private static int state(ShmRing ring) {
        return ring.header.get(ValueLayout.JAVA_INT, RingLayout.CONSUMER_BELL_OFFSET);
    }

    private static int wakes(ShmRing ring) {
        return Sleepers.word(ring, RingLayout.CONSUMER_BELL_OFFSET);
    }

    private static void commitOne(ShmRing ring, long value) throws RingCorruptedException {
        long i = ring.tryClaim(1, 8);
        assertTrue(i >= 0, "room for a record");
        ring.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, i, value);
        ring.commit(i);
    }

    private static long readOne(ShmRing ring) throws RingCorruptedException {
        long[] got = {-1};
        assertEquals(1, ring.read((type, buf, index, length) -> got[0] = buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index), 1));
        return got[0];
    }

    /** Runs {@code body} in a task on one loop of {@code variant}'s backend, or on this thread for "thread". */
    private static <T> T on(String variant, OneToOneRing ring, OwnedFd bell, Callable<T> body) throws Exception {
        if (variant.equals("thread")) {
            return body.call();
        }
        Runtime.Builder runtime = TestBackends.require(variant, 1);
        return Weft.run(runtime, () -> {
            if (!LoopWaits.futexWaitAvailable()) {
                ring.useEventFds(bell, null); // epoll (or io_uring before 6.7) sleeps on an eventfd
            }
            return body.call();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "thread"})
    void aRecordThatComesAfterTheWaiterFellAsleepWakesIt(String variant) throws Exception {
        WaitStrategy hybrid = WaitStrategy.of("hybrid:30us");
        try (OneToOneRing ring = OneToOneRing.create(4096); OwnedFd bell = OwnedFd.eventfd(0)) {
            AtomicReference<Throwable> failed = new AtomicReference<>();
            AtomicInteger rang = new AtomicInteger();
            AtomicInteger consumed = new AtomicInteger();
            Thread producer = Thread.ofPlatform().start(() -> {
                try {
                    for (int k = 0; k < ROUNDS; k++) {
                        Deadline d = Deadline.after(LIMIT);
                        // until the waiter took the last record and armed the bell: its spin is over
                        while (consumed.get() < k || state(ring) == Doorbell.AWAKE) {
                            assertFalse(d.hasPassed(), "the waiter never went to sleep");
                            Thread.onSpinWait();
                        }
                        int before = wakes(ring);
                        commitOne(ring, k);
                        if (wakes(ring) != before) {
                            rang.incrementAndGet();
                        }
                    }
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            int got = on(variant, ring, bell, () -> {
                int n = 0;
                while (n < ROUNDS && failed.get() == null) {
                    assertTrue(ring.awaitRecords(hybrid, Deadline.after(LIMIT)), "lost wake-up: no record within " + LIMIT + " of round " + n);
                    assertEquals(n, readOne(ring));
                    n++;
                    consumed.set(n);
                }
                return n;
            });
            producer.join();
            assertNull(failed.get(), () -> "the producer failed: " + failed.get());
            assertEquals(ROUNDS, got);
            // Each record came to a waiter that had armed its bell; only a thread's sleep that
            // ran out (100 ms) just then could make a commit find it awake.
            assertTrue(rang.get() > ROUNDS / 2, "only " + rang.get() + " of " + ROUNDS + " commits found the waiter asleep and rang");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll"})
    void inATaskTheSpinYieldsToTheLoopsOtherTasks(String variant) throws Exception {
        WaitStrategy hybrid = WaitStrategy.hybrid(WaitStrategy.MAX_HYBRID_SPIN);
        try (OneToOneRing ring = OneToOneRing.create(4096); OwnedFd bell = OwnedFd.eventfd(0)) {
            int caughtSpinning = on(variant, ring, bell, () -> {
                int caught = 0;
                for (int k = 0; k < ROUNDS; k++) {
                    AtomicBoolean waiting = new AtomicBoolean();
                    int before = wakes(ring);
                    // On the same loop: it runs only when the waiter lets the loop go.
                    var helper = Weft.spawnLocal(() -> {
                        while (!waiting.get()) {
                            Thread.yield();
                        }
                        boolean spinning = state(ring) == Doorbell.AWAKE;
                        commitOne(ring, 7);
                        return spinning;
                    });
                    waiting.set(true);
                    assertTrue(ring.awaitRecords(hybrid, Deadline.after(LIMIT)), "no record within " + LIMIT);
                    assertEquals(7, readOne(ring));
                    if (helper.join() && wakes(ring) == before) {
                        caught++;
                    }
                }
                return caught;
            });
            // A spin that held the loop would let the helper in only once the waiter slept,
            // armed, so that every commit would ring. A slow machine may let a spin run out now and then.
            assertTrue(caughtSpinning > ROUNDS / 2, "the loop's other task ran while the waiter spun in only " + caughtSpinning + " of " + ROUNDS + " rounds");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll"})
    void cancellingTheTaskEndsItsHybridWait(String variant) throws Exception {
        try (OneToOneRing ring = OneToOneRing.create(4096); OwnedFd bell = OwnedFd.eventfd(0)) {
            Throwable ended = on(variant, ring, bell, () -> {
                AtomicBoolean waiting = new AtomicBoolean();
                var waiter = Weft.spawnLocal(() -> {
                    waiting.set(true);
                    return ring.awaitRecords(WaitStrategy.hybrid(WaitStrategy.MAX_HYBRID_SPIN), Deadline.after(Duration.ofSeconds(60)));
                });
                while (!waiting.get()) {
                    Thread.yield();
                }
                waiter.cancel();
                return assertThrows(RuntimeException.class, waiter::join, "a cancelled wait must not return");
            });
            assertTrue(ended instanceof CancellationException || ended.getCause() instanceof CancellationException,
                    () -> "the wait ended with " + ended);
            assertEquals(Doorbell.AWAKE, state(ring), "a cancelled waiter leaves the bell awake");
        }
    }

    @Test
    void onAThreadARecordThatComesWhileItSpinsIsTakenWithoutARing() throws Exception {
        WaitStrategy hybrid = WaitStrategy.hybrid(WaitStrategy.MAX_HYBRID_SPIN);
        try (OneToOneRing ring = OneToOneRing.create(4096)) {
            int caught = 0;
            for (int k = 0; k < ROUNDS; k++) {
                AtomicBoolean waiting = new AtomicBoolean();
                AtomicReference<Throwable> failed = new AtomicReference<>();
                int before = wakes(ring);
                long value = k;
                Thread producer = Thread.ofPlatform().start(() -> {
                    try {
                        while (!waiting.get()) {
                            Thread.onSpinWait();
                        }
                        commitOne(ring, value);
                    } catch (Throwable t) {
                        failed.set(t);
                    }
                });
                waiting.set(true);
                assertTrue(ring.awaitRecords(hybrid, Deadline.after(LIMIT)), "no record within " + LIMIT);
                producer.join();
                assertNull(failed.get(), () -> "the producer failed: " + failed.get());
                assertEquals(k, readOne(ring));
                if (wakes(ring) == before) {
                    caught++;
                }
            }
            // 10 ms of polling leaves a producer thread ample time, busy machine or not
            assertTrue(caught > ROUNDS / 2, "only " + caught + " of " + ROUNDS + " records were found by the spin");
        }
    }

    @Test
    void namesAndBounds() {
        assertEquals("hybrid", WaitStrategy.of("hybrid").name());
        assertSame(WaitStrategy.hybrid(), WaitStrategy.of("hybrid:50us"), "the default spin is 50 µs");
        assertEquals("hybrid:30us", WaitStrategy.of("hybrid:30us").name());
        assertEquals("hybrid:2ms", WaitStrategy.of("hybrid:2ms").name());
        assertEquals("hybrid:1500ns", WaitStrategy.of("hybrid:1500ns").name());
        assertEquals("hybrid:30us", WaitStrategy.of("hybrid:30µs").name());
        assertEquals("hybrid:0ms", WaitStrategy.hybrid(Duration.ZERO).name());
        assertEquals(WaitStrategy.of("hybrid:30us").name(), WaitStrategy.of(WaitStrategy.of("hybrid:30us").name()).name(), "a name reads back");
        assertTrue(WaitStrategy.hybrid().runsInTasks());
        assertFalse(WaitStrategy.busySpin().runsInTasks());
        for (String bad : new String[] {"hybrid:20", "hybrid:-1us", "hybrid:11ms", "hybrid:xus", "hybrid:", "hybrid:1s"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WaitStrategy.of(bad), bad);
            assertTrue(e.getMessage().contains("hybrid"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> WaitStrategy.hybrid(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> WaitStrategy.hybrid(Duration.ofMillis(11)));
    }

    @Test
    void aZeroSpinSleepsAtOnceAndIsWoken() throws Exception {
        try (OneToOneRing ring = OneToOneRing.create(4096)) {
            Thread producer = Thread.ofPlatform().start(() -> {
                Deadline d = Deadline.after(LIMIT);
                while (state(ring) == Doorbell.AWAKE && !d.hasPassed()) {
                    Thread.onSpinWait();
                }
                try {
                    commitOne(ring, 3);
                } catch (RingCorruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(ring.awaitRecords(WaitStrategy.hybrid(Duration.ZERO), Deadline.after(LIMIT)), "no record within " + LIMIT);
            producer.join();
            assertEquals(3, readOne(ring));
            assertEquals(1, wakes(ring), "the waiter slept at once, so the commit rang");
        }
    }
}
