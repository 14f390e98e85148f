package io.weft.ipc;

import io.weft.Blocking;
import io.weft.Deadline;
import io.weft.Task;
import io.weft.Weft;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** RPC and rings between this JVM and a second one ({@link RpcPeer}). */
@Timeout(300)
class RpcCrossProcessTest {

    private static PeerProcess server;
    private static Path socket;

    @BeforeAll
    static void startServer() throws Exception {
        socket = Files.createTempDirectory("weft-rpc").resolve("echo.sock");
        server = PeerProcess.start("server", socket.toString());
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void echoesPayloadsFromOneByteToOneMebibyte() throws Exception {
        Weft.run(() -> {
            try (RpcClient rpc = RpcClient.connect(socket)) {
                assertEquals(server.pid(), rpc.serverPid());
                Random random = new Random(42);
                int maxRecordPayload = (1 << 20) / 8 - 8 - RpcFrameLayout.HEADER_LENGTH;
                for (int size : new int[] {0, 1, 2, 7, 8, 100, 4096, 65536, maxRecordPayload, maxRecordPayload + 1, 500_000, 1 << 20}) {
                    byte[] request = new byte[size];
                    random.nextBytes(request);
                    byte[] response = rpc.call(RpcPeer.ECHO, request, Deadline.after(Duration.ofSeconds(30)));
                    assertArrayEquals(request, response, "echo of " + size + " bytes");
                }
                MemorySegment seg = MemorySegment.ofArray(new long[] {1, 2, 3});
                MemorySegment back = rpc.call(RpcPeer.ECHO, seg, Deadline.after(Duration.ofSeconds(30)));
                assertEquals(-1, seg.mismatch(back));
            }
        });
    }

    @Test
    void aHundredThousandCallsFromManyTasksLoseNothing() throws Exception {
        int tasks = 32;
        int perTask = 100_000 / tasks;
        AtomicLong ok = new AtomicLong();
        Weft.run(() -> {
            try (RpcClient rpc = RpcClient.connect(socket)) {
                List<Task<?>> all = new ArrayList<>();
                for (int t = 0; t < tasks; t++) {
                    long id = t;
                    all.add(Weft.spawn(() -> {
                        for (int k = 0; k < perTask; k++) {
                            long v = id << 32 | k;
                            MemorySegment r = rpc.call(RpcPeer.ECHO, MemorySegment.ofArray(new long[] {v}), Deadline.after(Duration.ofSeconds(60)));
                            assertEquals(v, r.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
                            ok.incrementAndGet();
                        }
                    }));
                }
                for (Task<?> t : all) {
                    t.join();
                }
                assertEquals(0, rpc.pendingCalls());
            }
        });
        assertEquals((long) tasks * perTask, ok.get());
    }

    @Test
    void aHandlersExceptionReachesTheCallerWithItsMessage() throws Exception {
        Weft.run(() -> {
            try (RpcClient rpc = RpcClient.connect(socket)) {
                RpcRemoteException e = assertThrows(RpcRemoteException.class,
                        () -> rpc.call(RpcPeer.FAIL, new byte[5], Deadline.after(Duration.ofSeconds(30))));
                assertEquals("java.lang.IllegalStateException", e.remoteClass());
                assertEquals("boom after 5 bytes", e.remoteMessage());
                assertEquals(RpcPeer.FAIL, e.method());
                assertTrue(e.getMessage().contains("boom after 5 bytes"), e.getMessage());
                // the connection is still good
                assertArrayEquals(new byte[] {9}, rpc.call(RpcPeer.ECHO, new byte[] {9}, Deadline.after(Duration.ofSeconds(30))));
            }
        });
    }

    @Test
    void aCallPastItsDeadlineTimesOutAndIsCancelledOnTheServer() throws Exception {
        Weft.run(() -> {
            try (RpcClient rpc = RpcClient.connect(socket)) {
                assertThrows(SocketTimeoutException.class, () -> rpc.call(RpcPeer.SLEEP, new byte[1], Deadline.after(Duration.ofMillis(300))));
                awaitIntCall(rpc, RpcPeer.SLEEPERS, 0, "the server's handler was not cancelled");
                Deadline until = Deadline.after(Duration.ofSeconds(30));
                // Cancelling the calling task cancels the handler on the server as well.
                int cancelledBefore = intCall(rpc, RpcPeer.CANCELLED, until);
                Task<?> caller = Weft.spawn(() -> rpc.call(RpcPeer.SLEEP, new byte[1], Deadline.after(Duration.ofSeconds(60))));
                awaitIntCall(rpc, RpcPeer.SLEEPERS, 1, "the call never reached the server's handler");
                caller.cancel();
                assertThrows(CancellationException.class, caller::join);
                assertEquals(0, rpc.pendingCalls());
                awaitIntCall(rpc, RpcPeer.CANCELLED, cancelledBefore + 1, "the server's handler did not see the caller's cancel");
                assertEquals(0, intCall(rpc, RpcPeer.SLEEPERS, until));
            }
        });
    }

    /** Calls a method of {@link RpcPeer} that answers one int. */
    private static int intCall(RpcClient rpc, int method, Deadline deadline) throws Exception {
        return rpc.call(method, MemorySegment.NULL, deadline).get(ValueLayout.JAVA_INT_UNALIGNED, 0);
    }

    /** Polls an int method of {@link RpcPeer} until it answers {@code want}, for at most 30 s. */
    private static void awaitIntCall(RpcClient rpc, int method, int want, String otherwise) throws Exception {
        Deadline until = Deadline.after(Duration.ofSeconds(30));
        int got;
        while ((got = intCall(rpc, method, Deadline.after(Duration.ofSeconds(30)))) != want && !until.hasPassed()) {
            Weft.sleep(Duration.ofMillis(5));
        }
        assertEquals(want, got, otherwise);
    }

    @Test
    void aServerKilledMidCallFailsEveryPendingCallWithAClearError() throws Exception {
        Path sock = Files.createTempDirectory("weft-rpc").resolve("doomed.sock");
        try (PeerProcess doomed = PeerProcess.start("server", sock.toString())) {
            Weft.run(() -> {
                try (RpcClient rpc = RpcClient.connect(sock)) {
                    List<Task<?>> calls = new ArrayList<>();
                    for (int k = 0; k < 4; k++) {
                        calls.add(Weft.spawn(() -> rpc.call(RpcPeer.SLEEP, new byte[] {1}, Deadline.after(Duration.ofSeconds(60)))));
                    }
                    for (int k = 0; k < 4; k++) {
                        doomed.expect("SLEEPING");
                    }
                    long killed = System.nanoTime();
                    doomed.process.destroyForcibly(); // SIGKILL
                    for (Task<?> c : calls) {
                        Throwable e = assertThrows(RuntimeException.class, c::join).getCause();
                        assertInstanceOf(RpcPeerGoneException.class, e);
                        assertTrue(e.getMessage().contains("peer process " + doomed.pid()), e.getMessage());
                    }
                    // reported, not asserted: timings belong to benchmarks
                    System.out.printf("pending calls failed %.1f ms after SIGKILL%n", (System.nanoTime() - killed) / 1e6);
                    RpcPeerGoneException later = assertThrows(RpcPeerGoneException.class,
                            () -> rpc.call(RpcPeer.ECHO, new byte[1], Deadline.after(Duration.ofSeconds(5))));
                    assertTrue(later.getMessage().contains(String.valueOf(doomed.pid())), later.getMessage());
                }
            });
        }
    }

    @Test
    void aRingCorruptedByTheOtherProcessGivesAClearError() throws Exception {
        Path p = ShmPaths.fresh("xcorrupt");
        try (OneToOneRing ring = OneToOneRing.create(p, 4096); PeerProcess writer = PeerProcess.start("corrupt", p.toString())) {
            List<Long> got = new ArrayList<>();
            RingCorruptedException e = assertThrows(RingCorruptedException.class, () -> {
                while (true) {
                    ring.read((type, buf, index, length) -> got.add(buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index)));
                }
            });
            assertEquals(List.of(0L, 1L, 2L), got, "records before the bad one are delivered");
            assertTrue(e.getMessage().contains("record length 1073741824"), e.getMessage());
            RingCorruptedException header = assertThrows(RingCorruptedException.class, () -> OneToOneRing.open(p));
            assertTrue(header.getMessage().contains("version 77"), header.getMessage());
        } finally {
            ShmPaths.deleteQuietly(p);
        }
    }

    @Test
    void aClientRunningAsAnotherUserIsRefused() throws Exception {
        assumeTrue(RpcHandshake.ownUid() == 0, "needs root, to start the peer as another user");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv(1), to start the peer as another user");
        // The other user cannot read the Maven repository: give it only the class directories it needs.
        String classPath = String.join(File.pathSeparator, Path.of("target/classes").toAbsolutePath().toString(),
                Path.of("target/test-classes").toAbsolutePath().toString(), Path.of("../weft-core/target/classes").toAbsolutePath().normalize().toString());
        List<String> asNobody = List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        String cannot = PeerProcess.failedProbe(asNobody, classPath);
        assumeTrue(cannot == null, () -> "uid 65534 cannot start a JVM on this checkout's classes (they, their parent directories "
                + "and the JDK must be readable by others): " + cannot);
        Path dir = Files.createTempDirectory("weft-rpc-uid");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path sock = dir.resolve("uid.sock");
        Weft.run(() -> {
            try (RpcServer rpcServer = RpcServer.bind(sock, (method, request) -> request)) {
                Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rwxrwxrwx"));
                try (PeerProcess stranger = PeerProcess.start(asNobody, classPath, "connect", sock.toString())) {
                    String line = Blocking.call(() -> stranger.expectStart("REFUSED"));
                    assertTrue(line.contains("runs as uid"), line);
                    assertEquals(0, rpcServer.sessions());
                }
            }
        });
    }
}
