package io.weft.sync;

import io.weft.DeadlineExceededException;
import io.weft.Runtime;
import io.weft.Task;
import io.weft.TestSupport;
import io.weft.Weft;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hunts lost wake-ups and lost or doubled values in {@link Channel} hand-overs. Each round
 * builds a random channel (mostly rendezvous), spawns producers and consumers on random
 * loops of a two-loop runtime, and has them use every way there is to send and receive:
 * plain, {@code trySend}/{@code tryReceive} with yields, with short deadlines, from a child
 * task that is cancelled at a random moment (the hand-over races the cancellation), and
 * through a {@link Select}. A round that does not end within {@link #HANG_LIMIT} is a hang:
 * the test fails with the channel's state and what every party was doing. A round that ends
 * must have delivered every value exactly once, and the channel must be drained.
 *
 * <p>Backends alternate between io_uring and epoll (whichever this machine has). In CI the
 * test runs for a few seconds. For a long hunt, give it minutes:
 * <pre>
 *   mvn -B -ntp -pl weft-core test-compile surefire:test@default-test \
 *       -Dtest=ChannelStressTest -Dsurefire.failIfNoSpecifiedTests=false \
 *       -Dweft.stress.minutes=30 -Dweft.test.forkTimeout=3600
 * </pre>
 * ({@code default-test} runs tasks on Weft's loops; {@code default-scheduler-mode} on the
 * JDK's scheduler; plain {@code test} runs both, each for the whole budget. The fork
 * timeout must exceed the budget.) The long mode also repeats {@code ChannelTest}'s
 * many-producers test on a rendezvous channel after every ten rounds. The numbers of
 * rounds, values and repeats are printed at the end.
 *
 * <p>A hang is reported with the channel's state and every party's stack, then every party
 * is unparked once: if that lets the round finish, a completed wait had not been woken (a
 * lost unpark); if not, a wait was never completed (a lost hand-over).
 */
class ChannelStressTest {

    /** The run's length: a few seconds unless {@code -Dweft.stress.minutes} asks for more. */
    private static final Duration BUDGET = Duration.ofMillis(
            (long) (Double.parseDouble(System.getProperty("weft.stress.minutes", "0.08")) * 60_000));
    private static final boolean LONG_MODE = BUDGET.compareTo(Duration.ofMinutes(1)) >= 0;
    /** A round moves at most a few thousand values; one that takes this long is stuck. */
    private static final Duration HANG_LIMIT = Duration.ofSeconds(60);
    private static final String[] BACKENDS = {"io_uring", "epoll"};

    @Test
    void channelHandOversNeverLoseAWakeUpOrAValue() {
        // The whole run is bounded: the budget, plus the hang limit of its last round and slack.
        assertTimeoutPreemptively(BUDGET.plus(HANG_LIMIT).plusMinutes(2), this::runForBudget);
    }

    private void runForBudget() throws Exception {
        // This stress once found, within a minute, a task parked in Waits.await whose op was
        // complete: Op.complete published DONE with a release store, and a virtual thread's
        // unpark that finds a stale permit does not fence, so the waiter could consume that
        // permit, miss DONE and park for good (see Op's overview and SpuriousWakeRaceTest).
        // A hang report names each party's JDK thread state and the op it is parked on.
        List<String> backends = new ArrayList<>();
        for (String b : BACKENDS) {
            if (available(b)) {
                backends.add(b);
            }
        }
        assertTrue(!backends.isEmpty(), "neither io_uring nor epoll can run here");
        long end = System.nanoTime() + BUDGET.toNanos();
        Totals totals = new Totals();
        int batch = 0;
        do {
            String backend = backends.get(batch % backends.size());
            Weft.run(TestSupport.runtime().backend(backend), () -> {
                for (int i = 0; i < 10; i++) {
                    round(totals);
                }
                if (LONG_MODE) {
                    ChannelTest.mpmc(Channel.rendezvous(), 4, 4, 5_000);
                    totals.mpmcRuns++;
                }
            });
            batch++;
        } while (System.nanoTime() - end < 0);
        System.out.println("channel stress: " + totals + " in " + batch + " runtimes (" + String.join(", ", backends)
                + "), budget " + BUDGET.toSeconds() + " s");
        assertTrue(totals.rounds > 0);
    }

    private static boolean available(String backend) {
        try (Runtime rt = TestSupport.runtime().backend(backend).build()) {
            return rt.backend().equals(backend);
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    /** Counts over the run. Written by the main task only. */
    private static final class Totals {
        long rounds;
        long values;
        long mpmcRuns;

        @Override
        public String toString() {
            return rounds + " rounds, " + values + " values" + (mpmcRuns > 0 ? ", " + mpmcRuns + " ChannelTest.mpmc runs" : "");
        }
    }

    /** How a party moves one value. */
    private enum Way { PLAIN, TRY, TIMED, CANCELLED, SELECT }

    /** One round: random channel, parties on random loops, every value accounted for. */
    private static void round(Totals totals) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        Runtime rt = Weft.runtime();
        int kind = rnd.nextInt(8);
        Channel<Integer> ch = kind < 4 ? Channel.rendezvous()
                : kind < 6 ? Channel.bounded(1 + rnd.nextInt(3))
                : Channel.unbounded();
        // A channel nobody sends on: a select's second receive case, which must never fire.
        Channel<Integer> idle = Channel.rendezvous();
        int producers = 1 + rnd.nextInt(4);
        int consumers = 1 + rnd.nextInt(4);
        int perProducer = 20 + rnd.nextInt(200);
        int total = producers * perProducer;
        AtomicIntegerArray received = new AtomicIntegerArray(total);
        AtomicReferenceArray<String> doing = new AtomicReferenceArray<>(producers + consumers);
        AtomicInteger producersLeft = new AtomicInteger(producers);
        List<Task<Void>> parties = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int slot = p;
            int base = p * perProducer;
            parties.add(rt.spawnOn(rnd.nextInt(rt.loopCount()), () -> {
                for (int i = 0; i < perProducer; i++) {
                    while (!sendOnce(ch, base + i, doing, slot)) {
                        Thread.yield();
                    }
                }
                doing.set(slot, "done sending");
                if (producersLeft.decrementAndGet() == 0) {
                    ch.close();
                }
            }));
        }
        for (int c = 0; c < consumers; c++) {
            int slot = producers + c;
            parties.add(rt.spawnOn(rnd.nextInt(rt.loopCount()), () -> {
                while (receiveOnce(ch, idle, received, doing, slot)) {
                    if (ThreadLocalRandom.current().nextInt(4) == 0) {
                        Thread.yield();
                    }
                }
                doing.set(slot, "saw the channel closed");
            }));
        }
        long until = System.nanoTime() + HANG_LIMIT.toNanos();
        for (Task<Void> t : parties) {
            try {
                t.join(Duration.ofNanos(Math.max(1, until - System.nanoTime())));
            } catch (DeadlineExceededException e) {
                String state = "round " + totals.rounds + " hung: " + ch + "; parties: " + describe(parties, doing);
                fail(state + "\n" + SyncTesting.unparkAndRetry(parties));
            }
        }
        for (int v = 0; v < total; v++) {
            int n = received.get(v);
            if (n != 1) {
                fail("round " + totals.rounds + " on " + ch + ": value " + v + " received " + n + " times");
            }
        }
        assertThrows(ChannelClosedException.class, ch::tryReceive, "closed and drained");
        assertFalse(idle.trySend(-1), "the idle channel has no receiver left behind by a select");
        totals.rounds++;
        totals.values += total;
    }

    private static String describe(List<Task<Void>> parties, AtomicReferenceArray<String> doing) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parties.size(); i++) {
            Task<Void> t = parties.get(i);
            b.append("\n  ").append(t.name()).append(" on loop ").append(t.loopIndex()).append(' ')
                    .append(t.state()).append(" thread ").append(io.weft.internal.wait.OpTrace.stateOf(t.thread())).append(": ").append(doing.get(i));
            StackTraceElement[] stack = t.thread().getStackTrace();
            for (int f = 0; f < Math.min(12, stack.length); f++) {
                b.append("\n      at ").append(stack[f]);
            }
            Object blocker = java.util.concurrent.locks.LockSupport.getBlocker(t.thread());
            if (blocker != null) {
                b.append("\n      parked on ").append(io.weft.internal.wait.OpTrace.of(blocker));
            }
        }
        return b.toString();
    }

    /** Tries to send {@code v} one way; true if it was sent, false to try again. */
    private static boolean sendOnce(Channel<Integer> ch, int v, AtomicReferenceArray<String> doing, int slot) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        Way way = Way.values()[rnd.nextInt(Way.values().length)];
        doing.set(slot, way + " send " + v);
        switch (way) {
            case PLAIN -> {
                ch.send(v);
                return true;
            }
            case TRY -> {
                return ch.trySend(v);
            }
            case TIMED -> {
                try {
                    ch.send(v, Duration.ofNanos(rnd.nextLong(200_000)));
                    return true;
                } catch (DeadlineExceededException e) {
                    return false;
                }
            }
            case CANCELLED -> {
                Task<Void> child = spawnAnywhere(() -> ch.send(v));
                raceACancel(child);
                try {
                    child.join(HANG_LIMIT);
                    return true;
                } catch (CancellationException e) {
                    return false; // the send lost the race and did not deliver
                }
            }
            default -> {
                return new Select<Boolean>()
                        .onSend(ch, v, () -> true)
                        .onTimeout(Duration.ofNanos(rnd.nextLong(200_000)), () -> false)
                        .select();
            }
        }
    }

    /** Receives at most one value one way; false once the channel is closed and drained. */
    private static boolean receiveOnce(Channel<Integer> ch, Channel<Integer> idle, AtomicIntegerArray received,
                                       AtomicReferenceArray<String> doing, int slot) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        Way way = Way.values()[rnd.nextInt(Way.values().length)];
        doing.set(slot, way + " receive");
        try {
            switch (way) {
                case PLAIN -> received.incrementAndGet(ch.receive());
                case TRY -> {
                    Integer v = ch.tryReceive();
                    if (v != null) {
                        received.incrementAndGet(v);
                    }
                }
                case TIMED -> {
                    try {
                        received.incrementAndGet(ch.receive(Duration.ofNanos(rnd.nextLong(200_000))));
                    } catch (DeadlineExceededException e) {
                        // took nothing
                    }
                }
                case CANCELLED -> {
                    // The child counts what it got before returning: a receive that beat
                    // the cancel returns its value, one that lost took nothing.
                    Task<Boolean> child = spawnAnywhere(() -> {
                        try {
                            received.incrementAndGet(ch.receive());
                            return true;
                        } catch (ChannelClosedException e) {
                            return false;
                        }
                    });
                    raceACancel(child);
                    try {
                        return child.join(HANG_LIMIT);
                    } catch (CancellationException e) {
                        return true;
                    }
                }
                default -> {
                    return new Select<Boolean>()
                            .onReceive(ch, v -> {
                                received.incrementAndGet(v);
                                return true;
                            }, () -> false)
                            .onReceive(idle, v -> {
                                throw new AssertionError("received " + v + " from a channel nobody sends on");
                            })
                            .onTimeout(Duration.ofNanos(rnd.nextLong(200_000)), () -> true)
                            .select();
                }
            }
            return true;
        } catch (ChannelClosedException e) {
            return false;
        }
    }

    private static <T> Task<T> spawnAnywhere(java.util.concurrent.Callable<T> body) {
        Runtime rt = Weft.runtime();
        return rt.spawnOn(ThreadLocalRandom.current().nextInt(rt.loopCount()), body);
    }

    private static Task<Void> spawnAnywhere(io.weft.ThrowingRunnable body) {
        return spawnAnywhere(() -> {
            body.run();
            return null;
        });
    }

    /** Cancels {@code t} at a random moment: at once, after a few yields, or once it parks. */
    private static void raceACancel(Task<?> t) {
        int pick = ThreadLocalRandom.current().nextInt(3);
        if (pick == 1) {
            for (int i = ThreadLocalRandom.current().nextInt(8); i > 0; i--) {
                Thread.yield();
            }
        } else if (pick == 2) {
            long until = System.nanoTime() + 2_000_000;
            Thread.State s;
            while (!t.isDone() && (s = t.thread().getState()) != Thread.State.WAITING
                    && s != Thread.State.TIMED_WAITING && System.nanoTime() - until < 0) {
                Thread.yield();
            }
        }
        t.cancel();
    }
}
