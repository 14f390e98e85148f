package io.weft.net;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.Weft;
import io.weft.internal.linux.Libc;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static io.weft.TestSupport.awaitParked;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unix-domain stream sockets on every backend that has them (io_uring, epoll): paths and
 * abstract names, descriptor passing both ways, peer credentials, the bad-input cases; and
 * on nio, the clear refusal.
 */
@Timeout(60)
class UnixSocketConformanceTest {

    @TempDir
    Path dir;

    static Stream<String> fdBackends() {
        return Stream.of("io_uring", "epoll");
    }

    static final Duration T = Duration.ofSeconds(10);

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Accepts one connection in a task and runs {@code server} on it; returns the task. */
    static Task<Void> serveOne(UnixListener l, IoBody server) {
        return Weft.spawn(() -> {
            try (UnixStream s = l.accept(T)) {
                server.run(s);
            }
        });
    }

    interface IoBody {
        void run(UnixStream s) throws Exception;
    }

    static String readString(UnixStream s, int n) throws IOException {
        byte[] b = new byte[n];
        s.readFully(b, Deadline.after(T));
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The open descriptors of this process that point at {@code target} (a readlink text). */
    static Set<Integer> fdsPointingAt(String target) throws IOException {
        Set<Integer> out = new HashSet<>();
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) list::iterator) {
                try {
                    if (Files.readSymbolicLink(p).toString().equals(target)) {
                        out.add(Integer.parseInt(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // closed while listing
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void streamsOverAPathBothWaysAndTheFileIsRemovedOnClose(String backend) throws Exception {
        Path sock = dir.resolve("s.sock");
        TcpConformanceTest.on(backend, () -> {
            UnixListener l = UnixListener.bind(sock);
            assertTrue(Files.exists(sock), "bind made the socket file");
            assertEquals(UnixAddress.of(sock), l.localAddress());
            Task<Void> server = serveOne(l, s -> {
                assertEquals("ping", readString(s, 4));
                s.writeAll(utf8("pong"));
            });
            try (UnixStream c = UnixStream.connect(UnixAddress.of(sock), T)) {
                assertEquals(sock, c.remoteAddress().path().orElseThrow());
                c.writeAll(utf8("ping"));
                assertEquals("pong", readString(c, 4));
                assertEquals(-1, c.read(new byte[1]), "end of stream after the server closed");
            }
            server.join();
            l.close();
            assertFalse(Files.exists(sock), "close removed the socket file");
            l.close(); // idempotent
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void streamsOverAnAbstractNameWithNoFile(String backend) throws Exception {
        String name = "weft-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        TcpConformanceTest.on(backend, () -> {
            try (UnixListener l = UnixListener.bind(UnixAddress.ofAbstract(name))) {
                assertTrue(l.localAddress().isAbstract());
                assertEquals("@" + name, l.localAddress().toString());
                Task<Void> server = serveOne(l, s -> s.writeAll(utf8(readString(s, 5).toUpperCase())));
                try (UnixStream c = UnixStream.connect(UnixAddress.ofAbstract(name), T)) {
                    c.writeAll(utf8("hello"));
                    assertEquals("HELLO", readString(c, 5));
                }
                server.join();
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void bindingAnExistingPathFailsAndConnectingToNothingNamesThePath(String backend) throws Exception {
        Path taken = dir.resolve("taken.sock");
        Files.writeString(taken, "stale");
        TcpConformanceTest.on(backend, () -> {
            BindException e = assertThrows(BindException.class, () -> UnixListener.bind(taken));
            assertTrue(e.getMessage().contains("EADDRINUSE") && e.getMessage().contains("taken.sock"), e.getMessage());
            IOException missing = assertThrows(IOException.class, () -> UnixStream.connect(dir.resolve("none.sock")));
            assertTrue(missing.getMessage().contains("ENOENT") || missing.getMessage().contains("ECONNREFUSED"), missing.getMessage());
        });
        assertEquals("stale", Files.readString(taken), "a failed bind leaves the file alone");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void peerCredentialsNameThisProcessAndUser(String backend) throws Exception {
        Path probe = Files.writeString(dir.resolve("owner"), "x");
        int uid = (Integer) Files.getAttribute(probe, "unix:uid");
        int gid = (Integer) Files.getAttribute(probe, "unix:gid");
        int pid = (int) ProcessHandle.current().pid();
        TcpConformanceTest.on(backend, () -> {
            try (UnixListener l = UnixListener.bind(dir.resolve("cred.sock"))) {
                Task<PeerCredentials> server = Weft.spawn(() -> {
                    try (UnixStream s = l.accept(T)) {
                        return s.peerCredentials();
                    }
                });
                try (UnixStream c = UnixStream.connect(l.localAddress(), T)) {
                    assertEquals(new PeerCredentials(pid, uid, gid), c.peerCredentials(), "the listener's side");
                    assertEquals(new PeerCredentials(pid, uid, gid), server.join(), "the client's side");
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void passesAMemfdAFileAnEventfdAndASocketBothWays(String backend) throws Exception {
        Path file = Files.writeString(dir.resolve("data.txt"), "file contents");
        TcpConformanceTest.on(backend, () -> {
            try (UnixStream.Pair pair = UnixStream.pair();
                 UnixStream.Pair carried = UnixStream.pair()) {
                UnixStream a = pair.first();
                UnixStream b = pair.second();
                // a -> b: a memfd with data and a read-only file.
                try (OwnedFd memfd = OwnedFd.memfd("weft-test-shm", 4096);
                     OwnedFd ro = OwnedFd.open(file, StandardOpenOption.READ);
                     Arena arena = Arena.ofConfined()) {
                    memfd.map(arena, 0, 4096).setString(0, "shared pages");
                    assertEquals(3, a.send(ByteBuffer.wrap(utf8("two")), memfd, ro));
                }
                ByteBuffer got = ByteBuffer.allocate(16);
                try (UnixMessage m = b.receive(got, 4, Deadline.after(T))) {
                    assertEquals(3, m.length());
                    assertEquals("two", new String(got.array(), 0, 3, StandardCharsets.UTF_8));
                    assertEquals(2, m.fds().size());
                    assertEquals(0, m.discardedFds());
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment shm = m.fds().get(0).map(arena, 0, 4096);
                        assertEquals("shared pages", shm.getString(0));
                    }
                    assertTrue(m.fds().get(0).describe().startsWith("/memfd:weft-test-shm"), m.fds().get(0).describe());
                    try (FileChannel ch = m.fds().get(1).openChannel(StandardOpenOption.READ)) {
                        ByteBuffer text = ByteBuffer.allocate(64);
                        ch.read(text, 0);
                        assertEquals("file contents", new String(text.array(), 0, text.position(), StandardCharsets.UTF_8));
                    }
                }
                // b -> a: an eventfd and one end of another socket pair.
                try (OwnedFd efd = OwnedFd.eventfd(0);
                     OwnedFd sock = carried.first().duplicateFd()) {
                    b.sendAll(ByteBuffer.wrap(utf8("back")), efd, sock);
                    try (UnixMessage m = a.receive(ByteBuffer.allocate(4), 2, Deadline.after(T))) {
                        assertEquals(4, m.length());
                        assertEquals(2, m.fds().size());
                        assertTrue(m.fds().get(0).describe().contains("eventfd"), m.fds().get(0).describe());
                        assertEquals(8, m.fds().get(0).write(ByteBuffer.allocate(8).putLong(0, 5)));
                        try (UnixStream adopted = UnixStream.adopt(m.takeFd(1))) {
                            adopted.writeAll(utf8("via passed socket"));
                        }
                    }
                    ByteBuffer count = ByteBuffer.allocate(8);
                    assertEquals(8, efd.read(count));
                    assertEquals(5, count.getLong(0), "the eventfd the peer signalled is ours");
                    assertEquals("via passed socket", readString(carried.second(), 17));
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void receivedDescriptorsAreCloseOnExec(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (UnixStream.Pair p = UnixStream.pair(); OwnedFd efd = OwnedFd.eventfd(0)) {
                p.first().send(ByteBuffer.wrap(new byte[] {1}), efd);
                try (UnixMessage m = p.second().receive(ByteBuffer.allocate(1), 1, Deadline.after(T));
                     Arena arena = Arena.ofConfined()) {
                    int flags = Libc.fcntl(Libc.newCallState(arena), m.fds().get(0).fd(), Libc.F_GETFD, 0);
                    assertEquals(Libc.FD_CLOEXEC, flags & Libc.FD_CLOEXEC);
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void descriptorsBeyondWhatTheReceiverAskedForAreClosedAndCounted(String backend) throws Exception {
        String name = "weft-extra-" + backend;
        TcpConformanceTest.on(backend, () -> {
            try (UnixStream.Pair p = UnixStream.pair()) {
                List<OwnedFd> sent = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    sent.add(OwnedFd.memfd(name + "-" + i, 8));
                }
                p.first().send(ByteBuffer.wrap(new byte[] {7}), sent.toArray(OwnedFd[]::new));
                for (OwnedFd fd : sent) {
                    fd.close();
                }
                try (UnixMessage m = p.second().receive(ByteBuffer.allocate(1), 1, Deadline.after(T))) {
                    assertEquals(1, m.fds().size());
                    assertEquals(2, m.discardedFds());
                    assertTrue(m.toString().contains("2 discarded"), m.toString());
                    assertEquals(1, fdsPointingAt("/memfd:" + name + "-0 (deleted)").size(), "the kept one is open");
                    assertEquals(Set.of(), fdsPointingAt("/memfd:" + name + "-1 (deleted)"), "extras closed");
                    assertEquals(Set.of(), fdsPointingAt("/memfd:" + name + "-2 (deleted)"), "extras closed");
                }
                assertEquals(Set.of(), fdsPointingAt("/memfd:" + name + "-0 (deleted)"), "closing the message closed the rest");
                // A plain receive with no room for descriptors closes them all, and says so.
                try (OwnedFd fd = OwnedFd.memfd(name + "-3", 8)) {
                    p.first().send(ByteBuffer.wrap(new byte[] {8}), fd);
                }
                try (UnixMessage m = p.second().receive(ByteBuffer.allocate(1), 0, Deadline.after(T))) {
                    assertEquals(0, m.fds().size());
                    assertEquals(1, m.discardedFds());
                }
                assertEquals(Set.of(), fdsPointingAt("/memfd:" + name + "-3 (deleted)"));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void truncatedControlDataIsAnErrorAndLeaksNothing(String backend) throws Exception {
        String name = "weft-ctrunc-" + backend;
        TcpConformanceTest.on(backend, () -> {
            try (UnixStream.Pair p = UnixStream.pair()) {
                // SO_PASSCRED on the receiver adds a credentials message ahead of the
                // descriptors, so a full SCM_RIGHTS message (253) no longer fits: MSG_CTRUNC.
                try (OwnedFd rx = p.second().duplicateFd(); Arena arena = Arena.ofConfined()) {
                    MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_INT, 1);
                    assertEquals(0, Libc.setsockopt(Libc.newCallState(arena), rx.fd(), Libc.SOL_SOCKET, 16 /* SO_PASSCRED */, one, 4));
                }
                try (OwnedFd fd = OwnedFd.memfd(name, 8)) {
                    OwnedFd[] many = new OwnedFd[253];
                    java.util.Arrays.fill(many, fd);
                    p.first().send(ByteBuffer.wrap(new byte[] {1, 2}), many);
                }
                IOException e = assertThrows(IOException.class,
                        () -> p.second().receive(ByteBuffer.allocate(2), 253, Deadline.after(T)));
                assertTrue(e.getMessage().contains("MSG_CTRUNC"), e.getMessage());
                assertEquals(Set.of(), fdsPointingAt("/memfd:" + name + " (deleted)"), "no received descriptor leaked");
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void receiveTimesOutAndCloseWakesAParkedReceive(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (UnixStream.Pair p = UnixStream.pair()) {
                assertThrows(SocketTimeoutException.class,
                        () -> p.second().receive(ByteBuffer.allocate(4), 1, Deadline.after(Duration.ofMillis(50))));
                p.first().writeAll(utf8("ok"));
                assertEquals("ok", readString(p.second(), 2), "the stream is usable after a timeout");
                Thread waiter = Thread.currentThread();
                Task<Void> closer = Weft.spawn(() -> {
                    awaitParked(waiter);
                    p.second().close();
                });
                assertThrows(SocketException.class, () -> p.second().receive(ByteBuffer.allocate(4), 1, Deadline.after(T)));
                closer.join();
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void descriptorsNeedABytePeerIsNamedAndTooManyAreRefused(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (UnixStream.Pair p = UnixStream.pair(); OwnedFd fd = OwnedFd.eventfd(0)) {
                assertThrows(IllegalArgumentException.class, () -> p.first().send(ByteBuffer.allocate(0), fd));
                assertThrows(IllegalArgumentException.class, () -> p.second().receive(ByteBuffer.allocate(1), 254));
                assertTrue(p.first().remoteAddress().isUnnamed());
                assertNotEquals(-1, fd.fd());
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void closingAListenerLeavesAFileThatReplacedItsOwn(String backend) throws Exception {
        Path sock = dir.resolve("replaced.sock");
        TcpConformanceTest.on(backend, () -> {
            UnixListener first = UnixListener.bind(sock);
            Files.delete(sock); // an operator (or a restarted server) removed it ...
            try (UnixListener second = UnixListener.bind(sock)) { // ... and a new server bound the path
                first.close();
                assertTrue(Files.exists(sock), "the first listener's close left the second's file alone");
                try (UnixStream c = UnixStream.connect(sock)) {
                    assertTrue(c.remoteAddress().path().isPresent());
                    second.accept(T).close();
                }
            }
            assertFalse(Files.exists(sock), "the second listener removed its own file");
        });
    }

    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.Tag("mode-independent")
    void capabilitiesSayWhichBackendsPassDescriptors() throws Exception {
        for (String backend : List.of("io_uring", "epoll", "nio")) {
            java.util.Set<io.weft.internal.backend.Capability> caps;
            try {
                caps = io.weft.internal.backend.Backends.choose(backend).provider().capabilities();
            } catch (io.weft.internal.backend.BackendUnavailableException e) {
                continue; // not on this machine; the conformance tests skip it too
            }
            boolean fd = !backend.equals("nio");
            for (var c : List.of(io.weft.internal.backend.Capability.FD_PASSING, io.weft.internal.backend.Capability.UNIX_SOCKETS,
                    io.weft.internal.backend.Capability.DATAGRAMS, io.weft.internal.backend.Capability.VSOCK)) {
                assertEquals(fd, caps.contains(c), backend + " " + c);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void nioRefusesUnixSocketsNamingTheBackendsThatHaveThem() throws Exception {
        TcpConformanceTest.on("nio", () -> {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> UnixListener.bind(UnixAddress.ofAbstract("weft-nio-refused")));
            assertTrue(e.getMessage().contains("nio") && e.getMessage().contains("epoll")
                    && e.getMessage().contains("UNIX_SOCKETS"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, UnixStream::pair);
            assertThrows(UnsupportedOperationException.class, () -> UnixStream.connect(UnixAddress.ofAbstract("x")));
        });
    }
}
