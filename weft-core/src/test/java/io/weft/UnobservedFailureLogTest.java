package io.weft;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;

import static io.weft.TestSupport.eventually;
import static io.weft.TestSupport.runtime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A task failure is logged only if nobody observes it, and then once: when the task
 * becomes unreachable or its runtime shuts down. A task joined after it failed is not
 * logged at all.
 */
@Timeout(60)
class UnobservedFailureLogTest {

    private static Task<Void> failing(Runtime rt, RuntimeException e) {
        return rt.spawn(() -> {
            throw e;
        });
    }

    private static void awaitDone(Task<?> t) {
        eventually(t + " ended", Duration.ofSeconds(10), t::isDone); // isDone does not observe the outcome
    }

    @Test
    void aFailureJoinedAfterTheTaskEndedIsNotLogged() throws Exception {
        try (LogCapture log = new LogCapture()) {
            String taskName;
            try (Runtime rt = runtime().name("joined-later").build()) {
                Task<Void> t = failing(rt, new IllegalStateException("seen by a join"));
                taskName = t.name();
                awaitDone(t);
                CompletionException e = assertThrows(CompletionException.class, t::join);
                assertEquals("seen by a join", e.getCause().getMessage());
                Task<Void> viaFuture = failing(rt, new IllegalStateException("seen through a future"));
                awaitDone(viaFuture);
                assertTrue(viaFuture.toCompletableFuture().isCompletedExceptionally());
                Task<Void> viaFailure = failing(rt, new IllegalStateException("seen through failure()"));
                awaitDone(viaFailure);
                assertEquals("seen through failure()", viaFailure.failure().getMessage());
            }
            // Shutdown is where a still-reachable unobserved failure would be reported.
            assertEquals(List.of(), log.mentioning("joined-later-task-"), "observed failures are not logged");
            assertTrue(taskName.startsWith("joined-later-task-"), taskName);
        }
    }

    @Test
    void aFailureNobodyObservesIsLoggedOnceWhenTheRuntimeShutsDown() throws Exception {
        try (LogCapture log = new LogCapture()) {
            IllegalStateException boom = new IllegalStateException("nobody looked");
            Runtime rt = runtime().name("never-joined").build();
            Task<Void> t = failing(rt, boom);
            awaitDone(t);
            assertEquals(Task.State.FAILED, t.state());
            rt.close();
            List<LogRecord> records = log.mentioning(t.name());
            assertEquals(1, records.size(), "one record: " + records);
            assertSame(boom, records.getFirst().getThrown(), "the record carries the failure and its stack");
            assertTrue(records.getFirst().getMessage().contains("failed"), records.getFirst().getMessage());
            rt.shutdown(Duration.ZERO); // idempotent: no second report
            assertEquals(1, log.mentioning(t.name()).size());
        }
    }

    @Test
    void aFailureNobodyObservesIsLoggedOnceWhenTheTaskBecomesUnreachable() throws Exception {
        try (LogCapture log = new LogCapture()) {
            Runtime rt = runtime().name("unreachable").build();
            try {
                CountDownLatch ended = new CountDownLatch(1);
                String name = spawnFailingAndForget(rt, ended);
                assertTrue(ended.await(10, TimeUnit.SECONDS));
                eventually("the failure is logged", Duration.ofSeconds(30), () -> {
                    System.gc();
                    return !log.mentioning(name + "'").isEmpty();
                });
            } finally {
                rt.shutdown(Duration.ZERO);
            }
            assertEquals(1, log.mentioning("unreachable-task-").size(), "logged once, not again at shutdown");
        }
    }

    /** Starts a task that fails, and keeps no reference to it; returns its name. */
    private static String spawnFailingAndForget(Runtime rt, CountDownLatch ended) {
        return rt.spawn(() -> {
            ended.countDown();
            throw new IllegalStateException("dropped on the floor");
        }).name();
    }

    @Test
    void aScopeClosedWithoutAJoinLogsItsChildsFailureOnce() throws Exception {
        try (LogCapture log = new LogCapture()) {
            IllegalStateException boom = new IllegalStateException("failed in a scope nobody joined");
            IllegalStateException joined = new IllegalStateException("failed in a joined scope");
            Weft.run(runtime(), () -> {
                try (Scope s = Scope.open()) {
                    Task<Void> child = s.spawn(() -> {
                        throw boom;
                    });
                    awaitDone(child);
                }
                try (Scope s = Scope.open()) {
                    s.spawn(() -> {
                        throw joined;
                    });
                    assertThrows(CompletionException.class, s::join);
                }
            });
            List<LogRecord> records = log.matching(r -> r.getThrown() == boom);
            assertEquals(1, records.size(), "one record: " + records);
            assertEquals(List.of(), log.matching(r -> r.getThrown() == joined), "the join reported it");
        }
    }
}
