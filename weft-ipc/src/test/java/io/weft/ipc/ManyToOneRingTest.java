package io.weft.ipc;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

@Tag("mode-independent") // no tasks: runs once
class ManyToOneRingTest {

    @Test
    void severalProducerThreadsDeliverEveryRecordExactlyOnce() throws Exception {
        int producers = 4;
        int perProducer = 50_000;
        Path p = ShmPaths.fresh("m2o");
        try (ManyToOneRing consumer = ManyToOneRing.create(p, 1 << 14)) {
            List<Thread> threads = new ArrayList<>();
            AtomicBoolean failed = new AtomicBoolean();
            for (int t = 0; t < producers; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try (ManyToOneRing ring = ManyToOneRing.open(p)) {
                        for (int k = 0; k < perProducer; k++) {
                            // payload lengths vary so records straddle the end and padding appears
                            int len = 8 + (k % 5) * 8;
                            long i;
                            while ((i = ring.tryClaim(id, len)) < 0) {
                                Thread.onSpinWait();
                            }
                            ring.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, i, k);
                            ring.commit(i);
                        }
                    } catch (Exception e) {
                        failed.set(true);
                        throw new RuntimeException(e);
                    }
                }));
            }
            long[] next = new long[producers];
            long total = 0;
            long until = System.nanoTime() + 60_000_000_000L;
            while (total < (long) producers * perProducer && System.nanoTime() < until && !failed.get()) {
                total += consumer.read((type, buf, index, length) -> {
                    long k = buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index);
                    assertEquals(next[type], k, "producer " + type + " out of order or duplicated");
                    assertEquals(8 + (k % 5) * 8, length);
                    next[type]++;
                }, 256);
            }
            for (Thread t : threads) {
                t.join();
            }
            assertFalse(failed.get());
            for (int t = 0; t < producers; t++) {
                assertEquals(perProducer, next[t], "records of producer " + t);
            }
            assertEquals(0, consumer.read((t, b, i, l) -> fail("extra record")));
        }
    }
}
