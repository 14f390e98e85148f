package io.weft.sync;

import io.weft.DeadlineExceededException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Linearizability of {@link Channel} with its blocking operations, as real threads run
 * them ({@link ChannelLincheckTest} covers the non-blocking ones, {@link WaitLincheckTest}
 * the blocking ones split at their park). Platform threads run small random mixes of
 * timed {@code send}/{@code receive}, {@code trySend}/{@code tryReceive}, and a
 * {@link Select} that sends or receives (beside a receive case on a channel nobody sends
 * on); a fourth thread interrupts them at random moments, which cancels the wait in
 * progress. Each operation is recorded with the interval [invoked, returned] and its
 * outcome. After the round the channel is drained, and the drain (every value left, then
 * an empty {@code tryReceive}) is part of the history. Each history is checked:
 *
 * <ul>
 *   <li>bounded channels: an exhaustive search (Wing and Gong) for an order of the
 *       operations that respects real time (an operation that returned before another was
 *       invoked comes first) and that a sequential bounded FIFO queue accepts with the same
 *       outcomes. A timed-out blocking operation is allowed to have taken no effect; a
 *       {@code false} from trySend must meet a full queue, a {@code null} from tryReceive an
 *       empty one.</li>
 *   <li>rendezvous: each value received was sent by exactly one successful send, every
 *       successful send's value was received exactly once, and each send overlaps in time
 *       with the receive that took its value (a rendezvous hand-over is one instant common
 *       to both). A timed-out send's value was never received.</li>
 * </ul>
 * And for every channel: every value that a send reported sent was received exactly once,
 * during the round or by the drain; no value was received that was not sent, or whose
 * send failed. Timeouts and cancellations are not checked for being "necessary" (that
 * the operation could not have completed at any point of its interval); only that they
 * took nothing.
 */
@Tag("mode-independent")
@Timeout(120)
class ChannelHistoryCheckTest {

    private static final int THREADS = 3;
    private static final int OPS_PER_THREAD = 3;
    private static final Duration WAIT = Duration.ofMillis(3);

    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterAll
    static void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    enum Kind {
        SEND, RECEIVE, TRY_SEND, TRY_RECEIVE, SELECT_SEND, SELECT_RECEIVE;

        boolean sends() {
            return this == SEND || this == TRY_SEND || this == SELECT_SEND;
        }
    }

    /** One completed operation. {@code ok}: it sent, or it received {@code value}. */
    record Event(Kind kind, int thread, int value, long start, long end, boolean ok) {
        boolean precedes(Event o) {
            return end < o.start;
        }

        @Override
        public String toString() {
            return "T" + thread + " " + kind + (kind.sends() ? "(" + value + ")" : "")
                    + " -> " + (ok ? (kind.sends() ? "ok" : "" + value) : "no")
                    + " [" + start + ", " + end + "]";
        }
    }

    @Test
    void boundedAndUnboundedChannelHistoriesAreLinearizableALot() throws Exception {
        for (int capacity : new int[] {1, 2, Integer.MAX_VALUE}) {
            int transfers = 0;
            for (int round = 0; round < 300; round++) {
                Channel<Integer> ch = capacity == Integer.MAX_VALUE ? Channel.unbounded() : Channel.bounded(capacity);
                List<Event> h = run(ch, round);
                if (!linearizable(h, capacity)) {
                    fail("not linearizable for " + ch + ":\n" + render(h));
                }
                transfers += everyValueOnce(h);
            }
            assertTrue(transfers > 0, "some values moved through capacity " + capacity);
            System.out.println("capacity " + capacity + " histories: " + transfers + " values accounted for");
        }
    }

    @Test
    void rendezvousHistoriesPairEverySendWithOneOverlappingReceiveALot() throws Exception {
        int transfers = 0;
        for (int round = 0; round < 300; round++) {
            List<Event> h = run(Channel.rendezvous(), round);
            everyValueOnce(h);
            Map<Integer, Event> sent = new HashMap<>();
            Set<Integer> notSent = new HashSet<>();
            for (Event e : h) {
                if (e.kind.sends()) {
                    if (e.ok) {
                        sent.put(e.value, e);
                    } else {
                        notSent.add(e.value);
                    }
                }
            }
            Set<Integer> received = new HashSet<>();
            for (Event r : h) {
                if (!r.kind.sends() && r.ok) {
                    assertTrue(received.add(r.value), "received twice: " + r.value + "\n" + render(h));
                    assertTrue(!notSent.contains(r.value), "received the value of a failed send: " + r + "\n" + render(h));
                    Event s = sent.get(r.value);
                    assertTrue(s != null, "received a value no successful send sent: " + r + "\n" + render(h));
                    assertTrue(!s.precedes(r) && !r.precedes(s), "send and receive do not overlap: " + s + " / " + r + "\n" + render(h));
                }
            }
            assertEquals(sent.keySet(), received, "every successful send was received once\n" + render(h));
            transfers += received.size();
        }
        assertTrue(transfers > 0, "some hand-overs happened");
        System.out.println("rendezvous histories: " + transfers + " hand-overs checked");
    }

