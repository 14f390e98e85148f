package io.weft.ipc;

import io.weft.Deadline;
import io.weft.Weft;
import io.weft.net.UnixMessage;
import io.weft.net.UnixStream;
import io.weft.sync.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * An RPC server against clients that misbehave: ones that stall in the handshake, and a
 * client process killed in the middle of a call. The server drops each such client and
 * goes on serving the others.
 */
@Timeout(180)
class RpcBadClientTest {

    private static final int ECHO = 1;
    private static final int SLEEP = 2;

    /** The server's options with another handshake timeout; the one place that builds RpcOptions by its components. */
    private static RpcOptions withHandshakeTimeout(Duration timeout) {
        RpcOptions d = RpcOptions.defaults();
        return new RpcOptions(d.ringCapacity(), d.directory(), timeout, d.maxMessageLength());
    }

    @Test
    void clientsThatStallInTheHandshakeAreDroppedAfterTheTimeoutWhileOthersAreServed() throws Exception {
        Duration timeout = Duration.ofSeconds(1);
        RpcOptions options = withHandshakeTimeout(timeout);
        Path sock = Files.createTempDirectory("weft-rpc").resolve("stall.sock");
        Weft.run(() -> {
            try (RpcServer server = RpcServer.bind(sock, (method, request) -> request, options)) {
                long connected = System.nanoTime();
                // One sends nothing, one half its hello, one the whole hello but never the ack.
                try (UnixStream silent = UnixStream.connect(sock);
                     UnixStream half = UnixStream.connect(sock);
                     UnixStream noAck = UnixStream.connect(sock)) {
                    half.writeAll(ByteBuffer.allocate(6).putInt(RpcHandshake.MAGIC).putShort((short) 0).flip());
                    noAck.writeAll(ByteBuffer.allocate(12).putInt(RpcHandshake.MAGIC).putInt(RpcHandshake.PROTOCOL_VERSION)
                            .putInt(RingLayout.VERSION).flip());
                    ByteBuffer reply = ByteBuffer.allocate(8192);
                    try (UnixMessage m = noAck.receive(reply, 16, Deadline.after(Duration.ofSeconds(30)))) {
                        assertTrue(m.length() >= 12, "the server's reply to a whole hello");
                        assertFalse(m.fds().isEmpty(), "the reply carries the rings' descriptors");
                    } // closing the message closes the descriptors: this client never maps anything
                    assertEquals(RpcHandshake.OK, reply.getInt(8), "the server accepted the hello and waits for the ack");

                    // Meanwhile a well-behaved client is served.
                    try (RpcClient good = RpcClient.connect(sock, options)) {
                        assertArrayEquals(new byte[] {1, 2, 3}, good.call(ECHO, new byte[] {1, 2, 3}, Deadline.after(Duration.ofSeconds(30))));
                        assertEquals(1, server.sessions());

                        for (UnixStream staller : new UnixStream[] {silent, half, noAck}) {
                            readToTheEnd(staller);
                            long waited = System.nanoTime() - connected;
                            assertTrue(waited >= timeout.toNanos(),
                                    "dropped after " + waited / 1_000_000 + " ms, before the handshake timeout of " + timeout.toMillis() + " ms");
                        }
                        assertEquals(1, server.sessions(), "the stalled clients never became sessions");
                        assertArrayEquals(new byte[] {4}, good.call(ECHO, new byte[] {4}, Deadline.after(Duration.ofSeconds(30))));
                    }
                }
                try (RpcClient later = RpcClient.connect(sock, options)) {
                    assertArrayEquals(new byte[] {5}, later.call(ECHO, new byte[] {5}, Deadline.after(Duration.ofSeconds(30))));
                }
            }
        });
    }

    /** Reads (and drops) until the server closes the connection; at most 30 s. */
    private static void readToTheEnd(UnixStream s) throws Exception {
        Deadline until = Deadline.after(Duration.ofSeconds(30));
        ByteBuffer sink = ByteBuffer.allocate(8192);
        while (s.read(sink.clear(), until) >= 0) {
            // the reply to a hello, if any; then the end
        }
    }

    @Test
    void aClientKilledMidCallHasItsHandlerCancelledAndItsResultDroppedWhileOthersAreServed() throws Exception {
        Path sock = Files.createTempDirectory("weft-rpc").resolve("killed.sock");
        AtomicInteger cancelled = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        Event handling = new Event();
        RpcHandler handler = (method, request) -> {
            if (method != SLEEP) {
                return request;
            }
            handling.set();
            try {
                Weft.sleep(Duration.ofSeconds(60));
            } catch (CancellationException e) {
                cancelled.incrementAndGet(); // and answer anyway: the answer has nowhere to go
            }
            finished.incrementAndGet();
            return MemorySegment.ofArray(new byte[100_000]);
        };
        Weft.run(() -> {
            try (RpcServer server = RpcServer.bind(sock, handler); RpcClient other = RpcClient.connect(sock)) {
                try (PeerProcess victim = PeerProcess.start("call", sock.toString(), String.valueOf(SLEEP))) {
                    victim.expect("CALLING");
                    handling.await(Duration.ofSeconds(30));
                    assertEquals(2, server.sessions());
                    victim.process.destroyForcibly(); // SIGKILL
                    assertTrue(victim.process.waitFor(30, TimeUnit.SECONDS), "the killed peer did not exit");
                    awaitValue(cancelled::get, 1, "the dead client's handler was not cancelled");
                    awaitValue(finished::get, 1, "the dead client's handler did not end");
                    awaitValue(server::sessions, 1, "the dead client's session was not ended");
                }
                assertArrayEquals(new byte[] {7}, other.call(ECHO, new byte[] {7}, Deadline.after(Duration.ofSeconds(30))));
                try (RpcClient later = RpcClient.connect(sock)) {
                    assertArrayEquals(new byte[] {8}, later.call(ECHO, new byte[] {8}, Deadline.after(Duration.ofSeconds(30))));
                    assertEquals(2, server.sessions());
                }
                assertEquals(1, cancelled.get(), "only the dead client's call was cancelled");
            }
        });
    }

    /** Polls until {@code value} gives {@code want}, for at most 30 s. */
    private static void awaitValue(IntSupplier value, int want, String otherwise) {
        Deadline until = Deadline.after(Duration.ofSeconds(30));
        while (value.getAsInt() != want && !until.hasPassed()) {
            Weft.sleep(Duration.ofMillis(5));
        }
        assertEquals(want, value.getAsInt(), otherwise);
    }
}
