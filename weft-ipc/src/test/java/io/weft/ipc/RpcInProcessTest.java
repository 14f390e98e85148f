package io.weft.ipc;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.Weft;
import io.weft.net.UnixStream;
import io.weft.sync.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** RPC with both ends in this process: backends, the handshake's refusals, and the ends of sessions. */
@Timeout(120)
class RpcInProcessTest {

    private static final RpcHandler ECHO = (method, request) -> request;

    private static long filesIn(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll"})
    void callsWorkOnEachBackendAndTheRingFilesAreGoneOnceMapped(String backend) throws Exception {
        Path dir = Files.createTempDirectory("weft-rpc-rings");
        Path sock = Files.createTempDirectory("weft-rpc").resolve("s.sock");
        RpcOptions options = RpcOptions.defaults().withDirectory(dir).withRingCapacity(64 * 1024);
        Weft.run(TestBackends.require(backend, 2), () -> {
            try (RpcServer server = RpcServer.bind(sock, ECHO, options); RpcClient rpc = RpcClient.connect(sock, options)) {
                Deadline unlinked = Deadline.after(Duration.ofSeconds(10));
                while (filesIn(dir) != 0 && !unlinked.hasPassed()) {
                    Weft.sleep(Duration.ofMillis(2)); // the server unlinks when it reads the client's ack
                }
                assertEquals(0, filesIn(dir), "ring files are unlinked once both sides mapped them");
                byte[] big = new byte[300_000]; // 64 KiB rings: 8 KiB records, so ~37 fragments
                new Random(1).nextBytes(big);
                assertArrayEquals(big, rpc.call(1, big, Deadline.after(Duration.ofSeconds(30))));
                List<Task<?>> tasks = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int id = t;
                    tasks.add(Weft.spawn(() -> {
                        for (int k = 0; k < 250; k++) {
                            byte[] req = (id + ":" + k).getBytes(StandardCharsets.US_ASCII);
                            assertArrayEquals(req, rpc.call(1, req, Deadline.after(Duration.ofSeconds(30))));
                        }
                    }));
                }
                for (Task<?> t : tasks) {
                    t.join();
                }
                assertEquals(1, server.sessions());
                rpc.close();
                Deadline until = Deadline.after(Duration.ofSeconds(10));
                while (server.sessions() != 0 && !until.hasPassed()) {
                    Weft.sleep(Duration.ofMillis(5));
                }
                assertEquals(0, server.sessions(), "the server noticed the client's close");
                assertThrows(RpcException.class, () -> rpc.call(1, new byte[1], Deadline.after(Duration.ofSeconds(1))));
            }
        });
        assertEquals(0, filesIn(dir));
    }

    @Test
    void aServerThatClosesFailsItsClientsCalls() throws Exception {
        Path sock = Files.createTempDirectory("weft-rpc").resolve("s.sock");
        Event handling = new Event();
        Weft.run(() -> {
            RpcServer server = RpcServer.bind(sock, (method, request) -> {
                handling.set();
                Weft.sleep(Duration.ofSeconds(60));
                return request;
            });
            try (RpcClient rpc = RpcClient.connect(sock)) {
                Task<byte[]> call = Weft.spawn(() -> rpc.call(1, new byte[1], Deadline.after(Duration.ofSeconds(60))));
                handling.await(Duration.ofSeconds(30)); // the call is in flight: its handler runs
                server.close();
                Throwable e = assertThrows(RuntimeException.class, call::join).getCause();
                assertInstanceOf(RpcPeerGoneException.class, e);
                assertTrue(e.getMessage().contains("closed the connection"), e.getMessage());
            }
        });
    }

    @Test
    void aClientOfAnotherProtocolVersionIsRefusedWithTheReason() throws Exception {
        Path sock = Files.createTempDirectory("weft-rpc").resolve("s.sock");
        Weft.run(() -> {
            try (RpcServer server = RpcServer.bind(sock, ECHO); UnixStream s = UnixStream.connect(sock)) {
                s.writeAll(ByteBuffer.allocate(12).putInt(RpcHandshake.MAGIC).putInt(99).putInt(RingLayout.VERSION).flip());
                ByteBuffer reply = ByteBuffer.allocate(4096);
                while (s.read(reply) >= 0) {
                    // until the server closes the connection
                }
                reply.flip();
                assertEquals(RpcHandshake.MAGIC, reply.getInt());
                reply.getInt();
                assertEquals(RpcHandshake.REFUSED, reply.getInt());
                byte[] why = new byte[reply.getInt()];
                reply.get(why);
                String reason = new String(why, StandardCharsets.UTF_8);
                assertTrue(reason.contains("speaks protocol 99"), reason);
                assertEquals(0, server.sessions());
            }
        });
    }

