package io.weft.internal.loop;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("mode-independent")
class TimerQueueTest {

    /** A clock that moves only when told to. */
    static final class ManualClock implements NanoClock {
        long now = 1_000_000_000L;

        @Override
        public long nanoTime() {
            return now;
        }
    }

    @Test
    void firesInDeadlineOrderAndOnlyWhenDue() {
        ManualClock clock = new ManualClock();
        TimerQueue q = new TimerQueue(clock);
        List<Integer> fired = new ArrayList<>();
        q.schedule(clock.now + 30, () -> fired.add(3));
        q.schedule(clock.now + 10, () -> fired.add(1));
        q.schedule(clock.now + 20, () -> fired.add(2));
        assertEquals(0, q.fireExpired());
        assertEquals(clock.now + 10, q.nextDeadline());
        clock.now += 20;
        assertEquals(2, q.fireExpired());
        assertEquals(List.of(1, 2), fired);
        clock.now += 100;
        q.fireExpired();
        assertEquals(List.of(1, 2, 3), fired);
        assertEquals(Long.MAX_VALUE, q.nextDeadline());
    }

    @Test
    void equalDeadlinesFireInScheduleOrder() {
        ManualClock clock = new ManualClock();
        TimerQueue q = new TimerQueue(clock);
        List<Integer> fired = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            q.schedule(clock.now + 5, () -> fired.add(n));
        }
        clock.now += 5;
        q.fireExpired();
        for (int i = 0; i < 100; i++) {
            assertEquals(i, fired.get(i));
        }
    }

    @Test
    void cancelRemovesExactlyThatTimer() {
        ManualClock clock = new ManualClock();
        TimerQueue q = new TimerQueue(clock);
        List<Integer> fired = new ArrayList<>();
        TimerQueue.Timer a = q.schedule(clock.now + 1, () -> fired.add(1));
        TimerQueue.Timer b = q.schedule(clock.now + 2, () -> fired.add(2));
        assertTrue(q.cancel(a));
        assertFalse(q.cancel(a), "second cancel is a no-op");
        assertFalse(a.isScheduled());
        clock.now += 10;
        q.fireExpired();
        assertEquals(List.of(2), fired);
        assertFalse(q.cancel(b), "a fired timer cannot be cancelled");
    }

    @Test
    void deadlinesAcrossNanoTimeWrapCompareBySubtraction() {
        ManualClock clock = new ManualClock();
        clock.now = Long.MAX_VALUE - 5;
        TimerQueue q = new TimerQueue(clock);
        List<Integer> fired = new ArrayList<>();
        q.schedule(clock.now + 10, () -> fired.add(2)); // wraps negative
        q.schedule(clock.now + 3, () -> fired.add(1));
        clock.now += 4;
        q.fireExpired();
        assertEquals(List.of(1), fired);
        clock.now += 10;
        q.fireExpired();
        assertEquals(List.of(1, 2), fired);
    }

    @Test
    void randomScheduleAndCancelKeepsHeapOrder() {
        ManualClock clock = new ManualClock();
        TimerQueue q = new TimerQueue(clock);
        Random rnd = new Random(42);
        List<TimerQueue.Timer> live = new ArrayList<>();
        List<Long> firedDeadlines = new ArrayList<>();
        int cancelled = 0;
        for (int i = 0; i < 10_000; i++) {
            long d = clock.now + rnd.nextInt(1_000_000);
            long[] box = {d};
            live.add(q.schedule(d, () -> firedDeadlines.add(box[0])));
            if (rnd.nextInt(3) == 0) {
                if (q.cancel(live.remove(rnd.nextInt(live.size())))) {
                    cancelled++;
                }
            }
        }
        assertEquals(10_000 - cancelled, q.size());
        clock.now += 2_000_000;
        q.fireExpired();
        assertEquals(10_000 - cancelled, firedDeadlines.size());
        for (int i = 1; i < firedDeadlines.size(); i++) {
            assertTrue(firedDeadlines.get(i - 1) <= firedDeadlines.get(i), "fired out of order at " + i);
        }
        assertEquals(0, q.size());
    }

    @Test
    void anActionMaySchedulePastTimersThatFireInTheSameCall() {
        ManualClock clock = new ManualClock();
        TimerQueue q = new TimerQueue(clock);
        List<String> fired = new ArrayList<>();
        q.schedule(clock.now, () -> {
            fired.add("a");
            q.schedule(clock.now - 1, () -> fired.add("b"));
        });
        assertEquals(2, q.fireExpired());
        assertEquals(List.of("a", "b"), fired);
    }
}
