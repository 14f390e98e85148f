package io.weft.internal.loop;

import io.weft.internal.wait.Waits;
import io.weft.internal.wait.Op;
import io.weft.internal.wait.OpTrace;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A completion that races a spurious wake must still wake the waiter. A virtual thread's
 * unpark does nothing when its park permit is already set (a stale unpark: a late one for
 * an earlier wait, or the waiter's own when it cancelled its op), so it does not fence
 * either. If the completer publishes DONE with only a release store, the store may still
 * be unseen when the completer finds the permit set and returns, while the waiter takes
 * that permit, re-checks the op, misses DONE and parks for good. Here a virtual thread
 * gives itself a permit before every wait and a platform thread completes each op as it
 * appears, at a random moment. A waiter that does not finish a completed wait within
 * {@link #HANG_LIMIT} was not woken: the test fails with the waiter's JDK state.
 *
 * <p>It runs for a second or two; {@code -Dweft.stress.minutes} runs it longer. With a
 * periodic re-check of waits the loss would only be a delay, so the hang limit is far above
 * any such re-check period.
 */
@Tag("mode-independent") // raw virtual threads, not tasks: runs once
class SpuriousWakeRaceTest {

    private static final Duration BUDGET = Duration.ofMillis(Math.max(1_500,
            (long) (Double.parseDouble(System.getProperty("weft.stress.minutes", "0")) * 60_000)));
    private static final int MAX_ROUNDS = BUDGET.toMillis() > 1_500 ? Integer.MAX_VALUE : 2_000_000;
    private static final Duration HANG_LIMIT = Duration.ofSeconds(10);

    @Test
    void aCompletionRacingAStalePermitWakesTheWaiter() throws Exception {
        Object end = new Object(); // published when the waiter is through
        AtomicReference<Object> published = new AtomicReference<>();
        AtomicLong finished = new AtomicLong();
        long until = System.nanoTime() + BUDGET.toNanos();
        Thread waiter = Thread.ofVirtual().name("waiter").start(() -> {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            for (int i = 0; i < MAX_ROUNDS && System.nanoTime() - until < 0; i++) {
                Waits.Signal op = new Waits.Signal();
                LockSupport.unpark(Thread.currentThread()); // the stale permit
                published.set(op);
                for (int spin = r.nextInt(16); spin > 0; spin--) {
                    Thread.onSpinWait(); // vary where the completion lands in this wait
                }
                Waits.await(op, Waits.NONE, false);
                finished.incrementAndGet();
            }
            published.set(end);
        });
        long rounds = 0;
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (true) {
            Object next;
            long hang = System.nanoTime() + HANG_LIMIT.toNanos();
            while ((next = published.getAndSet(null)) == null) {
                if (System.nanoTime() - hang > 0) {
                    fail("the waiter neither finished nor published an op within " + HANG_LIMIT);
                }
                Thread.onSpinWait();
            }
            if (next == end) {
                break;
            }
            Op op = (Op) next;
            for (int spin = rnd.nextInt(4); spin > 0; spin--) {
                Thread.onSpinWait();
            }
            op.complete(0);
            rounds++;
            while (finished.get() < rounds) {
                if (System.nanoTime() - hang > 0) {
                    String state = OpTrace.stateOf(waiter);
                    LockSupport.unpark(waiter); // let it end
                    fail("lost wake-up after " + (rounds - 1) + " rounds: the op is done (" + op.isDone()
                            + ") but its waiter was not woken within " + HANG_LIMIT + "; waiter " + state);
                }
                Thread.onSpinWait();
            }
        }
        waiter.join(HANG_LIMIT.toMillis());
        assertTrue(rounds > 0, "no round ran");
        System.out.println("spurious wake race: " + rounds + " completions, every waiter woken");
    }
}
