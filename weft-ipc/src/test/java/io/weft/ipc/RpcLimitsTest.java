package io.weft.ipc;

import io.weft.Deadline;
import io.weft.Runtime;
import io.weft.Weft;
import io.weft.sync.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static io.weft.ipc.RpcFrameLayout.*;
import static org.junit.jupiter.api.Assertions.*;

/** The server's limits per connection: memory of partial messages, and calls in progress. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RpcLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int BLOCKING = 2;

    private static Path socket() throws Exception {
        return Files.createTempDirectory("weft-rpc-limits").resolve("s.sock");
    }

    /** Writes a frame, waiting (bounded) for room in the ring while {@code server} has {@code sessions}; false if it stopped having them. */
    private static boolean frame(HostileRpcClient c, RpcServer server, int sessions, int flags, long corr, int total, byte[] data) throws Exception {
        Deadline d = Deadline.after(WAIT);
        while (!c.frame(REQUEST, corr, 1, flags, total, data)) {
            if (server.sessions() != sessions) {
                return false;
            }
            assertFalse(d.hasPassed(), "no room in the request ring for " + WAIT);
            Weft.sleep(Duration.ofMillis(1));
        }
        return true;
    }

    /** Reads the attacker's response ring until a RESPONSE for {@code corr} comes; returns its data. */
    private static byte[] awaitResponse(HostileRpcClient c, long corr) throws Exception {
        Deadline d = Deadline.after(WAIT);
        byte[][] found = {null};
        while (found[0] == null) {
            assertFalse(d.hasPassed(), "no response to " + corr + " within " + WAIT);
            c.responses.read((type, buf, index, length) -> {
                if (type == RESPONSE && buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index + CORRELATION_OFFSET) == corr) {
                    found[0] = buf.asSlice(index + HEADER_LENGTH, length - HEADER_LENGTH).toArray(ValueLayout.JAVA_BYTE);
                }
            });
            Weft.sleep(Duration.ofMillis(1));
        }
        return found[0];
    }

    @Test
    void framesThatAnnounceHugeMessagesCostOnlyTheBytesThatArrive() throws Exception {
        Path sock = socket();
        RpcOptions options = RpcOptions.defaults(); // 64 MiB messages, 64 MiB of partial messages per connection
        Weft.run(Runtime.builder().loops(1), () -> {
            try (RpcServer server = RpcServer.bind(sock, (m, r) -> r, options);
                 HostileRpcClient bad = HostileRpcClient.connect(sock)) {
                for (int corr = 1; corr <= 100; corr++) {
                    assertTrue(frame(bad, server, 1, FIRST, corr, options.maxMessageLength(), new byte[16])); // 100 x 64 MiB announced
                }
                byte[] hello = "answered".getBytes(StandardCharsets.UTF_8);
                assertTrue(bad.request(1000, 1, hello));
                assertArrayEquals(hello, awaitResponse(bad, 1000), "a valid request on the same session is answered");
                long held = server.partialBytesHeld();
                assertTrue(held > 0 && held <= 100 * (RpcChannel.ASSEMBLY_OVERHEAD + 64), "partial messages hold " + held + " bytes");
                assertEquals(1, server.sessions());
            }
        });
    }

    @Test
    void partialMessagesPastTheCapEndOnlyThatSession() throws Exception {
        Path sock = socket();
        long cap = 256 * 1024;
        RpcOptions options = RpcOptions.defaults().withRingCapacity(64 * 1024).withMaxPartialBytes(cap);
        try (LogCapture log = new LogCapture(RpcServer.class)) {
            Weft.run(Runtime.builder().loops(1), () -> {
                try (RpcServer server = RpcServer.bind(sock, (m, r) -> r, options);
                     RpcClient good = RpcClient.connect(sock, options);
                     HostileRpcClient bad = HostileRpcClient.connect(sock)) {
                    byte[] big = new byte[200_000]; // fragmented, and under the cap
                    new Random(3).nextBytes(big);
                    assertArrayEquals(big, good.call(1, big, Deadline.after(WAIT)));
                    Waits.until(() -> server.sessions() == 2, WAIT, "both sessions are up");
                    byte[] chunk = new byte[8000];
                    assertTrue(frame(bad, server, 2, FIRST, 5, 1 << 20, chunk));
                    for (int k = 0; k < 60 && frame(bad, server, 2, 0, 5, 1 << 20, chunk); k++) {
                        assertTrue(server.partialBytesHeld() <= cap, server.partialBytesHeld() + " bytes held");
                    }
                    Waits.until(() -> server.sessions() == 1, WAIT, "the session past the cap ends");
                    Waits.until(() -> log.find("session ended") != null, WAIT, "the end is logged");
                    String why = log.find("session ended");
                    assertTrue(why.contains("over this side's limit of " + cap + " (RpcOptions.maxPartialBytes)"), why);
                    assertArrayEquals(big, good.call(1, big, Deadline.after(WAIT)), "the other session keeps working");
                }
            });
        }
    }

    @Test
    void aClientThatNeverReadsItsResponsesGetsAtMostMaxCallsInProgressHandlers() throws Exception {
        Path sock = socket();
        int limit = 4;
        int calls = 200;
        RpcOptions options = RpcOptions.defaults().withRingCapacity(64 * 1024).withMaxCallsInProgress(limit);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        Event release = new Event();
        RpcHandler handler = (method, request) -> {
            if (method == BLOCKING) {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                try {
                    release.await(Duration.ofSeconds(60));
                } finally {
                    running.decrementAndGet();
                    done.incrementAndGet();
                }
            }
            return request;
        };
        Weft.run(Runtime.builder().loops(1), () -> {
            try (Waits.Ticker ticker = new Waits.Ticker();
                 RpcServer server = RpcServer.bind(sock, handler, options);
                 RpcClient good = RpcClient.connect(sock, options);
                 HostileRpcClient bad = HostileRpcClient.connect(sock)) {
                for (int corr = 1; corr <= calls; corr++) {
                    Deadline d = Deadline.after(WAIT);
                    while (!bad.frame(REQUEST, corr, BLOCKING, FIRST | LAST, 8, new byte[8])) {
                        assertFalse(d.hasPassed(), "no room for request " + corr);
                        Weft.sleep(Duration.ofMillis(1));
                    }
                }
                Waits.until(() -> running.get() == limit, WAIT, limit + " handlers run");
                ticker.assertTicks(50); // the server had all that time to start more
                assertTrue(bad.requests.size() > 0, "the server left requests unread in the ring, waiting for a free slot");
                assertEquals(limit, most.get(), "handlers that ran at once");
                assertArrayEquals(new byte[] {9}, good.call(1, new byte[] {9}, Deadline.after(WAIT)), "another session is not held up");
                release.set();
                Waits.until(() -> done.get() == calls, Duration.ofSeconds(60), "every call is served in the end");
                assertEquals(limit, most.get(), "handlers that ran at once, at most");
                assertEquals(2, server.sessions());
            }
        });
    }

    @Test
    void theLimitsAreChecked() {
        RpcOptions d = RpcOptions.defaults();
        assertEquals(64L << 20, d.maxPartialBytes());
        assertEquals(RpcOptions.DEFAULT_MAX_CALLS_IN_PROGRESS, d.maxCallsInProgress());
        assertThrows(IllegalArgumentException.class, () -> d.withMaxPartialBytes(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxCallsInProgress(0));
    }
}
