package io.weft.internal.backend.uring;

import io.weft.internal.backend.TestLoop;
import io.weft.internal.backend.BackendUnavailableException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Threads queue work for the loop and wake it while it sleeps in the backend; no wake-up
 * may be lost. A lost one leaves queued work behind a sleeping loop, which shows as a
 * poll that ended by its timeout while work was waiting.
 */
@Tag("mode-independent") // drives the backend directly, no tasks: runs once
class UringWakeupStressTest {

    @BeforeAll
    static void probe() {
        try {
            UringProbe.probe();
        } catch (BackendUnavailableException e) {
            assumeTrue(false, "io_uring unavailable: " + e.getMessage());
        }
    }

    @Test
    void wakeupsFromManyThreadsALot() throws Exception {
        TestLoop loop = new TestLoop();
        UringBackend backend = new UringBackend(loop, UringProbe.probe(), UringBackend.Config.DEFAULT);
        loop.backend = backend;
        int threads = 4;
        int perThread = 5_000;
        int[] ran = {0};
        List<Thread> producers = new ArrayList<>();
        // Wakers with no work of their own race the loop's re-arming of the wake-up poll.
        AtomicBoolean done = new AtomicBoolean();
        List<Thread> noise = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            noise.add(Thread.ofPlatform().start(() -> {
                while (!done.get()) {
                    backend.wakeup();
                }
            }));
        }
        for (int t = 0; t < threads; t++) {
            producers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    loop.execute(() -> ran[0]++); // queues, then backend.wakeup()
                    if ((i & 63) == 0) {
                        Thread.yield();
                    }
                }
            }));
        }
        long polls = 0;
        // Bounded: a lost wake-up costs one 5 s poll, and the loop gives up after 200 of them.
        while (ran[0] < threads * perThread && backend.stats().timedOutPolls < 200) {
            loop.runQueued();
            if (ran[0] < threads * perThread) {
                backend.poll(5_000_000_000L);
                polls++;
            }
        }
        for (Thread p : producers) {
            p.join();
        }
        done.set(true);
        for (Thread n : noise) {
            n.join();
        }
        loop.runQueued();
        assertEquals(threads * perThread, ran[0]);
        assertEquals(0, backend.stats().timedOutPolls, "a poll slept through queued work (" + polls + " polls)");
        backend.close();
    }
}
