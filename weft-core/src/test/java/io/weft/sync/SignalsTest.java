package io.weft.sync;

import io.weft.DeadlineExceededException;
import io.weft.Task;
import io.weft.Weft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import static io.weft.TestSupport.awaitParked;
import static io.weft.TestSupport.runtime;
import static io.weft.sync.SyncTesting.LONG;
import static io.weft.sync.SyncTesting.cancelWhileParked;
import static io.weft.sync.SyncTesting.spawnParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Event, Notify, WaitGroup, Barrier and Promise. */
@Timeout(120)
class SignalsTest {

    // ---- Event --------------------------------------------------------------------------

    @Test
    void eventReleasesEveryWaiterAndStaysSetUntilReset() throws Exception {
        Weft.run(runtime(), () -> {
            Event e = new Event();
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ts.add(spawnParked(() -> {
                    e.await();
                    return null;
                }));
            }
            e.set();
            for (Task<Void> t : ts) {
                t.join(LONG);
            }
            e.await(Duration.ZERO);
            e.reset();
            assertFalse(e.isSet());
            assertThrows(DeadlineExceededException.class, () -> e.await(Duration.ofMillis(10)));
            cancelWhileParked(e::await);
        });
    }

    // ---- Notify -------------------------------------------------------------------------

    @Test
    void notifyOneWakesOneWaiterOrLeavesOnePermit() throws Exception {
        Weft.run(runtime(), () -> {
            Notify n = new Notify();
            n.notifyOne();
            n.notifyOne();
            n.await(Duration.ZERO);
            assertThrows(DeadlineExceededException.class, () -> n.await(Duration.ofMillis(10)), "permits do not add up");
            Task<Void> a = spawnParked(() -> {
                n.await();
                return null;
            });
            Task<Void> b = spawnParked(() -> {
                n.await();
                return null;
            });
            n.notifyOne();
            a.join(LONG);
            assertFalse(b.isDone(), "one notifyOne, one waiter");
            n.notifyWaiters();
            b.join(LONG);
            assertThrows(DeadlineExceededException.class, () -> n.await(Duration.ofMillis(10)), "notifyWaiters leaves no permit");
            cancelWhileParked(n::await);
        });
    }

    /**
     * Waiters are cancelled while notifyOne is called: each notification either wakes a
     * waiter (which returns normally) or is kept as the permit. So if fewer waiters woke
     * than notifications were sent, the permit must be there.
     */
    @Test
    void notifyOneRacingCancellationIsNeverLostALot() throws Exception {
        Weft.run(runtime(), () -> {
            int keptAsPermit = 0;
            for (int r = 0; r < 60; r++) {
                Notify n = new Notify();
                List<Task<Void>> ts = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    ts.add(Weft.spawn(() -> n.await()));
                }
                awaitParked(ts.getLast().thread());
                Task<Void> notifier = Weft.spawn(() -> {
                    for (int i = 0; i < 3; i++) {
                        n.notifyOne();
                    }
                });
                ts.forEach(Task::cancel);
                notifier.join(LONG);
                int woken = 0;
                for (Task<Void> t : ts) {
                    try {
                        t.join(LONG);
                        woken++;
                    } catch (CancellationException expected) {
                        // cancelled before a notification reached it
                    }
                }
                assertTrue(woken <= 3, "round " + r + ": " + woken);
                if (woken < 3) {
                    n.await(Duration.ZERO); // throws if the permit is missing
                    keptAsPermit++;
                }
            }
            System.out.println("notify/cancel race: " + keptAsPermit + " rounds kept a notification as the permit");
        });
    }

    // ---- WaitGroup ----------------------------------------------------------------------

    @Test
    void waitGroupWaitsForTheCountToReachZero() throws Exception {
        Weft.run(runtime(), () -> {
            WaitGroup wg = new WaitGroup();
            wg.await(Duration.ZERO);
            AtomicInteger done = new AtomicInteger();
            for (int i = 0; i < 10; i++) {
                wg.add(1);
                Weft.spawn(() -> {
                    try {
                        Weft.sleep(Duration.ofMillis(2));
                        done.incrementAndGet();
                    } finally {
                        wg.done();
                    }
                });
            }
            wg.await(LONG);
            assertEquals(10, done.get());
            assertThrows(IllegalStateException.class, wg::done);
            assertEquals(0, wg.count());
            wg.add(1);
            assertThrows(DeadlineExceededException.class, () -> wg.await(Duration.ofMillis(10)));
            cancelWhileParked(wg::await);
        });
    }

    // ---- Barrier ------------------------------------------------------------------------

    @Test
    void barrierReleasesARoundWhenEveryPartyHasArrivedAndStartsOver() throws Exception {
        Weft.run(runtime(), () -> {
            Barrier b = new Barrier(3);
            AtomicInteger leaders = new AtomicInteger();
            for (int round = 0; round < 3; round++) {
                List<Task<Void>> ts = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    ts.add(Weft.spawn(() -> {
                        if (b.await(LONG)) {
                            leaders.incrementAndGet();
                        }
                    }));
                }
                for (Task<Void> t : ts) {
                    t.join(LONG);
                }
            }
            assertEquals(3, leaders.get(), "one leader per round");
            assertEquals(0, b.waiting());
        });
    }

    @Test
    void aCancelledPartyWithdrawsItsArrival() throws Exception {
        Weft.run(runtime(), () -> {
            Barrier b = new Barrier(2);
            cancelWhileParked(b::await);
            assertEquals(0, b.waiting(), "the cancelled party no longer counts");
            Task<Boolean> first = spawnParked(b::await);
            assertEquals(1, b.waiting());
            assertTrue(b.await(LONG), "this arrival completes the round");
            assertFalse(first.join(LONG));
            assertThrows(DeadlineExceededException.class, () -> b.await(Duration.ofMillis(10)));
            assertEquals(0, b.waiting(), "the timed-out party withdrew too");
        });
    }

    /**
     * With two parties of three parked, the third arrives while the first is cancelled.
     * Either the round completed first (all three pass, the cancelled one included) or the
     * withdrawal did (the first throws, and the round needs one more arrival). Never does
     * a round pass with a party missing.
     */
    @Test
    void cancellationRacingTheLastArrivalPassesWholeRoundsOnlyALot() throws Exception {
        Weft.run(runtime(), () -> {
            int trippedFirst = 0;
            for (int r = 0; r < 60; r++) {
                Barrier b = new Barrier(3);
                Task<Boolean> a = spawnParked(b::await);
                Task<Boolean> bb = spawnParked(b::await);
                Task<Boolean> c;
                if ((r & 1) == 0) {
                    c = Weft.spawn(() -> b.await());
                    a.cancel();
                } else {
                    a.cancel();
                    c = Weft.spawn(() -> b.await());
                }
                int leaders = 0;
                boolean aPassed;
                try {
                    leaders += a.join(LONG) ? 1 : 0;
                    aPassed = true;
                } catch (CancellationException e) {
                    aPassed = false;
                }
                if (aPassed) {
                    trippedFirst++;
                } else {
                    // the round is one party short now: this arrival makes it whole
                    leaders += b.await(LONG) ? 1 : 0;
                }
                leaders += bb.join(LONG) ? 1 : 0;
                leaders += c.join(LONG) ? 1 : 0;
                assertEquals(1, leaders, "round " + r + ": one round, one leader");
                assertEquals(0, b.waiting(), "round " + r);
            }
            System.out.println("barrier/cancel race: " + trippedFirst + " of 60 rounds completed before the cancel");
        });
    }

    // ---- Promise ------------------------------------------------------------------------

    @Test
    void promiseIsSetOnceAndAwaitedByMany() throws Exception {
        Weft.run(runtime(), () -> {
            Promise<String> p = new Promise<>();
            assertNull(p.getNow(null));
            List<Task<String>> ts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ts.add(spawnParked(p::await));
            }
            assertTrue(p.complete("v"));
            assertFalse(p.complete("w"));
            assertFalse(p.fail(new RuntimeException()));
            for (Task<String> t : ts) {
                assertEquals("v", t.join(LONG));
            }
            assertEquals("v", p.await(Duration.ZERO));
        });
    }

    @Test
    void aFailedPromiseThrowsCompletionExceptionAndTimeoutsAndCancelLeaveItAlone() throws Exception {
        Weft.run(runtime(), () -> {
            Promise<String> p = new Promise<>();
            assertThrows(DeadlineExceededException.class, () -> p.await(Duration.ofMillis(10)));
            cancelWhileParked(p::await);
            assertFalse(p.isDone());
            IllegalStateException boom = new IllegalStateException("boom");
            p.fail(boom);
            CompletionException e = assertThrows(CompletionException.class, p::await);
            assertEquals(boom, e.getCause());
        });
    }
}
