package io.weft.bench.micro;

import io.weft.Runtime;
import io.weft.Task;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A switch from one task to another: two tasks pass a turn back and forth with a volatile
 * field and {@link LockSupport} park/unpark. Weft runs both on loop 0; the JDK runs two
 * virtual threads on its default scheduler, which may put them on different carriers (as
 * an application would get). Timed per hand-off.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SwitchBench {

    static final int ROUNDS = 10_000;

    private Runtime rt;

    @Setup
    public void setUp() {
        rt = Drivers.newRuntime();
    }

    @TearDown
    public void tearDown() {
        rt.close();
    }

    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public int weft() {
        PingPong game = new PingPong();
        Task<Integer> a = rt.spawnOn(0, () -> game.play(0));
        Task<Integer> b = rt.spawnOn(0, () -> game.play(1));
        game.start(a.thread(), b.thread());
        return a.join() + b.join();
    }

    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public int jdkVirtualThreads() throws InterruptedException {
        PingPong game = new PingPong();
        int[] out = new int[2];
        Thread a = Thread.ofVirtual().unstarted(() -> out[0] = game.playUnchecked(0));
        Thread b = Thread.ofVirtual().unstarted(() -> out[1] = game.playUnchecked(1));
        a.start();
        b.start();
        game.start(a, b);
        a.join();
        b.join();
        return out[0] + out[1];
    }

    /** Two players; player {@code me} may move when {@code turn == me}, then hands the turn over. */
    static final class PingPong {
        private final CountDownLatch go = new CountDownLatch(1);
        private volatile int turn;
        private volatile Thread[] players;

        void start(Thread first, Thread second) {
            players = new Thread[] {first, second};
            go.countDown();
        }

        int play(int me) throws InterruptedException {
            go.await();
            Thread other = players[1 - me];
            for (int i = 0; i < ROUNDS; i++) {
                while (turn != me) {
                    LockSupport.park(this);
                }
                turn = 1 - me;
                LockSupport.unpark(other);
            }
            return ROUNDS;
        }

        int playUnchecked(int me) {
            try {
                return play(me);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
