package io.weft.bench.file;

import io.weft.Runtime;
import io.weft.Task;
import io.weft.Weft;
import io.weft.fs.AsyncFile;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;

/**
 * The readers of the file benchmark: {@code concurrency} workers, each reading
 * {@link #BLOCK}-byte blocks at random block-aligned offsets of one file, back to back,
 * for a warm-up and then a measured window. A worker counts and times only the reads it
 * starts inside the window.
 */
/*
 * Overview
 *
 * The phases are one volatile word that the driver moves WARMUP -> MEASURE -> STOP after
 * sleeping; workers read it before each read. Each worker keeps its own Histogram and
 * count (no shared writes on the hot path) and hands them over when it ends; the driver
 * merges them after joining every worker, which orders those plain writes before its reads.
 *
 * Every read is checked: it must return a whole block (the file is a multiple of the block
 * size and never changes), and the block's first 8 bytes hold its offset (FileBench writes
 * them so), which a read of the wrong place would not return.
 */
final class FileReaders {
    private FileReaders() {
    }

    static final int BLOCK = 4096;
    static final long HIGHEST_LATENCY_NANOS = 10_000_000_000L;

    private static final int WARMUP = 0;
    private static final int MEASURE = 1;
    private static final int STOP = 2;

    /** What the workers measured in the window. */
    record Window(long ops, long elapsedNanos, Histogram latency, long cpuTicks, long cpuUserTicks, long cpuSysTicks) {
    }

    /** One read of a block into the worker's buffer; returns the bytes read. */
    @FunctionalInterface
    interface Reader {
        int read(long position) throws IOException;
    }

    /** A worker's loop: read until STOP, timing the reads started in MEASURE. */
    private static final class Worker {
        final Histogram latency = new Histogram(HIGHEST_LATENCY_NANOS, 3);
        long ops;

        void run(Phase phase, long blocks, long seed, Reader reader, ByteBuffer check) throws IOException {
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int p; (p = phase.value) != STOP; ) {
                long pos = rnd.nextLong(blocks) * BLOCK;
                long t0 = System.nanoTime();
                int n = reader.read(pos);
                long t1 = System.nanoTime();
                if (n != BLOCK || check.getLong(0) != pos) {
                    throw new IOException("read of " + BLOCK + " bytes at " + pos + " returned " + n
                            + " bytes starting with " + check.getLong(0));
                }
                if (p == MEASURE) {
                    latency.recordValue(Math.min(t1 - t0, HIGHEST_LATENCY_NANOS));
                    ops++;
                }
            }
        }
    }

    /** The phase word (see the overview). */
    private static final class Phase {
        volatile int value = WARMUP;
    }

    /** Moves the phases on: warm-up, then the window; returns the window's length and CPU time. */
    private interface Clock {
        void sleep(Duration d) throws Exception;
    }

    private static long[] drive(Phase phase, Duration warmup, Duration window, Clock clock) throws Exception {
        clock.sleep(warmup);
        io.weft.bench.ProcStat.CpuTimes c0 = io.weft.bench.ProcStat.self();
        long t0 = System.nanoTime();
        phase.value = MEASURE;
        clock.sleep(window);
        phase.value = STOP;
        long t1 = System.nanoTime();
        io.weft.bench.ProcStat.CpuTimes c = io.weft.bench.ProcStat.self().minus(c0);
        return new long[] {t1 - t0, c.userTicks(), c.systemTicks()};
    }

    private static Window merge(List<Worker> workers, long[] d) {
        Histogram h = new Histogram(HIGHEST_LATENCY_NANOS, 3);
        long ops = 0;
        for (Worker w : workers) {
            h.add(w.latency);
            ops += w.ops;
        }
        return new Window(ops, d[0], h, d[1] + d[2], d[1], d[2]);
    }

    /** Weft tasks reading through {@link AsyncFile} on a runtime with {@code backend}. */
    static Window weft(String backend, Path file, long blocks, int concurrency, Duration warmup, Duration window) throws Exception {
        // No stall watchdog: a worker warming up (class loading, the JIT) is not a stalled loop.
        Runtime.Builder b = Runtime.builder().backend(backend).name("file-" + backend).stallThreshold(Duration.ZERO);
        return Weft.run(b, () -> {
            Phase phase = new Phase();
            List<Worker> workers = new ArrayList<>();
            List<Task<Void>> tasks = new ArrayList<>();
            try (AsyncFile f = AsyncFile.open(file)) {
                for (int i = 0; i < concurrency; i++) {
                    Worker w = new Worker();
                    workers.add(w);
                    long seed = i * 0x9E3779B97F4A7C15L;
                    tasks.add(Weft.spawn(() -> {
                        byte[] buf = new byte[BLOCK];
                        ByteBuffer check = ByteBuffer.wrap(buf);
                        w.run(phase, blocks, seed, pos -> f.read(pos, buf, 0, BLOCK), check);
                    }));
                }
                long[] d;
                try {
                    d = drive(phase, warmup, window, Weft::sleep);
                } finally {
                    phase.value = STOP;
                    for (Task<Void> t : tasks) {
                        t.join();
                    }
                }
                return merge(workers, d);
            }
        });
    }

    /** JDK threads from {@code factory} reading through one shared {@link FileChannel}. */
    static Window jdk(ThreadFactory factory, Path file, long blocks, int concurrency, Duration warmup, Duration window) throws Exception {
        Phase phase = new Phase();
        List<Worker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        CountDownLatch ended = new CountDownLatch(concurrency);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int i = 0; i < concurrency; i++) {
                Worker w = new Worker();
                workers.add(w);
                long seed = i * 0x9E3779B97F4A7C15L;
                Thread t = factory.newThread(() -> {
                    try {
                        byte[] buf = new byte[BLOCK];
                        ByteBuffer bb = ByteBuffer.wrap(buf);
                        w.run(phase, blocks, seed, pos -> ch.read(bb.clear(), pos), bb);
                    } catch (Throwable e) {
                        synchronized (failure) {
                            failure[0] = e;
                        }
                    } finally {
                        ended.countDown();
                    }
                });
                threads.add(t);
                t.start();
            }
            long[] d;
            try {
                d = drive(phase, warmup, window, Thread::sleep);
            } finally {
                phase.value = STOP;
                ended.await();
            }
            synchronized (failure) {
                if (failure[0] != null) {
                    throw new IOException("a reader failed", failure[0]);
                }
            }
            return merge(workers, d);
        }
    }
}
