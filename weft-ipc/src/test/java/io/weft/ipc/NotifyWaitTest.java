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
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The notify strategy inside tasks: on io_uring the task sleeps in IORING_OP_FUTEX_WAIT,
 * on epoll on the ring's eventfd; either way its loop keeps running other tasks.
 */
@Timeout(120)
class NotifyWaitTest {

    private static final int RECORDS = 300;

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "io_uring without the futex op"})
    void aTaskSleepsOnTheDoorbellWithoutHoldingItsLoop(String variant) throws Exception {
        String backend = variant.startsWith("io_uring") ? "io_uring" : variant;
        boolean futex = variant.equals("io_uring");
        if (variant.endsWith("futex op")) {
            System.setProperty("weft.uring.futexWait", "false"); // read when the runtime picks its backend
        }
        try {
            Runtime.Builder runtime = TestBackends.require(backend, 1);
            if (futex && !Weft.run(runtime, LoopWaits::futexWaitAvailable)) {
                // Linux 6.0 to 6.6: io_uring without IORING_OP_FUTEX_WAIT. The ring then falls
                // back to eventfds on this backend too; test that, and say what was not tested.
                sleepOnTheDoorbell(runtime, false);
                abort("io_uring here offers no futex wait (IORING_OP_FUTEX_WAIT needs Linux 6.7+, and -Dweft.uring.futexWait=false "
                        + "turns it off), so the futex wait was not tested; the eventfd fallback on io_uring was, and passed");
            }
            sleepOnTheDoorbell(runtime, futex);
        } finally {
            System.clearProperty("weft.uring.futexWait");
        }
    }

    private void sleepOnTheDoorbell(Runtime.Builder runtime, boolean futex) throws Exception {
        Path p = ShmPaths.fresh("notify");
        try (OneToOneRing consumer = OneToOneRing.create(p, 4096);
             OneToOneRing producer = OneToOneRing.open(p);
             OwnedFd records = OwnedFd.eventfd(0);
             OwnedFd space = OwnedFd.eventfd(0)) {
            if (!futex) {
                consumer.useEventFds(records, space);
                producer.useEventFds(records, space);
            }
            AtomicInteger ticks = new AtomicInteger();
            Thread writer = Thread.ofPlatform().unstarted(() -> {
                try {
                    while (ticks.get() < 5) { // the loop must run the ticker while the reader sleeps
                        Thread.sleep(1);
                    }
                    for (int k = 0; k < RECORDS; k++) {
                        long i = producer.claim(1, 8, WaitStrategy.notifying(), Deadline.after(Duration.ofSeconds(30)));
                        producer.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, i, k);
                        producer.commit(i);
                        if (k % 10 == 0) {
                            Thread.sleep(1); // let the reader fall asleep again
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            int[] got = {0};
            Weft.run(runtime, () -> {
                assertEquals(futex, LoopWaits.futexWaitAvailable(),
                        "io_uring on this kernel (6.7+) waits on futexes unless told not to; epoll cannot");
                var ticker = Weft.spawnLocal(() -> {
                    while (got[0] < RECORDS) {
                        ticks.incrementAndGet();
                        Weft.sleep(Duration.ofMillis(1));
                    }
                });
                writer.start();
                while (got[0] < RECORDS) {
                    assertTrue(consumer.awaitRecords(WaitStrategy.notifying(), Deadline.after(Duration.ofSeconds(30))), "no record within 30 s");
                    consumer.read((type, buf, index, length) -> assertEquals(got[0]++, buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index)));
                }
                ticker.join();
            });
            writer.join();
            assertEquals(RECORDS, got[0]);
            int wakes = consumer.header.get(ValueLayout.JAVA_INT, RingLayout.CONSUMER_BELL_OFFSET + 4);
            assertTrue(wakes > 0, "the reader never slept on the doorbell");
        }
    }

    @Test
    void spinningStrategiesRefuseToRunInATask() throws Exception {
        try (OneToOneRing ring = OneToOneRing.create(ShmPaths.fresh("refuse"), 1024)) {
            Weft.run(() -> {
                for (String name : new String[] {"busy-spin", "yield", "backoff"}) {
                    IllegalStateException e = assertThrows(IllegalStateException.class,
                            () -> ring.awaitRecords(WaitStrategy.of(name), Deadline.after(Duration.ofSeconds(1))));
                    assertTrue(e.getMessage().contains("dedicated thread"), e.getMessage());
                    assertTrue(e.getMessage().contains(name), e.getMessage());
                }
            });
            assertThrows(IllegalArgumentException.class, () -> WaitStrategy.of("sleep"));
            assertEquals("notify", WaitStrategy.of("notify").name());
        }
    }
}
