package io.weft.bench.micro;

import io.weft.Runtime;
import io.weft.Task;
import io.weft.sync.Channel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * Round trips between two parties over a pair of channels: the pinger sends a value on
 * one channel and waits for it back on the other, {@link #ROUND_TRIPS} times per
 * invocation. The score is the time of one round trip (two hand-overs, two wake-ups).
 *
 * <p>Contenders, side by side:
 * <ul>
 *   <li>{@code weft_sameLoop}: two Weft tasks on one event loop, rendezvous channels;</li>
 *   <li>{@code weft_twoLoops}: two Weft tasks on two loops (each wake-up crosses threads);</li>
 *   <li>{@code jdk_synchronousQueue}: two virtual threads on the JDK's default scheduler
 *       over {@link SynchronousQueue};</li>
 *   <li>{@code jdk_arrayBlockingQueue1}: the same over {@link ArrayBlockingQueue} of capacity 1.</li>
 * </ul>
 * The Weft cases are run with a bounded(1) channel as well ({@code capacity} parameter) to
 * pair with the ArrayBlockingQueue(1) case.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChannelPingPongBench {

    static final int ROUND_TRIPS = 10_000;

    /** A runtime with two loops, shared by the Weft contenders. */
    @State(Scope.Benchmark)
    public static class WeftState {
        @Param({"0", "1"})
        public int capacity;

        Runtime runtime;

        @Setup(Level.Trial)
        public void start() {
            runtime = Runtime.builder().loops(2).build();
        }

        @TearDown(Level.Trial)
        public void stop() {
            runtime.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public long weft_sameLoop(WeftState s) {
        return weftPingPong(s, 0, 0);
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public long weft_twoLoops(WeftState s) {
        return weftPingPong(s, 0, 1);
    }

    private static long weftPingPong(WeftState s, int pingLoop, int pongLoop) {
        Channel<Long> ping = Channel.bounded(s.capacity);
        Channel<Long> pong = Channel.bounded(s.capacity);
        Task<Void> echo = s.runtime.spawnOn(pongLoop, () -> {
            for (int i = 0; i < ROUND_TRIPS; i++) {
                pong.send(ping.receive());
            }
            return null;
        });
        Task<Long> pinger = s.runtime.spawnOn(pingLoop, () -> {
            long sum = 0;
            for (long i = 0; i < ROUND_TRIPS; i++) {
                ping.send(i);
                sum += pong.receive();
            }
            return sum;
        });
        long sum = pinger.join(Duration.ofMinutes(1));
        echo.join(Duration.ofMinutes(1));
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public long jdk_synchronousQueue() throws Exception {
        return jdkPingPong(new SynchronousQueue<>(), new SynchronousQueue<>());
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public long jdk_arrayBlockingQueue1() throws Exception {
        return jdkPingPong(new ArrayBlockingQueue<>(1), new ArrayBlockingQueue<>(1));
    }

    private static long jdkPingPong(BlockingQueue<Long> ping, BlockingQueue<Long> pong) throws Exception {
        Thread echo = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    pong.put(ping.take());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long[] sum = new long[1];
        Thread pinger = Thread.ofVirtual().start(() -> {
            try {
                for (long i = 0; i < ROUND_TRIPS; i++) {
                    ping.put(i);
                    sum[0] += pong.take();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        pinger.join();
        echo.join();
        return sum[0];
    }
}