    /**
     * Runs one round: each thread does OPS_PER_THREAD random operations, all starting
     * together, while another interrupts them at random; then drains the channel. The
     * drain's events come after every other event.
     */
    private static List<Event> run(Channel<Integer> ch, int round) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<Event>>> fs = new ArrayList<>();
        Thread[] workers = new Thread[THREADS];
        CountDownLatch started = new CountDownLatch(THREADS);
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            fs.add(pool.submit(() -> {
                Thread.interrupted(); // one meant for the previous round's last operation
                workers[thread] = Thread.currentThread();
                started.countDown();
                while (true) {
                    try {
                        go.await();
                        break;
                    } catch (InterruptedException early) {
                        // meant for an operation that has not started: drop it
                    }
                }
                List<Event> mine = new ArrayList<>();
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int i = 0; i < OPS_PER_THREAD; i++) {
                    Kind k = Kind.values()[rnd.nextInt(Kind.values().length)];
                    int v = 1000 * round + 10 * thread + i;
                    mine.add(perform(ch, k, thread, v));
                    Thread.interrupted(); // an interrupt meant for this operation ends with it
                }
                return mine;
            }));
        }
        assertTrue(started.await(30, TimeUnit.SECONDS));
        go.countDown();
        // Interrupts land anywhere: before, during or after a wait, or on a try* call.
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = rnd.nextInt(3); i > 0; i--) {
            Thread.sleep(Duration.ofNanos(rnd.nextLong(WAIT.toNanos())));
            workers[rnd.nextInt(THREADS)].interrupt();
        }
        List<Event> h = new ArrayList<>();
        for (Future<List<Event>> f : fs) {
            h.addAll(f.get(30, TimeUnit.SECONDS));
        }
        Integer left;
        while ((left = ch.tryReceive()) != null) {
            long t = System.nanoTime();
            h.add(new Event(Kind.TRY_RECEIVE, THREADS, left, t, t, true));
        }
        long t = System.nanoTime();
        h.add(new Event(Kind.TRY_RECEIVE, THREADS, -1, t, t, false));
        return h;
    }

    private static Event perform(Channel<Integer> ch, Kind k, int thread, int v) {
        long start = System.nanoTime();
        boolean ok;
        int value = v;
        switch (k) {
            case SEND -> ok = cancellable(() -> {
                ch.send(v, WAIT);
                return true;
            }) != null;
            case TRY_SEND -> ok = ch.trySend(v);
            case SELECT_SEND -> ok = cancellable(() -> new Select<Boolean>()
                    .onSend(ch, v, () -> true)
                    .onReceive(IDLE, x -> {
                        throw new AssertionError("received " + x + " from a channel nobody sends on");
                    })
                    .onTimeout(WAIT, () -> null)
                    .select()) != null;
            case RECEIVE, SELECT_RECEIVE, TRY_RECEIVE -> {
                Integer got = switch (k) {
                    case RECEIVE -> cancellable(() -> ch.receive(WAIT));
                    case SELECT_RECEIVE -> cancellable(() -> new Select<Integer>()
                            .onReceive(ch, x -> x)
                            .onReceive(IDLE, x -> {
                                throw new AssertionError("received " + x + " from a channel nobody sends on");
                            })
                            .onTimeout(WAIT, () -> null)
                            .select());
                    default -> ch.tryReceive();
                };
                ok = got != null;
                value = ok ? got : -1;
            }
            default -> throw new AssertionError(k);
        }
        return new Event(k, thread, value, start, System.nanoTime(), ok);
    }

    /** A channel nobody sends on, for the second case of the selects. */
    private static final Channel<Integer> IDLE = Channel.rendezvous();

    /** Runs a wait; null if its deadline passed or an interrupt cancelled it (it then took nothing). */
    private static <T> T cancellable(java.util.function.Supplier<T> wait) {
        try {
            return wait.get();
        } catch (DeadlineExceededException | CancellationException e) {
            return null;
        }
    }

    /**
     * Every value a send reported sent was received exactly once (the drain included), and
     * every received value was sent by a send that reported it sent. Returns how many.
     */
    static int everyValueOnce(List<Event> h) {
        Set<Integer> sent = new HashSet<>();
        Set<Integer> received = new HashSet<>();
        for (Event e : h) {
            if (e.kind.sends() && e.ok) {
                sent.add(e.value);
            }
        }
        for (Event e : h) {
            if (!e.kind.sends() && e.ok) {
                assertTrue(received.add(e.value), "received twice: " + e + "\n" + render(h));
                assertTrue(sent.contains(e.value), "received a value no successful send sent: " + e + "\n" + render(h));
            }
        }
        assertEquals(sent, received, "every value sent was received once, or was still in the channel\n" + render(h));
        return sent.size();
    }

    // ---- the exhaustive search ----------------------------------------------------------

    /** True if some real-time-respecting order of {@code h} is a legal bounded-queue history. */
    static boolean linearizable(List<Event> h, int capacity) {
        return search(h, 0L, new ArrayDeque<>(), capacity, new HashSet<>());
    }

    private static boolean search(List<Event> h, long done, ArrayDeque<Integer> q, int capacity, Set<String> seen) {
        if (Long.bitCount(done) == h.size()) {
            return true;
        }
        if (!seen.add(done + ":" + q)) {
            return false; // this (done set, queue) was already explored and failed
        }
        for (int i = 0; i < h.size(); i++) {
            if ((done & (1L << i)) != 0 || !minimal(h, done, i)) {
                continue;
            }
            Event e = h.get(i);
            ArrayDeque<Integer> next = apply(e, q, capacity);
            if (next != null && search(h, done | (1L << i), next, capacity, seen)) {
                return true;
            }
        }
        return false;
    }

    /** Event i may come next if no other pending event returned before it was invoked. */
    private static boolean minimal(List<Event> h, long done, int i) {
        for (int j = 0; j < h.size(); j++) {
            if (j != i && (done & (1L << j)) == 0 && h.get(j).precedes(h.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** The queue after {@code e}, or null if the sequential queue could not give e's outcome. */
    private static ArrayDeque<Integer> apply(Event e, ArrayDeque<Integer> q, int capacity) {
        ArrayDeque<Integer> n = new ArrayDeque<>(q);
        switch (e.kind) {
            case SEND, TRY_SEND, SELECT_SEND -> {
                if (e.ok) {
                    if (n.size() == capacity) {
                        return null;
                    }
                    n.addLast(e.value);
                } else if (e.kind == Kind.TRY_SEND && n.size() < capacity) {
                    return null; // trySend said full
                }
            }
            case RECEIVE, TRY_RECEIVE, SELECT_RECEIVE -> {
                if (e.ok) {
                    if (n.isEmpty() || n.peekFirst() != e.value) {
                        return null;
                    }
                    n.pollFirst();
                } else if (e.kind == Kind.TRY_RECEIVE && !n.isEmpty()) {
                    return null; // tryReceive said empty
                }
            }
        }
        return n;
    }

    private static String render(List<Event> h) {
        StringBuilder b = new StringBuilder();
        h.stream().sorted(java.util.Comparator.comparingLong(Event::start)).forEach(e -> b.append("  ").append(e).append('\n'));
        return b.toString();
    }

    /** The checker itself: it accepts a legal history and rejects an illegal one. */
    @Test
    void theSearchAcceptsLegalAndRejectsIllegalHistories() {
        // T0 sends 1 then T1 receives 1, in sequence: legal.
        List<Event> legal = List.of(
                new Event(Kind.SEND, 0, 1, 0, 10, true),
                new Event(Kind.RECEIVE, 1, 1, 20, 30, true));
        assertTrue(linearizable(legal, 1));
        // The receive returned before the send began: illegal.
        List<Event> early = List.of(
                new Event(Kind.RECEIVE, 1, 1, 0, 10, true),
                new Event(Kind.SEND, 0, 1, 20, 30, true));
        assertTrue(!linearizable(early, 1));
        // Two sends into capacity 1 with no receive: illegal.
        List<Event> overfull = List.of(
                new Event(Kind.SEND, 0, 1, 0, 10, true),
                new Event(Kind.SEND, 1, 2, 20, 30, true));
        assertTrue(!linearizable(overfull, 1));
        // FIFO: 1 then 2 sent in sequence, received 2 then 1 in sequence: illegal.
        List<Event> reordered = List.of(
                new Event(Kind.SEND, 0, 1, 0, 10, true),
                new Event(Kind.SEND, 0, 2, 11, 20, true),
                new Event(Kind.RECEIVE, 1, 2, 30, 40, true),
                new Event(Kind.RECEIVE, 1, 1, 41, 50, true));
        assertTrue(!linearizable(reordered, 2));
        // Overlapping: the receive may linearize after the concurrent send: legal.
        List<Event> overlap = List.of(
                new Event(Kind.RECEIVE, 1, 1, 0, 30, true),
                new Event(Kind.SEND, 0, 1, 10, 20, true));
        assertTrue(linearizable(overlap, 1));
        // trySend "full" on an empty channel with nothing concurrent: illegal.
        assertTrue(!linearizable(List.of(new Event(Kind.TRY_SEND, 0, 1, 0, 10, false)), 1));
    }
}
