package io.weft.net;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.Weft;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Receives of messages carrying descriptors, cut short at random points by deadlines and
 * task cancellation: every message still arrives exactly once and in order, and every
 * descriptor that arrived is either handed out or closed (counted through /proc).
 */
@Timeout(120)
class FdPassingCancelALotTest {

    static final int MESSAGES = 300;

    static Stream<String> fdBackends() {
        return UnixSocketConformanceTest.fdBackends();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void cancelledReceivesLoseNoMessageAndLeakNoDescriptor(String backend) throws Exception {
        String tag = "weft-cancel-" + backend;
        TcpConformanceTest.on(backend, () -> {
            Random random = new Random(42);
            List<Integer> got = new ArrayList<>();
            int timeouts = 0;
            int cancels = 0;
            try (UnixStream.Pair p = UnixStream.pair()) {
                Task<Void> sender = Weft.spawn(() -> {
                    for (int i = 0; i < MESSAGES; i++) {
                        try (OwnedFd fd = OwnedFd.memfd(tag, 8)) {
                            p.first().send(ByteBuffer.wrap(new byte[] {(byte) i}), fd);
                        }
                        if (i % 7 == 0) {
                            Weft.sleep(Duration.ofNanos(random.nextInt(200_000)));
                        }
                    }
                });
                long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (got.size() < MESSAGES && System.nanoTime() < end) {
                    ByteBuffer one = ByteBuffer.allocate(1);
                    int mode = random.nextInt(3);
                    try {
                        UnixMessage m;
                        if (mode == 0) {
                            m = p.second().receive(one, 1, Deadline.after(Duration.ofNanos(random.nextInt(300_000))));
                        } else if (mode == 1) {
                            Task<UnixMessage> t = Weft.spawn(() -> p.second().receive(one, 1, Deadline.after(Duration.ofSeconds(10))));
                            Weft.sleep(Duration.ofNanos(random.nextInt(300_000)));
                            t.cancel();
                            try {
                                m = t.join();
                            } catch (CancellationException e) {
                                cancels++;
                                continue;
                            }
                        } else {
                            m = p.second().receive(one, 1, Deadline.after(Duration.ofSeconds(10)));
                        }
                        try (m) {
                            assertEquals(1, m.length());
                            assertEquals(1, m.fds().size(), "each message brings its descriptor");
                            got.add(one.get(0) & 0xff);
                        }
                    } catch (SocketTimeoutException e) {
                        timeouts++;
                    }
                }
                sender.join();
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                expected.add(i & 0xff);
            }
            assertEquals(expected, got, "every message once, in order");
            assertEquals(Set.of(), UnixSocketConformanceTest.fdsPointingAt("/memfd:" + tag + " (deleted)"), "no descriptor leaked");
            assertTrue(timeouts + cancels > 0, "some receives were cut short (timeouts " + timeouts + ", cancels " + cancels + ")");
        });
    }
}
