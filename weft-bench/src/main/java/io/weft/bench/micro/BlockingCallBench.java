package io.weft.bench.micro;

import io.weft.Blocking;
import io.weft.Runtime;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A round trip to a pool of platform threads and back: {@code Blocking.call} from a Weft
 * task vs {@code ExecutorService.submit(..).get()} from a virtual thread. The executor is
 * shaped like Weft's blocking pool (same thread count, same queue, idle threads time out).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BlockingCallBench {

    static final int BATCH = 1000;

    private Runtime rt;
    private ExecutorService pool;

    @Setup
    public void setUp() {
        rt = Drivers.newRuntime();
        int threads = Math.max(16, 4 * java.lang.Runtime.getRuntime().availableProcessors());
        ThreadPoolExecutor tpe = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> Thread.ofPlatform().daemon(true).unstarted(r));
        tpe.allowCoreThreadTimeOut(true);
        pool = tpe;
    }

    @TearDown
    public void tearDown() {
        rt.close();
        pool.shutdownNow();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long weft() {
        return Drivers.inWeftTask(rt, () -> {
            long sum = 0;
            for (int i = 0; i < BATCH; i++) {
                int v = i;
                sum += Blocking.call(() -> v);
            }
            return sum;
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long jdkExecutorFromVirtualThread() throws Exception {
        return Drivers.inVirtualThread(() -> {
            long sum = 0;
            for (int i = 0; i < BATCH; i++) {
                int v = i;
                sum += pool.submit(() -> v).get();
            }
            return sum;
        });
    }
}
