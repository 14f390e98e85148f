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
class MutexTest {

    @Test
    void lockExcludesAndIsNotReentrant() throws Exception {
        Weft.run(runtime(), () -> {
            Mutex m = new Mutex();
            try (Mutex.Guard g = m.lock()) {
                assertTrue(m.isHeldByCurrentThread());
                assertThrows(IllegalStateException.class, m::lock);
                Task<Boolean> other = Weft.spawn(m::tryLock);
                assertFalse(other.join(LONG));
            }
            assertFalse(m.isLocked());
            assertThrows(IllegalMonitorStateException.class, m::unlock);
        });
    }

    @Test
    void unlockHandsTheLockToWaitersInOrder() throws Exception {
        Weft.run(runtime(), () -> {
            Mutex m = new Mutex();
            List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
            m.lock();
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int id = i;
                ts.add(spawnParked(() -> {
                    try (Mutex.Guard g = m.lock()) {
                        order.add(id);
                    }
                    return null;
                }));
            }
            m.unlock();
            for (Task<Void> t : ts) {
                t.join(LONG);
            }
            assertEquals(List.of(0, 1, 2, 3), order);
        });
    }

    @Test
    void timedLockThrowsDeadlineExceeded() throws Exception {
        Weft.run(runtime(), () -> {
            Mutex m = new Mutex();
            m.lock();
            Task<Void> t = Weft.spawn(() -> {
                assertThrows(DeadlineExceededException.class, () -> m.lock(Duration.ofMillis(10)));
            });
            t.join(LONG);
            m.unlock();
            assertTrue(m.tryLock(), "the timed-out waiter did not get the lock later");
        });
    }

    @Test
    void cancelReachesAParkedLock() throws Exception {
        Weft.run(runtime(), () -> {
            Mutex m = new Mutex();
            m.lock();
            cancelWhileParked(m::lock);
            m.unlock();
            assertFalse(m.isLocked(), "the lock was not handed to the cancelled waiter");
        });
    }

    /**
     * Waiters are cancelled while the holder unlocks: the lock ends with exactly one task at
     * a time, each task that returned from lock() holds it, and the mutex ends free.
     */
    @Test
    void cancellationRacingUnlockNeverGivesTheLockToTwoOrToNobodyALot() throws Exception {
        Weft.run(runtime(), () -> {
            int granted = 0;
            for (int r = 0; r < 60; r++) {
                Mutex m = new Mutex();
                AtomicInteger inside = new AtomicInteger();
                AtomicInteger violations = new AtomicInteger();
                AtomicInteger got = new AtomicInteger();
                m.lock();
                List<Task<Void>> ts = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    ts.add(Weft.spawn(() -> {
                        try (Mutex.Guard g = m.lock()) {
                            got.incrementAndGet();
                            if (inside.incrementAndGet() != 1) {
                                violations.incrementAndGet();
                            }
                            Thread.yield();
                            inside.decrementAndGet();
                        }
                    }));
                }
                Thread.yield();
                for (int i = 0; i < ts.size(); i += 2) {
                    ts.get(i).cancel();
                }
                m.unlock();
                for (int i = 1; i < ts.size(); i += 2) {
                    ts.get(i).cancel();
                }
                int normal = 0;
                for (Task<Void> t : ts) {
                    try {
                        t.join(LONG);
                        normal++;
                    } catch (CancellationException expected) {
                        // cancelled while waiting
                    }
                }
                assertEquals(0, violations.get());
                assertEquals(got.get(), normal);
                assertFalse(m.isLocked(), "round " + r + ": " + m);
                assertTrue(m.tryLock());
                granted += normal;
            }
            System.out.println("mutex/cancel race: " + granted + " lock grants before cancels");
        });
    }

    // ---- Condition ----------------------------------------------------------------------

    @Test
    void conditionAwaitReleasesTheMutexAndSignalWakesOneWaiter() throws Exception {
        Weft.run(runtime(), () -> {
            Mutex m = new Mutex();
            Condition c = m.newCondition();
            java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>();
            Task<Integer> consumer = Weft.spawn(() -> {
                try (Mutex.Guard g = m.lock()) {
                    while (queue.isEmpty()) {
                        c.await(LONG);
                    }
                    assertTrue(m.isHeldByCurrentThread());
                    return queue.poll();
                }
            });
            io.weft.TestSupport.awaitParked(consumer.thread());
            try (Mutex.Guard g = m.lock()) {
                queue.add(9);
                c.signal();
            }
            assertEquals(9, consumer.join(LONG));
        });
    }

    @Test
    void signalAllWakesEveryWaiterAndEachRetakesTheMutexInTurn() throws Exception {
        Weft.run(runtime(), () -> {
            Mutex m = new Mutex();
            Condition c = m.newCondition();
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            List<Integer> order = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Task<Void>> waiters = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int id = i;
                waiters.add(Weft.spawn(() -> {
                    try (Mutex.Guard g = m.lock()) {
                        c.await(LONG);
                        assertTrue(m.isHeldByCurrentThread(), "woke holding the mutex");
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        order.add(id);
                        Thread.yield(); // give another woken waiter the chance to barge in
                        inside.decrementAndGet();
                    }
                }));
            }
            for (Task<Void> w : waiters) {
                SyncTesting.awaitParkedIn(Condition.class, w.thread());
            }
            Task<Void> late;
            try (Mutex.Guard g = m.lock()) {
                c.signalAll();
                // Woken, but each must wait for the mutex, which this task still holds.
                for (Task<Void> w : waiters) {
                    SyncTesting.awaitParkedIn(Mutex.class, w.thread());
                }
                assertTrue(order.isEmpty(), "no waiter ran while the signaller held the mutex");
            }
            for (Task<Void> w : waiters) {
                w.join(LONG);
            }
            assertEquals(4, order.size(), "every waiter woke: " + order);
            assertEquals(java.util.Set.of(0, 1, 2, 3), java.util.Set.copyOf(order));
            assertEquals(0, overlaps.get(), "one waiter at a time held the mutex");
            assertFalse(m.isLocked());
            // signalAll woke the waiters there were, not a later one.
            late = Weft.spawn(() -> {
                try (Mutex.Guard g = m.lock()) {
                    c.await(LONG);
                }
            });
            SyncTesting.awaitParkedIn(Condition.class, late.thread());
            assertFalse(late.isDone());
            c.signal();
            late.join(LONG);
        });
    }

    @Test
    void conditionAwaitRequiresTheMutexAndTimesOutHoldingItAgain() throws Exception {
        Weft.run(runtime(), () -> {
            Mutex m = new Mutex();
            Condition c = m.newCondition();
            assertThrows(IllegalMonitorStateException.class, c::await);
            m.lock();
            assertThrows(DeadlineExceededException.class, () -> c.await(Duration.ofMillis(10)));
            assertTrue(m.isHeldByCurrentThread(), "the mutex is held again after a timeout");
            m.unlock();
        });
    }

    @Test
    void cancelReachesAConditionWaitAndTheMutexIsHeldAgain() throws Exception {
        Weft.run(runtime(), () -> {
            Mutex m = new Mutex();
            Condition c = m.newCondition();
            AtomicInteger heldAfter = new AtomicInteger();
            cancelWhileParked(() -> {
                m.lock();
                try {
                    c.await();
                } finally {
                    if (m.isHeldByCurrentThread()) {
                        heldAfter.incrementAndGet();
                    }
                    m.unlock();
                }
            });
            assertEquals(1, heldAfter.get());
            assertFalse(m.isLocked());
        });
    }

    /**
     * Waiters on a condition are cancelled while signals are sent: every signal either
     * wakes a waiter that returns normally or finds no live waiter; never two for one.
     */
    @Test
    void signalsRacingCancellationWakeAtMostOneWaiterEachALot() throws Exception {
        Weft.run(runtime(), () -> {
            int woken = 0;
            for (int r = 0; r < 40; r++) {
                Mutex m = new Mutex();
                Condition c = m.newCondition();
                int waiters = 8;
                int signals = 4;
                List<Task<Void>> ts = new ArrayList<>();
                for (int i = 0; i < waiters; i++) {
                    ts.add(Weft.spawn(() -> {
                        try (Mutex.Guard g = m.lock()) {
                            c.await();
                        }
                    }));
                }
                for (Task<Void> t : ts) {
                    io.weft.TestSupport.awaitParked(t.thread());
                }
                Task<Void> signaller = Weft.spawn(() -> {
                    for (int i = 0; i < signals; i++) {
                        c.signal();
                    }
                });
                for (Task<Void> t : ts) {
                    t.cancel();
                }
                signaller.join(LONG);
                int normal = 0;
                for (Task<Void> t : ts) {
                    try {
                        t.join(LONG);
                        normal++;
                    } catch (CancellationException expected) {
                        // cancelled before a signal reached it
                    }
                }
                assertTrue(normal <= signals, "round " + r + ": " + normal + " woken by " + signals + " signals");
                assertFalse(m.isLocked());
                woken += normal;
            }
            System.out.println("condition/cancel race: " + woken + " waiters woken by a signal before their cancel");
        });
    }
}
