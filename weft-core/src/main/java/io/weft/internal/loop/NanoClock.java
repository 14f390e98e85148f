package io.weft.internal.loop;

/** A monotonic clock in nanoseconds, so timer code can be tested with a manual one. */
@FunctionalInterface
public interface NanoClock {
    NanoClock SYSTEM = System::nanoTime;

    long nanoTime();
}
