package io.weft.pubsub;

import io.weft.Task;
import io.weft.Weft;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Waiting out another process's few-instruction step (the publish lock, a slot being
 * taken): spins first, since the step is nanoseconds long; then yields; then, if the other
 * process was descheduled in the middle, sleeps a millisecond at a time, so that neither a
 * loop nor a core is held. Past its patience the step counts as abandoned by a process that
 * wrote into the channel's memory.
 */
final class Backoff {

    private static final long PATIENCE_NANOS = 2_000_000_000L;

    private int round;
    private long start;

    /** Pauses before the next look; false once the patience (2 s) is used up. */
    boolean pause() {
        round++;
        if (round < 64) {
            Thread.onSpinWait();
            return true;
        }
        if (round < 256) {
            Thread.yield();
            return true;
        }
        long now = System.nanoTime();
        if (start == 0) {
            start = now;
        } else if (now - start > PATIENCE_NANOS) {
            return false;
        }
        if (Task.current() != null) {
            Weft.sleep(Duration.ofMillis(1));
        } else {
            LockSupport.parkNanos(1_000_000);
        }
        return true;
    }
}
