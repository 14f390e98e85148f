package io.weft.bench.micro;

import io.weft.Runtime;
import io.weft.Task;
import io.weft.Weft;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Start a task that returns a value, wait for it, take the value: {@code Weft.spawn(..).join()}
 * from a task (the caller's loop, which another loop may steal from), {@code spawnOn} the
 * other loop (every spawn and every join crosses cores), {@code Weft.spawnLocal(..).join()}
 * (same loop, pinned), and a virtual thread started and joined on the JDK's default
 * scheduler. Timed per spawn+join, in batches of {@value #BATCH} from one driver.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SpawnJoinBench {

    static final int BATCH = 1000;

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
    @OperationsPerInvocation(BATCH)
    public long weft() {
        return Drivers.inWeftTask(rt, () -> {
            long sum = 0;
            for (int i = 0; i < BATCH; i++) {
                int v = i;
                sum += Weft.spawn(() -> v).join();
            }
            return sum;
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long weftOtherLoop() {
        return Drivers.inWeftTask(rt, () -> {
            long sum = 0;
            for (int i = 0; i < BATCH; i++) {
                int v = i;
                int other = (Task.current().loopIndex() + 1) % rt.loopCount();
                sum += rt.spawnOn(other, () -> v).join();
            }
            return sum;
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long weftLocal() {
        return Drivers.inWeftTask(rt, () -> {
            long sum = 0;
            for (int i = 0; i < BATCH; i++) {
                int v = i;
                sum += Weft.spawnLocal(() -> v).join();
            }
            return sum;
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long jdkVirtualThreads() throws Exception {
        return Drivers.inVirtualThread(() -> {
            long sum = 0;
            int[] box = new int[1];
            for (int i = 0; i < BATCH; i++) {
                int v = i;
                Thread t = Thread.ofVirtual().start(() -> box[0] = v);
                t.join();
                sum += box[0];
            }
            return sum;
        });
    }
}
