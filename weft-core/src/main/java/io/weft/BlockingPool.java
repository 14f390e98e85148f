package io.weft;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The runtime's bounded pool of platform threads for {@link Blocking}. */
final class BlockingPool {

    private final ThreadPoolExecutor pool;

    BlockingPool(String runtimeName, int threads) {
        AtomicInteger ids = new AtomicInteger();
        // inheritInheritableThreadLocals(false): a pool thread made while a task submits must
        // not inherit that task's loop, or it would believe it runs on the loop.
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> Thread.ofPlatform().daemon(true).inheritInheritableThreadLocals(false)
                        .name(runtimeName + "-blocking-" + ids.incrementAndGet()).unstarted(r));
        pool.allowCoreThreadTimeOut(true);
    }

    void execute(Runnable r) {
        pool.execute(r);
    }

    /** Threads currently alive (for tests). */
    int threads() {
        return pool.getPoolSize();
    }

    void shutdown() {
        pool.shutdownNow();
    }
}
