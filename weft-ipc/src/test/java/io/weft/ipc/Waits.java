package io.weft.ipc;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.Weft;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bounded polling waits and a ticking task, for tests that must show a loop still runs. From Weft tasks. */
final class Waits {
    private Waits() {
    }

    /** Polls {@code condition} every 2 ms until it holds; fails with {@code what} after {@code limit}. */
    static void until(BooleanSupplier condition, Duration limit, String what) {
        Deadline d = Deadline.after(limit);
        while (!condition.getAsBoolean()) {
            assertTrue(!d.hasPassed(), "not within " + limit + ": " + what);
            Weft.sleep(Duration.ofMillis(2));
        }
    }

    /** A task on the caller's loop that counts its wake-ups, one per millisecond or so. */
    static final class Ticker implements AutoCloseable {
        final AtomicLong ticks = new AtomicLong();
        private final Task<?> task;

        Ticker() {
            task = Weft.spawn(() -> {
                while (true) {
                    ticks.incrementAndGet();
                    Weft.sleep(Duration.ofMillis(1));
                }
            });
        }

        /** Fails unless the ticker ticks {@code n} more times within 10 s: its loop is not held by anyone. */
        void assertTicks(int n) {
            long from = ticks.get();
            until(() -> ticks.get() >= from + n, Duration.ofSeconds(10), "the ticker on the same loop ticks " + n + " more times");
        }

        @Override
        public void close() {
            task.cancel();
        }
    }
}
