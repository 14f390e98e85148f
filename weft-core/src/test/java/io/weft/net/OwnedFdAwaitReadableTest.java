package io.weft.net;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.Weft;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
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
                Task<Void> waiter = Weft.spawnLocal(() -> efd.awaitReadable(Deadline.after(Duration.ofSeconds(30))));
                Weft.sleep(Duration.ofMillis(20)); // runs on the waiter's loop: the loop is free
                assertFalse(waiter.isDone());
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
}
