package io.weft;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Deadline}: overflow, ordering, {@code min} and {@code remaining}. */
@Tag("mode-independent") // no tasks: runs once
@Timeout(60)
class DeadlineTest {

    @Test
    void aTimeoutTooLongToAddUpIsNoDeadline() {
        assertTrue(Deadline.after(ChronoUnit.FOREVER.getDuration()).isNone(), "Duration.toNanos overflows");
        assertTrue(Deadline.after(Duration.ofNanos(Long.MAX_VALUE)).isNone(), "now + timeout overflows");
        assertTrue(Deadline.after(Duration.ofDays(365 * 200)).isNone());
        assertTrue(Deadline.atNanoTime(Long.MAX_VALUE).isNone());
        assertFalse(Deadline.NONE.hasPassed());
        assertFalse(Deadline.after(Duration.ofDays(365 * 100)).isNone(), "a century is still a deadline");
    }

    @Test
    void theLongestTimeoutsStillOrderAfterPassedDeadlines() {
        Deadline passed = Deadline.after(Duration.ofSeconds(-1));
        Deadline far = Deadline.after(Duration.ofNanos(Long.MAX_VALUE - 1));
        assertSame(passed, passed.min(far));
        assertSame(passed, far.min(passed));
        Deadline century = Deadline.after(Duration.ofDays(365 * 100));
        assertTrue(passed.compareTo(century) < 0 && century.compareTo(passed) > 0);
    }

    @Test
    void aZeroOrNegativeTimeoutHasPassedHoweverLargeItIs() {
        assertTrue(Deadline.after(Duration.ZERO).hasPassed());
        assertTrue(Deadline.after(Duration.ofMillis(-1)).hasPassed());
        assertTrue(Deadline.after(Duration.ofNanos(Long.MIN_VALUE)).hasPassed(), "now + timeout would wrap into the future");
        assertTrue(Deadline.after(ChronoUnit.FOREVER.getDuration().negated()).hasPassed(), "Duration.toNanos overflows");
        assertFalse(Deadline.after(Duration.ofNanos(Long.MIN_VALUE)).isNone());
    }

    @Test
    void compareToOrdersByTimeWithNoDeadlineLast() {
        Deadline early = Deadline.atNanoTime(1_000);
        Deadline late = Deadline.atNanoTime(2_000);
        assertTrue(early.compareTo(late) < 0);
        assertTrue(late.compareTo(early) > 0);
        assertEquals(0, early.compareTo(Deadline.atNanoTime(1_000)));
        assertEquals(early, Deadline.atNanoTime(1_000));
        assertEquals(early.hashCode(), Deadline.atNanoTime(1_000).hashCode());
        assertTrue(late.compareTo(Deadline.NONE) < 0);
        assertTrue(Deadline.NONE.compareTo(late) > 0);
        assertEquals(0, Deadline.NONE.compareTo(Deadline.atNanoTime(Long.MAX_VALUE)));
        // nanoTime values are compared as differences, so the order holds across the wrap of the long.
        Deadline beforeWrap = Deadline.atNanoTime(Long.MAX_VALUE - 10);
        Deadline afterWrap = Deadline.atNanoTime(Long.MIN_VALUE + 10);
        assertTrue(beforeWrap.compareTo(afterWrap) < 0);
    }

    @Test
    void minIsTheEarlier() {
        Deadline early = Deadline.atNanoTime(1_000);
        Deadline late = Deadline.atNanoTime(2_000);
        assertSame(early, early.min(late));
        assertSame(early, late.min(early));
        assertSame(early, early.min(Deadline.NONE));
        assertSame(early, Deadline.NONE.min(early));
        assertTrue(Deadline.NONE.min(Deadline.NONE).isNone());
    }

    @Test
    void remainingCountsDownAndNoneIsVeryLong() {
        Duration timeout = Duration.ofSeconds(30);
        Deadline d = Deadline.after(timeout);
        Duration left = d.remaining();
        assertTrue(left.compareTo(timeout) <= 0 && !left.isNegative() && !left.isZero(), left.toString());
        assertTrue(Deadline.after(Duration.ofSeconds(-1)).remaining().compareTo(Duration.ZERO) <= 0);
        assertEquals(Duration.ofNanos(Long.MAX_VALUE), Deadline.NONE.remaining());
        assertTrue(Deadline.NONE.toString().contains("none"));
    }
}
