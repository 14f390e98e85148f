package io.weft;

import io.weft.internal.loop.EventLoop;
import io.weft.net.TcpListener;
import io.weft.net.TcpStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Work stealing runs every task exactly once, and a task that moved keeps doing socket
 * I/O: tasks spawn children, yield, sleep, burn a few microseconds and make echo round
 * trips over loopback, while idle loops steal from busy ones; on each backend.
 */
@Timeout(120)
class StealingStressTest {

    private static final int ROOTS = 120;
    private static final int MAX_TASKS = 600;
    private static final int ROUND_TRIPS = 4;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void everyTaskRunsExactlyOnceWhileLoopsSteal(String backend) throws Exception {
        Assumptions.assumeFalse(backend.equals("nio"),
                "work stealing is not supported on nio: a stolen task's channel, registered with another loop's"
                        + " Selector, deadlocked a loop once in the JDK's deregistration");
        TestSupport.onBackend(TestSupport.runtime().workStealing(true), backend, () -> {
            Runtime rt = Weft.runtime();
            AtomicIntegerArray runs = new AtomicIntegerArray(MAX_TASKS);
            AtomicInteger ids = new AtomicInteger();
            AtomicInteger moved = new AtomicInteger();
            AtomicInteger verifiedTrips = new AtomicInteger();
            ConcurrentLinkedQueue<Task<?>> all = new ConcurrentLinkedQueue<>();
            try (TcpListener listener = TcpListener.bind("127.0.0.1", 0)) {
                InetSocketAddress at = listener.localAddress();
                AtomicBoolean serving = new AtomicBoolean(true);
                Task<Void> server = Weft.spawn(() -> {
                    while (serving.get()) {
                        TcpStream conn = listener.accept(Duration.ofMillis(200));
                        Weft.spawn(() -> echo(conn));
                    }
                });
                // accept's timeout ends the server; a closed listener is not an error here
                long start = System.nanoTime();
                for (int i = 0; i < ROOTS; i++) {
                    all.add(spawnWorker(ids, runs, moved, verifiedTrips, at, all, 2));
                }
                for (Task<?> t; (t = all.poll()) != null; ) {
                    t.join();
                }
                serving.set(false);
                try {
                    server.join();
                } catch (java.util.concurrent.CompletionException e) {
                    if (!(e.getCause() instanceof java.net.SocketTimeoutException)) {
                        throw e;
                    }
                }
                int n = ids.get();
                int[] expected = new int[n];
                int[] seen = new int[n];
                for (int i = 0; i < n; i++) {
                    expected[i] = 1;
                    seen[i] = runs.get(i);
                }
                assertArrayEquals(expected, seen, "every task's body ran exactly once");
                assertEquals((long) n * ROUND_TRIPS, verifiedTrips.get(), "every echo round trip came back intact");
                long stolen = 0;
                for (int i = 0; i < rt.loopCount(); i++) {
                    stolen += rt.loop(i).stolenCount();
                }
                System.out.println("stealing stress on " + backend + " (" + rt.schedulerMode() + "): " + n + " tasks, "
                        + stolen + " stolen, " + moved.get() + " seen on two loops, "
                        + (System.nanoTime() - start) / 1_000_000 + " ms");
                if (rt.schedulerMode() == SchedulerMode.LOOPS) {
                    assertTrue(stolen > 0, "idle loops stole tasks");
                    assertTrue(moved.get() > 0, "some task did I/O on two loops");
                }
            }
        });
    }

    private static Task<Void> spawnWorker(AtomicInteger ids, AtomicIntegerArray runs, AtomicInteger moved,
                                          AtomicInteger verifiedTrips, InetSocketAddress at,
                                          ConcurrentLinkedQueue<Task<?>> all, int depth) {
        int id = ids.getAndIncrement();
        if (id >= MAX_TASKS) {
            throw new AssertionError("more tasks than planned");
        }
        return Weft.spawn(() -> {
            runs.incrementAndGet(id);
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            int firstLoop = Task.current().loopIndex();
            boolean sawOther = false;
            try (TcpStream s = TcpStream.connect(at, Duration.ofSeconds(10))) {
                s.setReadTimeout(Duration.ofSeconds(10));
                byte[] out = new byte[32];
                byte[] in = new byte[32];
                for (int trip = 0; trip < ROUND_TRIPS; trip++) {
                    switch (rnd.nextInt(4)) {
                        case 0 -> Thread.yield();
                        case 1 -> Weft.sleep(Duration.ofNanos(rnd.nextLong(50_000, 1_000_000)));
                        case 2 -> busy(rnd.nextLong(2_000, 30_000));
                        default -> {
                            if (depth > 0 && ids.get() < MAX_TASKS - 200) {
                                all.add(spawnWorker(ids, runs, moved, verifiedTrips, at, all, depth - 1));
                            }
                        }
                    }
                    rnd.nextBytes(out);
                    out[0] = (byte) id;
                    s.writeAll(out);
                    s.readFully(in);
                    assertArrayEquals(out, in, "echo of task " + id);
                    verifiedTrips.incrementAndGet();
                    sawOther |= Task.current().loopIndex() != firstLoop;
                }
            }
            if (sawOther) {
                moved.incrementAndGet();
            }
        });
    }

    private static void echo(TcpStream conn) throws Exception {
        try (conn) {
            byte[] buf = new byte[256];
            for (int n; (n = conn.read(buf)) > 0; ) {
                conn.writeAll(buf, 0, n);
            }
        }
    }

    private static void busy(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    @Test
    void pinnedTasksAreNeverStolen() throws Exception {
        try (Runtime rt = TestSupport.runtime().workStealing(true).build()) {
            Assumptions.assumeTrue(rt.schedulerMode() == SchedulerMode.LOOPS, "no stealing with tasks on the JDK's scheduler");
            AtomicInteger strays = new AtomicInteger();
            List<Task<Void>> ts = new ArrayList<>();
            // Everything pinned to loop 0 while loop 1 idles and would steal anything it could.
            for (int i = 0; i < 200; i++) {
                ts.add(rt.spawnOn(0, () -> {
                    for (int k = 0; k < 20; k++) {
                        busy(5_000);
                        Thread.yield();
                        if (Task.current().loopIndex() != 0 || EventLoop.current() != rt.loop(0)) {
                            strays.incrementAndGet();
                        }
                    }
                }));
            }
            for (Task<Void> t : ts) {
                t.join();
            }
            assertEquals(0, strays.get(), "pinned tasks seen off their loop");
            assertEquals(0, rt.loop(1).stolenCount(), "loop 1 stole pinned tasks");
        }
    }
}
