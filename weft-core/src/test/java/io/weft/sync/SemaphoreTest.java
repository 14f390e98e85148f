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
import static io.weft.sync.SyncTesting.cancelWhileParked;
import static io.weft.sync.SyncTesting.spawnParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class SemaphoreTest {

    @Test
    void acquireAndReleaseCountPermits() throws Exception {
        Weft.run(runtime(), () -> {
            Semaphore s = new Semaphore(2);
            s.acquire();
            assertTrue(s.tryAcquire());
            assertFalse(s.tryAcquire());
            assertEquals(0, s.availablePermits());
            s.release(2);
            assertTrue(s.tryAcquire(2));
            assertThrows(IllegalArgumentException.class, () -> s.release(0));
            assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
        });
    }

    @Test
    void waitersAreServedInOrderAndABigWaiterHoldsBackLaterSmallOnes() throws Exception {
        Weft.run(runtime(), () -> {
            Semaphore s = new Semaphore(0);
            Task<Void> big = spawnParked(() -> {
                s.acquire(3, io.weft.Deadline.NONE);
                return null;
            });
            Task<Void> small = spawnParked(() -> {
                s.acquire();
                return null;
            });
            s.release(1);
            assertFalse(s.tryAcquire(), "no barging past the queue");
            assertEquals(1, s.availablePermits(), "one permit satisfies neither the head nor, behind it, the small one");
            s.release(2);
            big.join(LONG);
            assertEquals(0, s.availablePermits(), "the head took all three");
            assertFalse(small.isDone(), "the small waiter is still waiting");
            s.release(1);
            small.join(LONG);
            assertEquals(0, s.availablePermits());
        });
    }

    @Test
    void timedAcquireThrowsDeadlineExceededAndTakesNothing() throws Exception {
        Weft.run(runtime(), () -> {
            Semaphore s = new Semaphore(0);
            assertThrows(DeadlineExceededException.class, () -> s.acquire(Duration.ofMillis(10)));
            s.release();
            assertTrue(s.tryAcquire(), "the permit went to nobody else");
        });
    }

    @Test
    void aCancelledHeadWaiterLetsTheOnesBehindItThrough() throws Exception {
        Weft.run(runtime(), () -> {
            Semaphore s = new Semaphore(1);
            Task<Void> big = spawnParked(() -> {
                s.acquire(2, io.weft.Deadline.NONE);
                return null;
            });
            Task<Void> small = spawnParked(() -> {
                s.acquire();
                return null;
            });
            big.cancel();
            assertThrows(CancellationException.class, () -> big.join(LONG));
            small.join(LONG);
            assertEquals(0, s.availablePermits());
        });
    }

    @Test
    void cancelReachesAParkedAcquire() throws Exception {
        Weft.run(runtime(), () -> {
            Semaphore s = new Semaphore(0);
            cancelWhileParked(s::acquire);
            s.release();
            assertEquals(1, s.availablePermits(), "the cancelled waiter took nothing");
        });
    }

    /**
     * Twenty acquirers, ten releases, and a cancellation of every acquirer, all at once.
     * Each permit ends either with an acquirer that returned normally or back in the
     * semaphore: acquired + available == released, every round.
     */
    @Test
    void cancellationRacingReleasesNeverLosesOrDuplicatesAPermitALot() throws Exception {
        Weft.run(runtime(), () -> {
            int rounds = 60;
            int acquirers = 20;
            int releases = 10;
            long totalAcquired = 0;
            for (int r = 0; r < rounds; r++) {
                Semaphore s = new Semaphore(0);
                AtomicInteger acquired = new AtomicInteger();
                List<Task<Void>> ts = new ArrayList<>();
                for (int i = 0; i < acquirers; i++) {
                    ts.add(Weft.spawn(() -> {
                        s.acquire();
                        acquired.incrementAndGet();
                    }));
                }
                Task<Void> releaser = Weft.spawn(() -> {
                    for (int i = 0; i < releases; i++) {
                        s.release();
                        Thread.yield();
                    }
                });
                for (Task<Void> t : ts) {
                    t.cancel();
                }
                releaser.join(LONG);
                int normal = 0;
                for (Task<Void> t : ts) {
                    try {
                        t.join(LONG);
                        normal++;
                    } catch (CancellationException expected) {
                        // cancelled before it was granted a permit
                    }
                }
                assertEquals(acquired.get(), normal);
                assertEquals(releases, normal + s.availablePermits(), "round " + r + ": " + s);
                totalAcquired += normal;
            }
            System.out.println("semaphore/cancel race: " + totalAcquired + " of " + rounds * releases + " permits granted before cancels");
        });
    }

    @Test
    void manyTasksAcrossLoopsNeverExceedThePermitsALot() throws Exception {
        Weft.run(runtime(), () -> {
            Semaphore s = new Semaphore(3);
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger maxInside = new AtomicInteger();
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ts.add(TestSupport.spawnOnLoop(i, () -> {
                    for (int k = 0; k < 500; k++) {
                        s.acquire();
                        int now = inside.incrementAndGet();
                        maxInside.accumulateAndGet(now, Math::max);
                        Thread.yield();
                        inside.decrementAndGet();
                        s.release();
                    }
                }));
            }
            for (Task<Void> t : ts) {
                t.join(Duration.ofSeconds(60));
            }
            assertTrue(maxInside.get() <= 3, "at most 3 inside: " + maxInside.get());
            assertEquals(3, s.availablePermits());
        });
    }
}
