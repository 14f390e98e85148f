package io.weft.sync;

import io.weft.DeadlineExceededException;
import io.weft.Task;
import io.weft.TestSupport;
import io.weft.Weft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

import static io.weft.TestSupport.runtime;
import static io.weft.sync.SyncTesting.LONG;
import static io.weft.sync.SyncTesting.awaitParkedIn;
import static io.weft.sync.SyncTesting.cancelWhileParked;
import static io.weft.sync.SyncTesting.spawnParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class RwLockTest {

    @Test
    void readersShareAndAWriterExcludes() throws Exception {
        Weft.run(runtime(), () -> {
            RwLock rw = new RwLock();
            RwLock.Guard r1 = rw.read();
            assertTrue(rw.tryRead());
            assertEquals(2, rw.readHolds());
            assertFalse(rw.tryWrite());
            r1.close();
            rw.readUnlock();
            try (RwLock.Guard w = rw.write()) {
                assertTrue(rw.isWriteLocked());
                assertFalse(Weft.spawn(rw::tryRead).join(LONG));
            }
            assertThrows(IllegalMonitorStateException.class, rw::readUnlock);
            assertThrows(IllegalMonitorStateException.class, rw::writeUnlock);
        });
    }

    @Test
    void aWaitingWriterHoldsBackLaterReadersAndReadersEnterTogether() throws Exception {
        Weft.run(runtime(), () -> {
            RwLock rw = new RwLock();
            rw.read();
            Task<Void> writer = spawnParked(() -> {
                try (RwLock.Guard g = rw.write()) {
                    assertEquals(0, rw.readHolds());
                }
                return null;
            });
            assertFalse(rw.tryRead(), "a reader does not pass a waiting writer");
            AtomicInteger together = new AtomicInteger();
            Task<Void> r1 = spawnParked(() -> {
                rw.read();
                together.incrementAndGet();
                return null;
            });
            Task<Void> r2 = spawnParked(() -> {
                rw.read();
                together.incrementAndGet();
                return null;
            });
            rw.readUnlock();
            writer.join(LONG);
            r1.join(LONG);
            r2.join(LONG);
            assertEquals(2, rw.readHolds(), "both readers entered after the writer left");
        });
    }

    @Test
    void timeoutAndCancellationLeaveNoHold() throws Exception {
        Weft.run(runtime(), () -> {
            RwLock rw = new RwLock();
            rw.write();
            Task<Void> t = Weft.spawn(() -> {
                assertThrows(DeadlineExceededException.class, () -> rw.read(Duration.ofMillis(10)));
            });
            t.join(LONG);
            cancelWhileParked(rw::write);
            cancelWhileParked(rw::read);
            rw.writeUnlock();
            assertEquals(0, rw.readHolds());
            assertFalse(rw.isWriteLocked());
        });
    }

    @Test
    void aCancelledWriterAtTheHeadLetsTheReadersBehindItIn() throws Exception {
        Weft.run(runtime(), () -> {
            RwLock rw = new RwLock();
            rw.read();
            Task<Void> writer = spawnParked(() -> {
                rw.write();
                return null;
            });
            Task<Void> reader = spawnParked(() -> {
                rw.read();
                return null;
            });
            writer.cancel();
            assertThrows(CancellationException.class, () -> writer.join(LONG));
            reader.join(LONG);
            assertEquals(2, rw.readHolds());
        });
    }

    @Test
    void readersAndWritersAcrossLoopsNeverOverlapWithCancellationsALot() throws Exception {
        Weft.run(runtime(), () -> {
            RwLock rw = new RwLock();
            AtomicInteger readers = new AtomicInteger();
            AtomicInteger writers = new AtomicInteger();
            AtomicInteger violations = new AtomicInteger();
            // Tasks 1 (a reader) and 3 (a writer) run until cancelled; the others 400 times.
            int[] victims = {1, 3};
            AtomicInteger[] rounds = new AtomicInteger[8];
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                boolean writer = i % 3 == 0;
                boolean victim = i == 1 || i == 3;
                AtomicInteger done = rounds[i] = new AtomicInteger();
                ts.add(TestSupport.spawnOnLoop(i, () -> {
                    while (victim || done.get() < 400) {
                        try (RwLock.Guard g = writer ? rw.write() : rw.read()) {
                            int w = writer ? writers.incrementAndGet() : writers.get();
                            int r = writer ? readers.get() : readers.incrementAndGet();
                            if (w > 1 || (w == 1 && r > 0)) {
                                violations.incrementAndGet();
                            }
                            Thread.yield();
                            if (writer) {
                                writers.decrementAndGet();
                            } else {
                                readers.decrementAndGet();
                            }
                        }
                        done.incrementAndGet();
                    }
                }));
            }
            // Cancel the two midway, each parked in an RwLock wait: once both have run a
            // while, hold the write lock so that their next acquire must park.
            for (int v : victims) {
                TestSupport.eventually("task " + v + " ran 50 rounds", LONG, () -> rounds[v].get() >= 50);
            }
            try (RwLock.Guard g = rw.write()) {
                for (int v : victims) {
                    awaitParkedIn(RwLock.class, ts.get(v).thread());
                    ts.get(v).cancel();
                }
            }
            for (int i = 0; i < ts.size(); i++) {
                Task<Void> t = ts.get(i);
                if (i == victims[0] || i == victims[1]) {
                    assertThrows(CancellationException.class, () -> t.join(Duration.ofSeconds(60)), "task " + i);
                    assertEquals(Task.State.CANCELLED, t.state(), "task " + i);
                } else {
                    t.join(Duration.ofSeconds(60));
                    assertEquals(400, rounds[i].get(), "task " + i);
                }
            }
            assertEquals(0, violations.get());
            assertEquals(0, rw.readHolds());
            assertFalse(rw.isWriteLocked());
            assertTrue(rw.tryWrite(), "the cancelled waits left nothing queued");
        });
    }
}
