package io.weft;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.weft.TestSupport.awaitParked;
import static io.weft.TestSupport.runtime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Blocking}: {@code run}, {@code callUninterruptibly}'s deadline and withdrawal, and
 * {@code callOrAbandon}. Where a call must not have started, the pool has one thread and
 * the test keeps it busy, so "not started" is a state, not a race.
 */
@Timeout(60)
class BlockingContractTest {

    /** Waits for {@code latch} and ignores interrupts meanwhile; true if it saw one. */
    private static boolean awaitDeaf(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    /** Holds the pool's only thread until the returned latch is released. */
    private static CountDownLatch occupyThePool() throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Weft.spawn(() -> Blocking.call(() -> {
            holding.countDown();
            return awaitDeaf(release);
        }));
        assertTrue(holding.await(10, TimeUnit.SECONDS), "the pool thread is taken");
        return release;
    }

    @Test
    void runRunsOnThePoolAndRethrowsAsIs() throws Exception {
        Weft.run(runtime(), () -> {
            AtomicReference<Thread> ranOn = new AtomicReference<>();
            Blocking.run(() -> ranOn.set(Thread.currentThread()));
            assertFalse(ranOn.get().isVirtual(), "a pool thread: " + ranOn.get());
            assertTrue(ranOn.get().getName().contains("-blocking-"), ranOn.get().getName());
            IOException e = assertThrows(IOException.class, () -> Blocking.run(() -> {
                throw new IOException("as is");
            }));
            assertEquals("as is", e.getMessage());
        });
        AtomicReference<Thread> outside = new AtomicReference<>();
        Blocking.run(() -> outside.set(Thread.currentThread()));
        assertEquals(Thread.currentThread(), outside.get(), "outside a task it runs on the caller's thread");
    }

    @Test
    void callUninterruptiblyWithdrawsACallNotYetStartedWhenItsDeadlinePasses() throws Exception {
        Weft.run(runtime().blockingThreads(1), () -> {
            CountDownLatch release = occupyThePool();
            AtomicBoolean ran = new AtomicBoolean();
            assertThrows(DeadlineExceededException.class, () -> Blocking.callUninterruptibly(() -> {
                ran.set(true);
                return null;
            }, Deadline.after(Duration.ofMillis(20))));
            release.countDown();
            // The pool runs calls in order: once this one has run, the withdrawn one had its turn.
            assertEquals("next", Blocking.call(() -> "next"));
            assertFalse(ran.get(), "the withdrawn call never ran");
            assertThrows(DeadlineExceededException.class,
                    () -> Blocking.callUninterruptibly(() -> "late", Deadline.after(Duration.ZERO)),
                    "a deadline already passed is not submitted");
        });
    }

    @Test
    void callUninterruptiblyWithdrawsACallNotYetStartedWhenTheTaskIsCancelled() throws Exception {
        Weft.run(runtime().blockingThreads(1), () -> {
            CountDownLatch release = occupyThePool();
            AtomicBoolean ran = new AtomicBoolean();
            Task<Object> t = Weft.spawn(() -> Blocking.callUninterruptibly(() -> {
                ran.set(true);
                return null;
            }, Deadline.NONE));
            awaitParked(t.thread());
            t.cancel();
            assertThrows(CancellationException.class, () -> t.join(Duration.ofSeconds(10)));
            release.countDown();
            assertEquals("next", Blocking.call(() -> "next"));
            assertFalse(ran.get(), "the withdrawn call never ran");
        });
    }

    /**
     * The longest deadline the tests below try. A call only starts if a pool thread takes it
     * before its deadline; they start with a short deadline and double it until one does,
     * so a slow machine costs time, not a failure.
     */
    private static final long LONGEST_TRY_MILLIS = 25_600;

