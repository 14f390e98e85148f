package io.weft.bench.micro;

import io.weft.Runtime;
import io.weft.Task;
import io.weft.Weft;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@value #TASKS} tasks each sleeping 10 ms: the wall time from the first spawn until the
 * last has ended ({@code Weft.sleep} on the loops' timers vs {@code Thread.sleep} in virtual
 * threads). 10 ms is the floor; the rest is spawning, timer and wake-up cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SleepManyBench {

    static final int TASKS = 10_000;
    static final Duration NAP = Duration.ofMillis(10);

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
    public int weft() {
        return Drivers.inWeftTask(rt, () -> {
            Task<?>[] tasks = new Task<?>[TASKS];
            for (int i = 0; i < TASKS; i++) {
                tasks[i] = Weft.spawn(() -> Weft.sleep(NAP));
            }
            for (Task<?> t : tasks) {
                t.join();
            }
            return TASKS;
        });
    }

    @Benchmark
    public int jdkVirtualThreads() throws Exception {
        return Drivers.inVirtualThread(() -> {
            Thread[] threads = new Thread[TASKS];
            for (int i = 0; i < TASKS; i++) {
                threads[i] = Thread.ofVirtual().start(() -> {
                    try {
                        Thread.sleep(NAP);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            for (Thread t : threads) {
                t.join();
            }
            return TASKS;
        });
    }
}
