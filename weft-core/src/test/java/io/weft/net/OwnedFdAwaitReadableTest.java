package io.weft.net;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.TestSupport;
import io.weft.Weft;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OwnedFd.awaitReadable on an eventfd: the task waits, its loop does not. */
class OwnedFdAwaitReadableTest {

    static Stream<String> fdBackends() {
        return UnixSocketConformanceTest.fdBackends();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void anEventfdWakesATaskWaitingForItAndTheWaitConsumesNothing(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (OwnedFd efd = OwnedFd.eventfd(0)) {
                assertThrows(SocketTimeoutException.class, () -> efd.awaitReadable(Deadline.after(Duration.ofMillis(30))));
                AtomicReference<Thread> waiterThread = new AtomicReference<>();
                Task<Void> waiter = Weft.spawnLocal(() -> {
                    waiterThread.set(Thread.currentThread());
                    efd.awaitReadable(Deadline.after(Duration.ofSeconds(30)));
                });
                // This task shares the waiter's loop, so the loop is free while it waits;
                // the waiter is then parked inside awaitReadable with nothing to read.
                TestSupport.eventually("the waiter is parked in awaitReadable", Duration.ofSeconds(10),
                        () -> waiterThread.get() != null && parkedIn(waiterThread.get(), "awaitReadable"));
                assertFalse(waiter.isDone(), "an eventfd with a zero count is not readable");
                assertEquals(8, efd.write(ByteBuffer.allocate(8).putLong(0, 3)));
                waiter.join();
                efd.awaitReadable(Deadline.after(Duration.ofSeconds(1))); // still readable: nothing consumed
                ByteBuffer count = ByteBuffer.allocate(8);
                assertEquals(8, efd.read(count));
                assertEquals(3, count.getLong(0));
                assertTrue(efd.isOpen());
            }
        });
    }

    /** True if {@code t} is parked (waiting) with {@code method} on its stack. */
    static boolean parkedIn(Thread t, String method) {
        Thread.State state = t.getState();
        if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
            return false;
        }
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getMethodName().equals(method)) {
                return true;
            }
        }
        return false;
    }
}
