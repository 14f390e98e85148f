package io.weft;

import io.weft.internal.loop.EventLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import static io.weft.TestSupport.awaitParked;
import static io.weft.TestSupport.runtime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class RuntimeTest {

    @Test
    void runReturnsTheMainTasksResultAndReportsItsMode() throws Exception {
        String expected = System.getProperty("weft.scheduler", "auto").equals("default") ? "DEFAULT" : "LOOPS";
        String mode = Weft.run(runtime(), () -> Weft.runtime().schedulerMode().name());
        assertEquals(expected, mode);
    }

    @Test
    void runRethrowsWhatTheMainTaskThrew() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Weft.run(runtime(), () -> {
                    throw new IllegalStateException("boom");
                }));
        assertEquals("boom", e.getMessage());
    }

    @Test
    void spawnJoinReturnsResult() throws Exception {
        int v = Weft.run(runtime(), () -> {
            Task<Integer> a = Weft.spawn(() -> 20);
            Task<Integer> b = Weft.spawnLocal(() -> 22);
            return a.join() + b.join();
        });
        assertEquals(42, v);
    }

    @Test
    void joinWrapsTheTasksExceptionInCompletionException() throws Exception {
        Weft.run(runtime(), () -> {
            Task<Object> t = Weft.spawn(() -> {
                throw new java.io.IOException("disk on fire");
            });
            CompletionException e = assertThrows(CompletionException.class, t::join);
            assertInstanceOf(java.io.IOException.class, e.getCause());
            assertEquals("disk on fire", e.getCause().getMessage());
            assertEquals(Task.State.FAILED, t.state());
        });
    }

    @Test
    void toCompletableFutureCompletesWithTheOutcome() throws Exception {
        Weft.run(runtime(), () -> {
            assertEquals("x", Weft.spawn(() -> "x").toCompletableFuture().get(5, TimeUnit.SECONDS));
            var f = Weft.spawn(() -> {
                throw new IllegalArgumentException("bad");
            }).toCompletableFuture();
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
        });
    }

    @Test
    void platformThreadsCanSpawnAndJoin() {
        try (Runtime rt = runtime().build()) {
            Task<String> t = rt.spawn(() -> {
                Weft.sleep(Duration.ofMillis(5));
                return Thread.currentThread().isVirtual() ? "virtual" : "platform";
            });
            assertEquals("virtual", t.join(Duration.ofSeconds(5)));
            assertEquals(0, awaitNoTasks(rt));
        }
    }

    private static int awaitNoTasks(Runtime rt) {
        TestSupport.eventually("no live tasks", Duration.ofSeconds(5), () -> rt.liveTasks() == 0);
        return rt.liveTasks();
    }

    // ---- cancellation reaches every kind of wait ---------------------------------------

    /** Starts {@code body} as a task, waits until it parks, cancels it, and checks it ended as cancelled. */
    private static void cancelWhileParked(ThrowingRunnable body) throws Exception {
        Weft.run(runtime(), () -> {
            AtomicReference<Throwable> seen = new AtomicReference<>();
            Task<Void> t = Weft.spawn(() -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    seen.set(e);
                    throw e;
                }
            });
            awaitParked(t.thread());
            t.cancel();
            assertThrows(CancellationException.class, t::join);
            assertEquals(Task.State.CANCELLED, t.state());
            assertNotNull(seen.get(), "the task's wait ended with an exception");
        });
    }

    @Test
    void cancelReachesWeftSleep() throws Exception {
        cancelWhileParked(() -> Weft.sleep(Duration.ofHours(1)));
    }

    @Test
    void cancelReachesTaskJoin() throws Exception {
        cancelWhileParked(() -> Weft.spawn(() -> Weft.sleep(Duration.ofSeconds(2))).join());
    }

    @Test
    void cancelReachesBlockingCallAndInterruptsItsThread() throws Exception {
        AtomicBoolean poolThreadInterrupted = new AtomicBoolean();
        CountDownLatch callStarted = new CountDownLatch(1);
        Weft.run(runtime(), () -> {
            Task<Object> t = Weft.spawn(() -> Blocking.call(() -> {
                callStarted.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    poolThreadInterrupted.set(true);
                    throw e;
                }
                return null;
            }));
            assertTrue(callStarted.await(10, TimeUnit.SECONDS), "the call started on the pool");
            awaitParked(t.thread());
            t.cancel();
            CancellationException e = assertThrows(CancellationException.class, t::join);
            assertEquals(Task.State.CANCELLED, t.state(), String.valueOf(e));
        });
        assertTrue(poolThreadInterrupted.get(), "the blocking pool thread was interrupted");
    }

    @Test
    void cancelBeforeTheBlockingCallStartsMeansItNeverRuns() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        Weft.run(runtime().blockingThreads(1), () -> {
            CountDownLatch release = new CountDownLatch(1);
            Task<Object> occupier = Weft.spawn(() -> Blocking.call(() -> release.await(10, TimeUnit.SECONDS)));
            Task<Object> queued = Weft.spawn(() -> Blocking.call(ran::incrementAndGet));
            queued.cancel(); // before or after it queued its call: either way the call never runs
            assertThrows(CancellationException.class, queued::join);
            release.countDown();
            occupier.join();
            Blocking.call(() -> null); // the pool has run everything queued before this
        });
        assertEquals(0, ran.get(), "a call withdrawn while queued never runs");
    }

    @Test
    void cancelReachesJavaUtilConcurrentWaits() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        Condition never = lock.newCondition();
        cancelWhileParked(() -> {
            lock.lock();
            try {
                never.await();
            } catch (InterruptedException e) {
                throw new CancellationException("interrupted in Condition.await");
            } finally {
                lock.unlock();
            }
        });
    }

    @Test
    void cancelReachesThreadSleep() throws Exception {
        cancelWhileParked(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                throw new CancellationException("interrupted in Thread.sleep");
            }
        });
    }

    @Test
    void aCancelledTaskStaysCancelledAtItsNextWait() throws Exception {
        Weft.run(runtime(), () -> {
            AtomicInteger waitsThatThrew = new AtomicInteger();
            Task<Void> t = Weft.spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    try {
                        Weft.sleep(Duration.ofHours(1));
                    } catch (CancellationException e) {
                        waitsThatThrew.incrementAndGet();
                    }
                }
            });
            awaitParked(t.thread());
            t.cancel();
            t.join(Duration.ofSeconds(5));
            assertEquals(3, waitsThatThrew.get(), "each wait after cancel throws at once");
        });
    }

    @Test
    void interruptCancelsTheCurrentWaitOnlyAndKeepsTheStatus() throws Exception {
        Weft.run(runtime(), () -> {
            CountDownLatch parked = new CountDownLatch(1);
            Task<String> t = Weft.spawn(() -> {
                String first;
                try {
                    Weft.sleep(Duration.ofHours(1));
                    first = "slept";
                } catch (CancellationException e) {
                    first = "cancelled:" + Thread.currentThread().isInterrupted();
                }
                Thread.interrupted(); // clear it: the task was not cancelled and may go on
                Weft.sleep(Duration.ofMillis(1));
                return first + ",then slept";
            });
            awaitParked(t.thread());
            t.thread().interrupt();
            assertEquals("cancelled:true,then slept", t.join(Duration.ofSeconds(5)));
            assertFalse(t.isCancelRequested());
        });
    }

    @Test
    void joinWithTimeoutThrowsDeadlineExceededAndLeavesTheTaskRunning() throws Exception {
        Weft.run(runtime(), () -> {
            Task<Void> t = Weft.spawn(() -> Weft.sleep(Duration.ofSeconds(30)));
            assertThrows(DeadlineExceededException.class, () -> t.join(Duration.ofMillis(20)));
            assertFalse(t.isDone());
            t.cancel();
            assertThrows(CancellationException.class, t::join);
        });
    }

    // ---- scopes -----------------------------------------------------------------------

    @Test
    void scopeFailureCancelsSiblingsAndJoinReportsIt() throws Exception {
        Weft.run(runtime(), () -> {
            Task<Void> sibling;
            try (Scope scope = Scope.open()) {
                sibling = scope.spawn(() -> Weft.sleep(Duration.ofHours(1)));
                scope.spawn(() -> {
                    Weft.sleep(Duration.ofMillis(10));
                    throw new IllegalStateException("child failed");
                });
                CompletionException e = assertThrows(CompletionException.class, scope::join);
                assertInstanceOf(IllegalStateException.class, e.getCause());
            }
            assertEquals(Task.State.CANCELLED, sibling.state());
        });
    }

    @Test
    void collectAllPolicyRunsEveryChildAndReportsEveryFailure() throws Exception {
        Weft.run(runtime(), () -> {
            AtomicInteger finished = new AtomicInteger();
            try (Scope scope = Scope.open(Scope.Policy.COLLECT_ALL)) {
                scope.spawn(() -> {
                    throw new IllegalStateException("one");
                });
                scope.spawn(() -> {
                    Weft.sleep(Duration.ofMillis(20));
                    finished.incrementAndGet();
                });
                scope.spawn(() -> {
                    Weft.sleep(Duration.ofMillis(5));
                    throw new IllegalArgumentException("two");
                });
                CompletionException e = assertThrows(CompletionException.class, scope::join);
                assertEquals(1, e.getSuppressed().length);
            }
            assertEquals(1, finished.get(), "the healthy child was not cancelled");
        });
    }

    @Test
    void scopeDeadlineIsToldApartFromCancellation() throws Exception {
        Weft.run(runtime(), () -> {
            Task<Void> child;
            try (Scope scope = Scope.open()) {
                child = scope.spawn(() -> Weft.sleep(Duration.ofHours(1)));
                scope.withTimeout(Duration.ofMillis(30)); // after the spawn, which a passed deadline refuses
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class, scope::join);
                assertFalse(CancellationException.class.isInstance(e));
            }
            assertEquals(Task.State.CANCELLED, child.state());
        });
    }

    @Test
    void cancellingTheOwnerCancelsTheScopesChildren() throws Exception {
        Weft.run(runtime(), () -> {
            AtomicReference<Task<Void>> child = new AtomicReference<>();
            Task<Void> owner = Weft.spawn(() -> {
                try (Scope scope = Scope.open()) {
                    child.set(scope.spawn(() -> Weft.sleep(Duration.ofHours(1))));
                    scope.join();
                }
            });
            TestSupport.eventually("child started", Duration.ofSeconds(5), () -> child.get() != null);
            awaitParked(owner.thread());
            owner.cancel();
            assertThrows(CancellationException.class, owner::join);
            assertTrue(child.get().isDone(), "no child outlives its scope");
            assertEquals(Task.State.CANCELLED, child.get().state());
        });
    }

    @Test
    void nestedScopesAreCancelledByTheOuterDeadline() throws Exception {
        Weft.run(runtime(), () -> {
            AtomicReference<Task<Void>> grandchild = new AtomicReference<>();
            try (Scope outer = Scope.open()) {
                Task<Void> child = outer.spawn(() -> {
                    try (Scope inner = Scope.open()) {
                        grandchild.set(inner.spawn(() -> Weft.sleep(Duration.ofHours(1))));
                        inner.join();
                    }
                });
                // The deadline once the whole tree runs, so that it cancels every level.
                TestSupport.eventually("the grandchild runs", Duration.ofSeconds(10), () -> grandchild.get() != null);
                outer.withTimeout(Duration.ofMillis(50));
                assertThrows(DeadlineExceededException.class, outer::join);
                assertEquals(Task.State.CANCELLED, child.state());
            }
            assertTrue(grandchild.get().isDone());
            assertEquals(Task.State.CANCELLED, grandchild.get().state());
        });
    }

    @Test
    void scopeJoinReturnsWhenAllChildrenSucceed() throws Exception {
        int sum = Weft.run(runtime(), () -> {
            try (Scope scope = Scope.open()) {
                Task<Integer> a = scope.spawn(() -> 1);
                Task<Integer> b = scope.spawnLocal(() -> 2);
                scope.join();
                return a.join() + b.join();
            }
        });
        assertEquals(3, sum);
    }

    @Test
    void everyCallThatNeedsATaskSaysSoInOneWording() {
        java.util.Map<String, org.junit.jupiter.api.function.Executable> calls = new java.util.LinkedHashMap<>();
        calls.put("Scope.open", Scope::open);
        calls.put("Weft.runtime", Weft::runtime);
        calls.put("Weft.spawn", () -> Weft.spawn(() -> 1));
        calls.put("Weft.spawnLocal", () -> Weft.spawnLocal(() -> { }));
        calls.put("TcpStream.connect", () -> io.weft.net.TcpStream.connect(new java.net.InetSocketAddress("127.0.0.1", 1)));
        calls.put("AsyncFile.open", () -> io.weft.fs.AsyncFile.open(java.nio.file.Path.of("/nonexistent-weft-test")));
        calls.forEach((call, body) -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, body, call);
            assertEquals(call + " must be called from a Weft task; start one with Weft.run or Runtime.spawn", e.getMessage());
        });
    }

    // ---- timers and many tasks -------------------------------------------------------

    @Test
    void tenThousandSleepingTasksAllComplete() throws Exception {
        int done = Weft.run(runtime(), () -> {
            AtomicInteger woke = new AtomicInteger();
            try (Scope scope = Scope.open()) {
                for (int i = 0; i < 10_000; i++) {
                    long ms = 5 + (i % 20);
                    scope.spawn(() -> {
                        Weft.sleep(Duration.ofMillis(ms));
                        woke.incrementAndGet();
                    });
                }
                scope.join();
            }
            return woke.get();
        });
        assertEquals(10_000, done);
    }

    @Test
    void sleepOutsideATaskParksThePlatformThread() {
        long t0 = System.nanoTime();
        Weft.sleep(Duration.ofMillis(5));
        assertTrue(System.nanoTime() - t0 >= 5_000_000, "slept at least the requested time");
    }

    @Test
    void virtualThreadsStartedInATaskFindTheLoop() throws Exception {
        Weft.run(runtime(), () -> {
            EventLoop mine = EventLoop.current();
            AtomicReference<EventLoop> theirs = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                theirs.set(EventLoop.current());
                Weft.sleep(Duration.ofMillis(1));
            });
            t.join();
            assertSame(mine, theirs.get());
        });
    }

    // ---- blocking pool ----------------------------------------------------------------

    @Test
    void blockingCallReturnsValueAndRethrowsAsIs() throws Exception {
        Weft.run(runtime(), () -> {
            assertEquals("pool", Blocking.call(() -> Thread.currentThread().isVirtual() ? "virtual" : "pool"));
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> Blocking.call(() -> {
                throw new java.io.IOException("nope");
            }));
            assertEquals("nope", e.getMessage());
        });
    }

    // ---- watchdog -----------------------------------------------------------------------

    @Test
    void watchdogReportsATaskThatHogsItsLoop() throws Exception {
        AtomicReference<StallReport> report = new AtomicReference<>();
        Weft.run(runtime().stallThreshold(Duration.ofMillis(50)).onStall(r -> report.compareAndSet(null, r)),
                () -> Weft.spawn(() -> spinUntilReported(report)).join(Duration.ofSeconds(10)));
        StallReport r = report.get();
        assertNotNull(r, "a stall was reported");
        assertTrue(r.busyFor().toMillis() >= 50);
        boolean inSpin = false;
        for (StackTraceElement e : r.stack()) {
            inSpin |= e.getMethodName().contains("spinUntilReported");
        }
        assertTrue(inSpin, "the report's stack shows the hogging code");
    }

    /** Keeps its loop busy (no Weft wait) until the watchdog has spoken, at most 5 s. */
    private static void spinUntilReported(AtomicReference<StallReport> report) {
        long end = System.nanoTime() + 5_000_000_000L;
        while (report.get() == null && System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    @Test
    void watchdogStaysQuietForTasksThatWait() throws Exception {
        List<StallReport> reports = new CopyOnWriteArrayList<>();
        try (Runtime rt = runtime().stallThreshold(Duration.ofMillis(30)).onStall(reports::add).build()) {
            CountDownLatch release = new CountDownLatch(1);
            Task<Void> sleeping = rt.spawn(() -> Weft.sleep(Duration.ofHours(1)));
            List<Task<?>> waiting = List.of(
                    sleeping,
                    rt.spawn(() -> sleeping.join()),
                    rt.spawn(() -> Blocking.call(() -> release.await(1, TimeUnit.HOURS))),
                    rt.spawn(() -> release.await(1, TimeUnit.HOURS)));
            for (Task<?> t : waiting) {
                awaitParked(t.thread());
            }
            // A scan as if an hour had gone by: a task parked in a wait never stalls its loop,
            // however long it waits.
            long anHourLater = System.nanoTime() + Duration.ofHours(1).toNanos();
            rt.watchdog().scan(anHourLater);
            assertEquals(List.of(), reports, "waiting is not stalling");

            // The same scan does see a task that keeps its loop busy, so the silence above
            // means something.
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch spinning = new CountDownLatch(1);
            Task<Void> spinner = rt.spawn(() -> {
                spinning.countDown();
                while (!stop.get()) {
                    Thread.onSpinWait();
                }
            });
            try {
                assertTrue(spinning.await(10, TimeUnit.SECONDS));
                rt.watchdog().scan(System.nanoTime() + Duration.ofHours(1).toNanos());
                TestSupport.eventually("the spinner is reported", Duration.ofSeconds(10), () -> !reports.isEmpty());
            } finally {
                stop.set(true);
                release.countDown();
            }
            for (StallReport r : reports) {
                assertEquals(spinner, r.task(), "only the spinning task stalls its loop: " + r);
            }
        }
    }
}
