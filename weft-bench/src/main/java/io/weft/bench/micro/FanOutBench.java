package io.weft.bench.micro;

import io.weft.Runtime;
import io.weft.SchedulerMode;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fan-out/fan-in pipeline: one producer sends {@value #ITEMS} numbers into a bounded
 * channel, {@code workers} tasks each take numbers, do a few microseconds of arithmetic
 * on each ({@link #work}) and send the result on, and one collector sums the results.
 * Weft runs it on a two-loop runtime (producer on loop 0, collector on loop 1, workers
 * alternating between the loops, or, in {@code weftStealing}, started on the driver's loop
 * and spread by work stealing); the JDK side is the same program on virtual threads over
 * {@link ArrayBlockingQueue}s on the default scheduler. The score is the time per item
 * (lower is better; its inverse is the pipeline's throughput).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FanOutBench {

    static final int ITEMS = 20_000;
    static final int CAPACITY = 64;
    /** Rounds of {@link #work}: a few microseconds per item on a current x86 core. */
    static final int WORK_ROUNDS = 2_000;
    private static final long END = -1;

    /** Parameters and the two-loop runtime. */
    @State(Scope.Benchmark)
    public static class Setting {
        @Param({"4"})
        public int workers;

        Runtime runtime;

        @Setup(Level.Trial)
        public void start() {
            runtime = Runtime.builder().name("bench").loops(2).workStealing(true).stallThreshold(java.time.Duration.ZERO).build();
            if (runtime.schedulerMode() != SchedulerMode.LOOPS) {
                System.err.println("warning: Weft tasks run on the JDK's default scheduler (" + runtime.schedulerReason() + ")");
            }
        }

        @TearDown(Level.Trial)
        public void stop() {
            runtime.close();
        }
    }

    /** A few microseconds of arithmetic the JIT cannot fold away: xorshift rounds. */
    static long work(long v) {
        long x = v ^ 0x9E3779B97F4A7C15L;
        for (int i = 0; i < WORK_ROUNDS; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long weft(Setting s) {
        return weftPipeline(s, true);
    }

    /** The same with the workers started by {@code Weft.spawn}: on the driver's loop, spread by stealing. */
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long weftStealing(Setting s) {
        return weftPipeline(s, false);
    }

    private static long weftPipeline(Setting s, boolean pinWorkers) {
        Runtime rt = s.runtime;
        return Drivers.inWeftTask(rt, () -> {
            Channel<Long> in = Channel.bounded(CAPACITY);
            Channel<Long> out = Channel.bounded(CAPACITY);
            AtomicInteger workersLeft = new AtomicInteger(s.workers);
            Task<Void> producer = rt.spawnOn(0, () -> {
                for (long i = 0; i < ITEMS; i++) {
                    in.send(i);
                }
                in.close();
            });
            List<Task<Void>> workers = new ArrayList<>();
            for (int w = 0; w < s.workers; w++) {
                io.weft.ThrowingRunnable body = () -> {
                    for (long v : in) {
                        out.send(work(v));
                    }
                    if (workersLeft.decrementAndGet() == 0) {
                        out.close();
                    }
                };
                workers.add(pinWorkers ? rt.spawnOn(w % 2, body) : io.weft.Weft.spawn(body));
            }
            Task<Long> collector = rt.spawnOn(1, () -> {
                long sum = 0;
                for (long v : out) {
                    sum += v;
                }
                return sum;
            });
            producer.join();
            for (Task<Void> t : workers) {
                t.join();
            }
            return collector.join();
        });
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long jdkVirtualThreads(Setting s) throws Exception {
        return Drivers.inVirtualThread(() -> {
            BlockingQueue<Long> in = new ArrayBlockingQueue<>(CAPACITY);
            BlockingQueue<Long> out = new ArrayBlockingQueue<>(CAPACITY);
            AtomicInteger workersLeft = new AtomicInteger(s.workers);
            long[] sum = new long[1];
            Thread producer = Thread.ofVirtual().start(() -> {
                try {
                    for (long i = 0; i < ITEMS; i++) {
                        in.put(i);
                    }
                    for (int w = 0; w < s.workers; w++) {
                        in.put(END);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < s.workers; w++) {
                workers.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (long v; (v = in.take()) != END; ) {
                            out.put(work(v));
                        }
                        if (workersLeft.decrementAndGet() == 0) {
                            out.put(END);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            Thread collector = Thread.ofVirtual().start(() -> {
                try {
                    long total = 0;
                    for (long v; (v = out.take()) != END; ) {
                        total += v;
                    }
                    sum[0] = total;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            producer.join();
            for (Thread t : workers) {
                t.join();
            }
            collector.join();
            return sum[0];
        });
    }
}
