package io.weft;

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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Scope}: close without join, a closed scope, who may join or close, and the deadline. */
@Timeout(60)
class ScopeContractTest {

    @Test
    void closeWithoutJoinCancelsTheChildrenAndWaitsForThem() throws Exception {
        Weft.run(runtime(), () -> {
            Task<Void> sleeper;
            Task<Integer> finished;
            try (Scope s = Scope.open()) {
                sleeper = s.spawn(() -> Weft.sleep(Duration.ofHours(1)));
                finished = s.spawn(() -> 7);
                awaitParked(sleeper.thread());
                TestSupport.eventually("the quick child ended", Duration.ofSeconds(10), finished::isDone);
            }
            assertEquals(Task.State.CANCELLED, sleeper.state(), "close cancelled the running child and waited for it");
            assertEquals(7, finished.join(), "a child that had ended keeps its result");
        });
    }

    @Test
    void aClosedScopeRefusesNewChildren() throws Exception {
        Weft.run(runtime(), () -> {
            Scope s = Scope.open();
            s.spawn(() -> 1);
            s.join();
            s.close();
            s.close(); // idempotent
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.spawn(() -> 2));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> s.spawnLocal(() -> 3));
            assertEquals(0, s.liveChildren());
        });
    }

    @Test
    void aCancelledScopeRefusesNewChildren() throws Exception {
        Weft.run(runtime(), () -> {
            try (Scope s = Scope.open()) {
                s.cancel();
                assertThrows(CancellationException.class, () -> s.spawn(() -> 1));
            }
        });
    }

    @Test
    void onlyTheOwnerMayJoinOrCloseButAnyThreadMayCancel() throws Exception {
        Weft.run(runtime(), () -> {
            try (Scope s = Scope.open()) {
                Task<Void> child = s.spawn(() -> Weft.sleep(Duration.ofHours(1)));
                Task<Void> otherTask = Weft.spawn(() -> {
                    assertThrows(IllegalStateException.class, s::join);
                    assertThrows(IllegalStateException.class, s::close);
                });
                otherTask.join(Duration.ofSeconds(10));
                CompletableFuture<Void> platform = new CompletableFuture<>();
                Thread.ofPlatform().start(() -> {
                    try {
                        assertThrows(IllegalStateException.class, s::join);
                        assertThrows(IllegalStateException.class, s::close);
                        s.cancel();
                        platform.complete(null);
                    } catch (Throwable t) {
                        platform.completeExceptionally(t);
                    }
                });
                platform.get(10, TimeUnit.SECONDS);
                assertThrows(CancellationException.class, () -> child.join(Duration.ofSeconds(10)),
                        "the cancel from another thread reached the child");
                s.join(); // the owner still may; the child was cancelled, not failed
            }
        });
    }

    @Test
    void aLaterDeadlineDoesNotPostponeAnEarlierOne() throws Exception {
        Weft.run(runtime(), () -> {
            try (Scope s = Scope.open()) {
                Task<Void> child = s.spawn(() -> Weft.sleep(Duration.ofHours(1)));
                s.withTimeout(Duration.ofMillis(20)); // after the spawn, which a passed deadline refuses
                s.withDeadline(Deadline.after(Duration.ofHours(1)));
                s.withDeadline(Deadline.NONE);
                assertThrows(DeadlineExceededException.class, s::join, "the first, earlier deadline still holds");
                assertEquals(Task.State.CANCELLED, child.state());
            }
        });
    }

    @Test
    void anEarlierDeadlineReplacesALaterOneFromAnyThread() throws Exception {
        Weft.run(runtime(), () -> {
            try (Scope s = Scope.open().withTimeout(Duration.ofHours(1))) {
                Task<Void> child = s.spawn(() -> Weft.sleep(Duration.ofHours(1)));
                CountDownLatch moved = new CountDownLatch(1);
                AtomicReference<Throwable> failure = new AtomicReference<>();
                // A thread that knows nothing of the runtime: it does not inherit the task's loop.
                Thread.ofPlatform().inheritInheritableThreadLocals(false).start(() -> {
                    try {
                        s.withDeadline(Deadline.after(Duration.ofMillis(20)));
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                    moved.countDown();
                });
                assertTrue(moved.await(10, TimeUnit.SECONDS));
                assertEquals(null, failure.get(), "a thread outside the runtime may move the deadline");
                assertThrows(DeadlineExceededException.class, s::join);
                assertEquals(Task.State.CANCELLED, child.state());
            }
        });
    }

    @Test
    void aScopePastItsDeadlineTakesNoNewChildEvenIfTheDeadlineFoundNoneRunning() throws Exception {
        Weft.run(runtime(), () -> {
            Deadline d = Deadline.after(Duration.ofMillis(1));
            try (Scope s = Scope.open().withDeadline(d)) {
                // The scope's timer is on this loop and due first: when this sleep ends it has
                // fired, and found no child running.
                Weft.sleep(Deadline.after(Duration.ofMillis(20)));
                assertTrue(d.hasPassed());
                assertThrows(CancellationException.class, () -> s.spawn(() -> Weft.sleep(Duration.ofSeconds(20))),
                        "a child spawned after the deadline would run unbounded");
                assertThrows(DeadlineExceededException.class, s::join);
            }
        });
    }

    @Test
    void childrenThatEndedBeforeTheDeadlineAreNotTimedOutByALateJoin() throws Exception {
        Weft.run(runtime(), () -> {
            try (Scope s = Scope.open()) {
                Task<Integer> quick = s.spawn(() -> 1);
                TestSupport.eventually("the quick child ended", Duration.ofSeconds(10), quick::isDone);
                s.withDeadline(Deadline.after(Duration.ofMillis(1))); // set once the child has ended
                Weft.sleep(Deadline.after(Duration.ofMillis(20)));
                s.join(); // everything ended in time: nothing to report
                assertEquals(1, quick.join());
            }
        });
    }
}
