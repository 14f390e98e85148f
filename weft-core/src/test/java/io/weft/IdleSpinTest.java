package io.weft;

import io.weft.internal.loop.EventLoop;
import io.weft.internal.loop.WakeState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spin before sleep: an idle loop busy-polls for a while, but a loop that stays idle ends
 * up blocked in its backend and stops spinning; {@code idleSpin(Duration.ZERO)} never
 * spins. The CPU an idle runtime uses is measured by {@code ./weft bench idle}.
 */
@Timeout(60)
class IdleSpinTest {

    @Test
    void anIdleLoopStopsSpinningAndSleeps() throws Exception {
        try (Runtime rt = TestSupport.runtime().idleSpin(Duration.ofMillis(2)).build()) {
            // hand each loop work from outside a few times, so each has spun
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < rt.loopCount(); i++) {
                    handOff(rt.loop(i));
                }
            }
            for (int i = 0; i < rt.loopCount(); i++) {
                EventLoop loop = rt.loop(i);
                TestSupport.eventually("loop " + i + " is asleep", Duration.ofSeconds(10),
                        () -> loop.wakeState() == WakeState.ASLEEP);
                assertTrue(loop.spinCounts()[0] > 0, "loop " + i + " spun before it slept");
                long spins = loop.spinCounts()[0];
                // asleep, with nothing to do: it must not spin again on its own
                Thread.sleep(100);
                assertEquals(spins, loop.spinCounts()[0], "an idle loop keeps sleeping");
                assertEquals(WakeState.ASLEEP, loop.wakeState());
            }
        }
    }

    @Test
    void zeroIdleSpinNeverSpins() throws Exception {
        try (Runtime rt = TestSupport.runtime().idleSpin(Duration.ZERO).build()) {
            for (int round = 0; round < 20; round++) {
                handOff(rt.loop(round % rt.loopCount()));
            }
            for (int i = 0; i < rt.loopCount(); i++) {
                assertEquals(0, rt.loop(i).spinCounts()[0], "loop " + i + " spun with idleSpin 0");
            }
        }
    }

    @Test
    void aSpinningLoopPicksUpWorkFromAnotherThread() throws Exception {
        try (Runtime rt = TestSupport.runtime().loops(1).idleSpin(Duration.ofSeconds(5)).build()) {
            EventLoop loop = rt.loop(0);
            // A 5 s budget: the loop stays SPINNING after its first hand-off, and work handed
            // to it meanwhile is found by the spin (counted as paid) without a wake-up.
            handOff(loop);
            TestSupport.eventually("loop is spinning", Duration.ofSeconds(10), () -> loop.wakeState() == WakeState.SPINNING);
            long paid = loop.spinCounts()[1];
            handOff(loop);
            assertTrue(loop.spinCounts()[1] > paid, "the spin found the hand-off: " + paid + " -> " + loop.spinCounts()[1]);
        }
    }

    /** Hands the loop a runnable from this (non-loop) thread and waits until it ran. */
    private static void handOff(EventLoop loop) throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        loop.execute(ran::countDown);
        assertTrue(ran.await(10, TimeUnit.SECONDS), "the loop ran the hand-off");
    }

    @Test
    void negativeIdleSpinIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Runtime.builder().idleSpin(Duration.ofNanos(-1)));
    }
}
