package io.weft;

import java.time.Duration;

/**
 * A point in time by which a wait must end, on the {@link System#nanoTime()} scale.
 * Pass one deadline down a chain of calls so the whole chain, not each call, is bounded.
 *
 * <pre>{@code
 * Deadline d = Deadline.after(Duration.ofSeconds(2));
 * stream.writeAll(request, d);
 * stream.readFully(response, d);   // together they take at most 2 s
 * }</pre>
 */
public final class Deadline implements Comparable<Deadline> {

    /** No deadline: waits without limit. */
    public static final Deadline NONE = new Deadline(Long.MAX_VALUE);

    private final long nanoTime;

    private Deadline(long nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * Timeouts from here on (about 146 years) are no deadline. Deadlines are compared by the
     * difference of their nanoTime values, which overflows for two more than 2^63 ns apart;
     * keeping every deadline within half of that of the present keeps the order right.
     */
    private static final long FAR_NANOS = Long.MAX_VALUE / 2;

    /**
     * The deadline {@code timeout} from now; a negative or zero timeout has already passed,
     * and one of about 146 years or more is {@link #NONE}.
     */
    public static Deadline after(Duration timeout) {
        long now = System.nanoTime();
        if (timeout.isNegative() || timeout.isZero()) {
            // Now, not now + timeout: a very negative timeout would wrap into the future.
            return new Deadline(now == Long.MAX_VALUE ? now - 1 : now);
        }
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return NONE;
        }
        if (nanos >= FAR_NANOS) {
            return NONE;
        }
        long at = now + nanos;
        return at == Long.MAX_VALUE ? NONE : new Deadline(at);
    }

    /** The deadline at {@code nanoTime} on the System.nanoTime scale. */
    public static Deadline atNanoTime(long nanoTime) {
        return nanoTime == Long.MAX_VALUE ? NONE : new Deadline(nanoTime);
    }

    /** The earlier of this and {@code other}. */
    public Deadline min(Deadline other) {
        return compareTo(other) <= 0 ? this : other;
    }

    /** The System.nanoTime value, or Long.MAX_VALUE for {@link #NONE}. */
    public long nanoTime() {
        return nanoTime;
    }

    public boolean isNone() {
        return this == NONE || nanoTime == Long.MAX_VALUE;
    }

    public boolean hasPassed() {
        return !isNone() && nanoTime - System.nanoTime() <= 0;
    }

    /** Time left (zero or negative once passed); a very long duration for {@link #NONE}. */
    public Duration remaining() {
        return isNone() ? Duration.ofNanos(Long.MAX_VALUE) : Duration.ofNanos(nanoTime - System.nanoTime());
    }

    @Override
    public int compareTo(Deadline o) {
        if (isNone() || o.isNone()) {
            return Boolean.compare(isNone(), o.isNone());
        }
        return Long.signum(nanoTime - o.nanoTime);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Deadline d && d.nanoTime == nanoTime;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(nanoTime);
    }

    @Override
    public String toString() {
        return isNone() ? "Deadline[none]" : "Deadline[in " + remaining().toMillis() + " ms]";
    }
}