    @Test
    void messagesOverTheLimitAreRefusedBeforeSending() throws Exception {
        Path sock = Files.createTempDirectory("weft-rpc").resolve("s.sock");
        RpcOptions small = new RpcOptions(64 * 1024, Path.of("/dev/shm"), Duration.ofSeconds(10), 1000);
        Weft.run(() -> {
            RpcHandler doubling = (method, request) -> method == 2 ? MemorySegment.ofArray(new byte[(int) request.byteSize() * 2]) : request;
            try (RpcServer server = RpcServer.bind(sock, doubling, small); RpcClient rpc = RpcClient.connect(sock, small)) {
                assertThrows(IllegalArgumentException.class, () -> rpc.call(1, new byte[1001], Deadline.after(Duration.ofSeconds(5))));
                RpcRemoteException tooLong = assertThrows(RpcRemoteException.class, () -> rpc.call(2, new byte[600], Deadline.after(Duration.ofSeconds(5))));
                assertEquals("java.lang.IllegalArgumentException", tooLong.remoteClass());
                assertTrue(tooLong.remoteMessage().contains("1200 bytes exceeds the limit of 1000"), tooLong.remoteMessage());
                MemorySegment r = rpc.call(1, MemorySegment.ofArray(new byte[1000]), Deadline.after(Duration.ofSeconds(5)));
                assertEquals(1000, r.byteSize());
                assertEquals(0, r.get(ValueLayout.JAVA_BYTE, 999));
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll"})
    void callsWorkWithTheHybridWaitOnBothSides(String backend) throws Exception {
        Path sock = Files.createTempDirectory("weft-rpc").resolve("s.sock");
        RpcOptions hybrid = RpcOptions.defaults().withRingCapacity(64 * 1024).withWaitStrategy(WaitStrategy.of("hybrid:30us"));
        assertEquals("hybrid:30us", hybrid.waitStrategy().name());
        Weft.run(TestBackends.require(backend, 2), () -> {
            try (RpcServer server = RpcServer.bind(sock, ECHO, hybrid); RpcClient rpc = RpcClient.connect(sock, hybrid)) {
                // one at a time, with pauses that let each side's spin run out and sleep
                for (int k = 0; k < 200; k++) {
                    byte[] req = ("call " + k).getBytes(StandardCharsets.US_ASCII);
                    assertArrayEquals(req, rpc.call(1, req, Deadline.after(Duration.ofSeconds(30))));
                    if (k % 20 == 0) {
                        Weft.sleep(Duration.ofMillis(1));
                    }
                }
                byte[] big = new byte[300_000]; // fragments: the sender waits for room too
                new Random(2).nextBytes(big);
                assertArrayEquals(big, rpc.call(1, big, Deadline.after(Duration.ofSeconds(30))));
                List<Task<?>> tasks = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int id = t;
                    tasks.add(Weft.spawn(() -> {
                        for (int k = 0; k < 100; k++) {
                            byte[] req = (id + ":" + k).getBytes(StandardCharsets.US_ASCII);
                            assertArrayEquals(req, rpc.call(1, req, Deadline.after(Duration.ofSeconds(30))));
                        }
                    }));
                }
                for (Task<?> t : tasks) {
                    t.join();
                }
                assertEquals(1, server.sessions());
            }
        });
    }

    @Test
    void optionsRefuseAWaitStrategyThatCannotRunInATask() {
        for (WaitStrategy s : new WaitStrategy[] {WaitStrategy.busySpin(), WaitStrategy.yielding(), WaitStrategy.backoff()}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RpcOptions.defaults().withWaitStrategy(s));
            assertTrue(e.getMessage().contains(s.name()) && e.getMessage().contains("hybrid"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> RpcOptions.defaults().withWaitStrategy(null));
        assertEquals("notify", RpcOptions.defaults().waitStrategy().name());
        assertEquals("hybrid", RpcOptions.defaults().withWaitStrategy(WaitStrategy.hybrid()).waitStrategy().name());
    }
}
