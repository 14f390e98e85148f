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
            try (Scope s = Scope.open().withTimeout(Duration.ofMillis(20))) {
                s.withDeadline(Deadline.after(Duration.ofHours(1)));
                s.withDeadline(Deadline.NONE);
                Task<Void> child = s.spawn(() -> Weft.sleep(Duration.ofHours(1)));
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
}