    @Test
    void callUninterruptiblyWaitsForAStartedCallPastItsDeadlineAndDoesNotInterruptIt() throws Exception {
        Weft.run(runtime(), () -> {
            for (long ms = 50; ; ms *= 2) {
                assertTrue(ms <= LONGEST_TRY_MILLIS, "no call started before its deadline");
                CountDownLatch started = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                AtomicBoolean interrupted = new AtomicBoolean();
                Deadline soon = Deadline.after(Duration.ofMillis(ms));
                Task<String> t = Weft.spawn(() -> Blocking.callUninterruptibly(() -> {
                    started.countDown();
                    interrupted.set(awaitDeaf(release));
                    return "finished";
                }, soon));
                TestSupport.eventually("the call started or was withdrawn", Duration.ofSeconds(60),
                        () -> started.getCount() == 0 || t.isDone());
                if (started.getCount() == 1) {
                    // Withdrawn at its deadline before a pool thread took it: it never runs.
                    CompletionException e = assertThrows(CompletionException.class, t::join);
                    assertInstanceOf(DeadlineExceededException.class, e.getCause());
                    continue;
                }
                Weft.sleep(soon);      // the deadline has passed while the call runs ...
                release.countDown();   // ... and it still gets the call's outcome
                assertEquals("finished", t.join(Duration.ofSeconds(10)));
                assertFalse(interrupted.get(), "the call was not interrupted");
                return;
            }
        });
    }

    @Test
    void callUninterruptiblyLetsACancelledTaskSeeTheOutcomeThenTheCancellation() throws Exception {
        Weft.run(runtime(), () -> {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<String> got = new AtomicReference<>();
            AtomicBoolean interrupted = new AtomicBoolean();
            Task<Void> t = Weft.spawn(() -> {
                got.set(Blocking.callUninterruptibly(() -> {
                    started.countDown();
                    interrupted.set(awaitDeaf(release));
                    return "outcome";
                }, Deadline.NONE));
                Weft.sleep(Duration.ofHours(1)); // the next wait sees the cancellation
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            t.cancel();
            awaitParked(t.thread());
            assertFalse(t.isDone(), "the task waits for the call it started");
            release.countDown();
            assertThrows(CancellationException.class, () -> t.join(Duration.ofSeconds(10)));
            assertEquals("outcome", got.get());
            assertFalse(interrupted.get(), "the call was not interrupted");
        });
    }

    @Test
    void callOrAbandonReturnsAtItsDeadlineWhileTheCallIsStillRunning() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        try {
            Weft.run(runtime(), () -> {
                assertEquals("quick", Blocking.callOrAbandon(() -> "quick", Deadline.NONE));
                assertThrows(IOException.class, () -> Blocking.callOrAbandon(() -> {
                    throw new IOException("as is");
                }, Deadline.NONE));
                // Until a try starts the call before its deadline: one that did not was
                // withdrawn, and never runs.
                for (long ms = 50; started.getCount() == 1; ms *= 2) {
                    assertTrue(ms <= LONGEST_TRY_MILLIS, "no call started before its deadline");
                    Deadline deadline = Deadline.after(Duration.ofMillis(ms));
                    assertThrows(DeadlineExceededException.class, () -> Blocking.callOrAbandon(() -> {
                        started.countDown();
                        interrupted.set(awaitDeaf(release));
                        ended.countDown();
                        return "dropped";
                    }, deadline));
                }
                assertEquals(1, ended.getCount(), "the caller returned before the call ended");
            });
            assertEquals(1, ended.getCount(), "Weft.run did not wait for the abandoned call");
        } finally {
            release.countDown();
        }
        assertTrue(ended.await(10, TimeUnit.SECONDS));
        assertTrue(interrupted.get(), "the abandoned call was interrupted");
    }

    @Test
    void callOrAbandonReturnsWhenTheTaskIsCancelled() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Runtime rt = runtime().build()) {
            CountDownLatch started = new CountDownLatch(1);
            Task<String> t = rt.spawn(() -> Blocking.callOrAbandon(() -> {
                started.countDown();
                awaitDeaf(release);
                return "dropped";
            }, Deadline.NONE));
            assertTrue(started.await(10, TimeUnit.SECONDS));
            t.cancel();
            assertThrows(CancellationException.class, () -> t.join(Duration.ofSeconds(10)));
            assertEquals(1, release.getCount(), "the call is still running");
        } finally {
            release.countDown();
        }
    }
}
