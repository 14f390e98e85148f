package io.weft;

import io.weft.internal.loop.EventLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.weft.TestSupport.awaitParked;
import static io.weft.TestSupport.runtime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Task} and {@link Weft}: cancellation seen by the task's own code, the future's
 * cancel, self-join, shutdown from inside, and which loop a task lands on.
 */
@Timeout(60)
class TaskContractTest {

    /** Waits for {@code latch}, ignoring interrupts (as code that never reaches a Weft wait does). */
    private static void awaitDeaf(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException ignored) {
                // the cancel's interrupt: this code does not look at it
            }
        }
    }

    @Test
    void isCancelledAndCheckCancelledSeeACancelTheCodeIgnored() throws Exception {
        assertFalse(Weft.isCancelled(), "outside a task nothing is cancelled");
        Weft.checkCancelled();
        Weft.run(runtime(), () -> {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<Boolean> before = new AtomicReference<>();
            AtomicReference<Boolean> after = new AtomicReference<>();
            Task<Void> t = Weft.spawn(() -> {
                before.set(Weft.isCancelled());
                Weft.checkCancelled(); // not cancelled yet: returns
                started.countDown();
                awaitDeaf(release);
                after.set(Weft.isCancelled());
                Weft.checkCancelled();
                throw new AssertionError("checkCancelled returned in a cancelled task");
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            t.cancel();
            assertTrue(t.isCancelRequested());
            release.countDown();
            CancellationException e = assertThrows(CancellationException.class, () -> t.join(Duration.ofSeconds(10)));
            assertEquals(Boolean.FALSE, before.get());
            assertEquals(Boolean.TRUE, after.get());
            assertEquals(Task.State.CANCELLED, t.state(), e.toString());
            assertFalse(Weft.isCancelled(), "the joiner was not cancelled");
        });
    }

    @Test
    void cancellingTheFutureCancelsTheTask() throws Exception {
        Weft.run(runtime(), () -> {
            Task<String> t = Weft.spawn(() -> {
                Weft.sleep(Duration.ofHours(1));
                return "never";
            });
            CompletableFuture<String> f = t.toCompletableFuture();
            awaitParked(t.thread());
            assertTrue(f.cancel(true));
            assertTrue(f.isCancelled());
            assertThrows(CancellationException.class, () -> t.join(Duration.ofSeconds(10)));
            assertEquals(Task.State.CANCELLED, t.state());
            assertTrue(t.isCancelRequested());
        });
    }

    @Test
    void aTaskCannotJoinItself() throws Exception {
        Weft.run(runtime(), () -> {
            Task<?> self = Task.current();
            IllegalStateException e = assertThrows(IllegalStateException.class, self::join);
            assertTrue(e.getMessage().contains("itself"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> self.join(Duration.ofSeconds(1)));
            assertFalse(self.isDone());
        });
    }

    @Test
    void aRuntimeCannotBeShutDownFromItsOwnTask() throws Exception {
        try (Runtime rt = runtime().build()) {
            Task<Void> t = rt.spawn(() -> {
                assertThrows(IllegalStateException.class, () -> rt.shutdown(Duration.ZERO));
                assertThrows(IllegalStateException.class, rt::close);
            });
            t.join(Duration.ofSeconds(10));
            assertFalse(rt.isClosed());
            assertEquals(5, rt.spawn(() -> 5).join(Duration.ofSeconds(10)), "the runtime still runs tasks");
        }
    }

    // ---- placement ------------------------------------------------------------------

    /** Where a task runs, from inside it: the loop Weft binds it to, and in LOOPS mode the carrier thread. */
    private record Placement(int taskLoop, int boundLoop, String thread) {
    }

    private static Placement here() {
        return new Placement(Task.current().loopIndex(), EventLoop.current().index(), Thread.currentThread().toString());
    }

    /** Checks that {@code p} is loop {@code loop}, and in LOOPS mode that it ran on that loop's thread. */
    private static void assertOnLoop(Runtime rt, int loop, Task<Placement> t) {
        Placement p = t.join(Duration.ofSeconds(10));
        assertEquals(loop, t.loopIndex(), "Task.loopIndex");
        assertEquals(loop, p.taskLoop());
        assertEquals(loop, p.boundLoop(), "the loop the task's code sees");
        if (rt.schedulerMode() == SchedulerMode.LOOPS) {
            // A mounted virtual thread names its carrier: "VirtualThread[#id,name]/runnable@carrier".
            assertTrue(p.thread().endsWith("@" + rt.name() + "-loop-" + loop), p.thread());
        }
    }

    @Test
    void spawnOnSpawnLocalAndScopeSpawnLocalLandOnTheLoopTheyPromise() throws Exception {
        try (Runtime rt = runtime().loops(3).name("placement").build()) {
            for (int i = 0; i < rt.loopCount(); i++) {
                assertOnLoop(rt, i, rt.spawnOn(i, TaskContractTest::here));
                int loop = i;
                rt.spawnOn(i, () -> {
                    assertOnLoop(rt, loop, Weft.spawnLocal(TaskContractTest::here));
                    try (Scope s = Scope.open()) {
                        Task<Placement> child = s.spawnLocal(TaskContractTest::here);
                        s.join();
                        assertOnLoop(rt, loop, child);
                    }
                }).join(Duration.ofSeconds(10));
            }
            assertThrows(IllegalArgumentException.class, () -> rt.spawnOn(3, () -> 0));
            assertThrows(IllegalArgumentException.class, () -> rt.spawnOn(-1, () -> 0));
        }
    }
}
