package io.weft.net;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.Weft;
import io.weft.internal.linux.Errno;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Unix listener accepts through the same loop as a TCP one: an aborted connection
 * (ECONNABORTED) is passed over, running out of descriptors (EMFILE) backs off and
 * retries, and serve spreads connections over the loops. The kernel never aborts a Unix
 * connection before accept, so those errnos are injected as accept's outcome; the real
 * EMFILE is in {@link AcceptFdLimitTest#unixAcceptBacksOffOnEmfileAndRecovers()}.
 */
@Timeout(60)
class UnixListenerAcceptTest {

    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    /** Reports {@code errno} for the first {@code times} accepts, then lets the kernel answer. */
    private static IntSupplier failFirst(int times, int errno, AtomicInteger asked) {
        return () -> asked.incrementAndGet() <= times ? errno : 0;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.weft.net.UnixSocketConformanceTest#fdBackends")
    void abortedConnectionsArePassedOver(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (UnixListener l = UnixListener.bind(dir.resolve("a.sock"))) {
                AtomicInteger asked = new AtomicInteger();
                l.core().injectErrno(failFirst(2, Errno.ECONNABORTED, asked));
                Task<Integer> server = Weft.spawn(() -> {
                    try (UnixStream s = l.accept(T)) {
                        return s.read(new byte[1]) == 1 ? 1 : -1;
                    }
                });
                try (UnixStream c = UnixStream.connect(l.localAddress(), T)) {
                    c.writeAll(new byte[] {7});
                    assertEquals(1, server.join(T), "accept returned the next, real connection");
                }
                assertEquals(3, asked.get(), "two aborted attempts, then the real accept");
                assertEquals(0, l.fdLimitBackoffs(), "an aborted connection is no reason to back off");
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.weft.net.UnixSocketConformanceTest#fdBackends")
    void outOfDescriptorsBacksOffAndRetries(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (UnixListener l = UnixListener.bind(dir.resolve("e.sock"))) {
                AtomicInteger asked = new AtomicInteger();
                l.core().injectErrno(failFirst(3, Errno.EMFILE, asked));
                Task<Void> server = Weft.spawn(() -> l.accept(T).close());
                try (UnixStream c = UnixStream.connect(l.localAddress(), T)) {
                    assertNull(server.join(T), "accept succeeded once descriptors were back");
                }
                assertEquals(3, l.fdLimitBackoffs(), "one back-off per EMFILE");
                assertEquals(4, asked.get(), "retried after each back-off");
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.weft.net.UnixSocketConformanceTest#fdBackends")
    void outOfDescriptorsPastTheDeadlineTimesOut(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (UnixListener l = UnixListener.bind(dir.resolve("t.sock"))) {
                l.core().injectErrno(() -> Errno.EMFILE);
                var e = assertThrows(java.net.SocketTimeoutException.class, () -> l.accept(Duration.ofMillis(50)));
                assertTrue(e.getMessage().contains("EMFILE"), e.getMessage());
                assertTrue(l.fdLimitBackoffs() >= 1, "backed off before giving up");
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.weft.net.UnixSocketConformanceTest#fdBackends")
    void serveHandsConnectionsToTheLoopsInTurnAndCloseEndsIt(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            int loops = Weft.runtime().loopCount();
            int connections = 4 * loops;
            AtomicIntegerArray served = new AtomicIntegerArray(loops);
            UnixListener l = UnixListener.bind(dir.resolve("s.sock"));
            Task<Void> server = Weft.spawn(() -> l.serve(conn -> {
                served.incrementAndGet(Task.current().loopIndex());
                conn.writeAll(new byte[] {1}, 0, 1, Deadline.after(T));
            }));
            for (int i = 0; i < connections; i++) {
                try (UnixStream c = UnixStream.connect(l.localAddress(), T)) {
                    byte[] one = new byte[1];
                    c.readFully(one, Deadline.after(T));
                    assertEquals(1, one[0]);
                }
            }
            for (int i = 0; i < loops; i++) {
                assertEquals(connections / loops, served.get(i), "hand-off takes the loops in turn: " + served);
            }
            l.close();
            assertNull(server.join(T), "serve returned once the listener was closed");
            assertThrows(IllegalStateException.class, () -> l.serve(conn -> { }), "serve runs once per listener");
            assertThrows(SocketException.class, () -> l.accept(T), "accept on a closed listener fails");
        });
    }
}
