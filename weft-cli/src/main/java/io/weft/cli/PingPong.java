package io.weft.cli;

import io.weft.Runtime;
import io.weft.SchedulerMode;
import io.weft.Task;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * A small harness, not a benchmark: the cost of one round trip when two threads hand a
 * turn back and forth, for two Weft tasks on one loop, two virtual threads on the JDK's
 * default scheduler, and two platform threads. Run it with
 * {@code ./weft run io.weft.cli.PingPong [--rounds N] [--runs N]}.
 */
/*
 * Overview
 *
 * The hand-off is the least that all three kinds of thread share: a volatile `turn` and
 * LockSupport.park/unpark (Weft has no channel yet). One round trip:
 *
 *   ping: turn = PONG; unpark(pong); park until turn == PING
 *   pong: park until turn == PONG; turn = PING; unpark(ping)
 *
 * So a round trip is two unparks and two parks: for the tasks, two trips through the
 * loop's run queue; for virtual threads, two through the ForkJoinPool; for platform
 * threads, two futex wake-ups. Ping times `rounds` round trips after both sides have
 * started (a latch), so thread start-up is not counted.
 *
 * The kinds take turns run by run (tasks, virtual threads, platform threads, again), so a
 * slow patch of a noisy machine hits all of them; each reports the median of its runs.
 * A warm-up run of each kind comes first and is not reported.
 *
 * Rejected: measuring with JMH. It belongs in weft-bench; this is the quick look that
 * tells whether the loop's scheduling is in the right league.
 */
public final class PingPong {
    private PingPong() {
    }

    static final String USAGE = "pingpong [--rounds N] [--runs N]";

    /**
     * @param rounds round trips per run
     * @param runs   measured runs per kind of thread
     */
    record Options(long rounds, int runs) {
        static Options parse(String[] args) throws UsageException {
            Args a = Args.parse(args, Set.of("rounds", "runs"));
            return new Options(a.longValue("rounds", 1_000_000, 1, 1_000_000_000), a.intValue("runs", 3, 1, 100));
        }
    }

    /** For {@code ./weft run io.weft.cli.PingPong}: the same as {@code weft pingpong}. */
    public static void main(String[] args) {
        String[] withCommand = new String[args.length + 1];
        withCommand[0] = "pingpong";
        System.arraycopy(args, 0, withCommand, 1, args.length);
        Main.main(withCommand);
    }

    /** Starts two bodies as threads of one kind and waits for both to end. */
    @FunctionalInterface
    private interface Pair {
        void run(Runnable ping, Runnable pong) throws Exception;
    }

    private record Kind(String name, Pair pair, long[] nanosPerRoundTrip) {
        long median() {
            long[] s = nanosPerRoundTrip.clone();
            Arrays.sort(s);
            return s[s.length / 2];
        }
    }

    static int execute(Options options, PrintStream out, PrintStream err) {
        try (Runtime rt = Runtime.builder().name("pingpong").build()) {
            String weftName = "weft tasks, one loop (" + rt.schedulerMode() + ", " + rt.backend() + ")";
            List<Kind> kinds = List.of(
                    new Kind(weftName, (ping, pong) -> {
                        Task<Void> a = rt.spawnOn(0, () -> {
                            ping.run();
                            return null;
                        });
                        Task<Void> b = rt.spawnOn(0, () -> {
                            pong.run();
                            return null;
                        });
                        a.join();
                        b.join();
                    }, new long[options.runs()]),
                    new Kind("virtual threads, default scheduler", (ping, pong) -> {
                        Thread a = Thread.ofVirtual().start(ping);
                        Thread b = Thread.ofVirtual().start(pong);
                        a.join();
                        b.join();
                    }, new long[options.runs()]),
                    new Kind("platform threads", (ping, pong) -> {
                        Thread a = Thread.ofPlatform().start(ping);
                        Thread b = Thread.ofPlatform().start(pong);
                        a.join();
                        b.join();
                    }, new long[options.runs()]));

            out.printf(Locale.ROOT, "ping-pong: %d round trips per run, %d run(s) of each kind after a warm-up run%n",
                    options.rounds(), options.runs());
            for (Kind k : kinds) {
                roundTrip(k.pair(), Math.min(options.rounds(), 200_000));
            }
            for (int run = 0; run < options.runs(); run++) {
                for (Kind k : kinds) {
                    k.nanosPerRoundTrip()[run] = roundTrip(k.pair(), options.rounds());
                }
            }

            int width = kinds.stream().mapToInt(k -> k.name().length()).max().orElse(0);
            for (Kind k : kinds) {
                out.printf(Locale.ROOT, "  %-" + width + "s  %,8d ns per round trip (median; runs: %s)%n", k.name(), k.median(),
                        Arrays.stream(k.nanosPerRoundTrip()).mapToObj(Long::toString).collect(Collectors.joining(", ")));
            }
            double weft = kinds.get(0).median();
            out.printf(Locale.ROOT, "  weft tasks / virtual threads: %.2f%n", weft / kinds.get(1).median());
            out.printf(Locale.ROOT, "  weft tasks / platform threads: %.2f%n", weft / kinds.get(2).median());
            if (rt.schedulerMode() == SchedulerMode.DEFAULT) {
                out.println("  note: the tasks ran on the JDK's default scheduler (" + rt.schedulerReason()
                        + "), so the first two lines measure the same thing");
            }
            return 0;
        } catch (Exception e) {
            err.println("weft pingpong: " + e);
            return 1;
        }
    }

    /** Runs {@code rounds} round trips on a fresh pair; returns nanoseconds per round trip. */
    private static long roundTrip(Pair pair, long rounds) throws Exception {
        Baton baton = new Baton();
        pair.run(() -> baton.ping(rounds), () -> baton.pong(rounds));
        return Math.round(baton.elapsedNanos / (double) rounds);
    }

    /** The turn two threads pass back and forth; see the overview. */
    private static final class Baton {
        private static final int PING = 0;
        private static final int PONG = 1;

        /** Whose turn it is: PING or PONG. Written only by the side whose turn it was, read by both. */
        private volatile int turn = PING;
        /** Each set by its own thread before `started` opens; read by the other after it. */
        private volatile Thread ping;
        private volatile Thread pong;
        private final CountDownLatch started = new CountDownLatch(2);
        /** Written by ping before it ends; read after the pair was joined. */
        private long elapsedNanos;

        void ping(long rounds) {
            ping = Thread.currentThread();
            awaitBoth();
            Thread peer = pong;
            long t0 = System.nanoTime();
            for (long i = 0; i < rounds; i++) {
                turn = PONG;
                LockSupport.unpark(peer);
                while (turn != PING) {
                    LockSupport.park(this);
                }
            }
            elapsedNanos = System.nanoTime() - t0;
        }

        void pong(long rounds) {
            pong = Thread.currentThread();
            awaitBoth();
            Thread peer = ping;
            for (long i = 0; i < rounds; i++) {
                while (turn != PONG) {
                    LockSupport.park(this);
                }
                turn = PING;
                LockSupport.unpark(peer);
            }
        }

        private void awaitBoth() {
            started.countDown();
            try {
                started.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted before the first round", e);
            }
        }
    }
}
