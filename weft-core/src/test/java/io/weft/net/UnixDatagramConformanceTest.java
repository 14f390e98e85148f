package io.weft.net;

import io.weft.Deadline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unix-domain datagram sockets on io_uring and epoll, and nio's refusal. */
@Timeout(60)
class UnixDatagramConformanceTest {

    static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    static Stream<String> fdBackends() {
        return UnixSocketConformanceTest.fdBackends();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void datagramsNameTheirSenderCarryDescriptorsAndTheFileGoesOnClose(String backend) throws Exception {
        Path path = dir.resolve("dgram.sock");
        String clientName = "weft-dgram-client-" + backend + "-" + System.nanoTime();
        TcpConformanceTest.on(backend, () -> {
            UnixDatagram server = UnixDatagram.bind(UnixAddress.of(path));
            assertTrue(Files.exists(path));
            try (UnixDatagram client = UnixDatagram.bind(UnixAddress.ofAbstract(clientName));
                 OwnedFd memfd = OwnedFd.memfd("weft-dgram-fd", 16)) {
                memfd.write(ByteBuffer.wrap("in the file".getBytes()));
                assertEquals(5, client.send(ByteBuffer.wrap("hello".getBytes()), server.localAddress(), memfd));
                ByteBuffer buf = ByteBuffer.allocate(32);
                try (UnixMessage m = server.receive(buf, 2, Deadline.after(T))) {
                    assertEquals(5, m.length());
                    assertEquals("hello", new String(buf.array(), 0, 5));
                    assertEquals(UnixAddress.ofAbstract(clientName), m.sender());
                    assertEquals(1, m.fds().size());
                    ByteBuffer text = ByteBuffer.allocate(11);
                    try (var ch = m.fds().get(0).openChannel(java.nio.file.StandardOpenOption.READ)) {
                        ch.read(text, 0);
                    }
                    assertEquals("in the file", new String(text.array()));
                    // Reply to the sender's abstract name.
                    server.send(ByteBuffer.wrap("back".getBytes()), m.sender());
                }
                ByteBuffer reply = ByteBuffer.allocate(8);
                try (UnixMessage r = client.receive(reply, 0, Deadline.after(T))) {
                    assertEquals(4, r.length());
                    assertEquals(UnixAddress.of(path), r.sender());
                }
            }
            server.close();
            assertFalse(Files.exists(path), "close removed the socket file");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void aLongerDatagramIsReportedTruncatedAndBoundariesHold(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (UnixDatagram.Pair p = UnixDatagram.pair()) {
                byte[] big = TcpConformanceTest.pattern(300, 3);
                p.first().send(ByteBuffer.wrap(big));
                p.first().send(ByteBuffer.wrap(new byte[] {1, 2}));
                ByteBuffer small = ByteBuffer.allocate(100);
                try (UnixMessage m = p.second().receive(small, 0, Deadline.after(T))) {
                    assertTrue(m.truncated(), m.toString());
                    assertEquals(100, m.length());
                    assertEquals(300, m.datagramLength());
                    assertTrue(m.toString().contains("100 bytes of 300"), m.toString());
                }
                assertArrayEquals(Arrays.copyOf(big, 100), small.array());
                try (UnixMessage m = p.second().receive(ByteBuffer.allocate(100), 0, Deadline.after(T))) {
                    assertEquals(2, m.length());
                    assertFalse(m.truncated());
                }
                assertThrows(java.net.SocketTimeoutException.class,
                        () -> p.second().receive(ByteBuffer.allocate(4), 0, Deadline.after(Duration.ofMillis(50))));
                int pid = (int) ProcessHandle.current().pid();
                assertEquals(pid, p.first().peerCredentials().pid());
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void extraDescriptorsOnADatagramAreClosedAndCounted(String backend) throws Exception {
        String name = "weft-dgram-extra-" + backend;
        TcpConformanceTest.on(backend, () -> {
            try (UnixDatagram.Pair p = UnixDatagram.pair()) {
                try (OwnedFd a = OwnedFd.memfd(name + "-a", 8); OwnedFd b = OwnedFd.memfd(name + "-b", 8)) {
                    p.first().send(ByteBuffer.wrap(new byte[] {1}), a, b);
                }
                try (UnixMessage m = p.second().receive(ByteBuffer.allocate(4), 1, Deadline.after(T))) {
                    assertEquals(1, m.fds().size());
                    assertEquals(1, m.discardedFds());
                    assertEquals(Set.of(), UnixSocketConformanceTest.fdsPointingAt("/memfd:" + name + "-b (deleted)"));
                }
                assertEquals(Set.of(), UnixSocketConformanceTest.fdsPointingAt("/memfd:" + name + "-a (deleted)"));
            }
        });
    }

    @Test
    void nioRefusesUnixDatagrams() throws Exception {
        TcpConformanceTest.on("nio", () -> {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, UnixDatagram::unbound);
            assertTrue(e.getMessage().contains("nio") && e.getMessage().contains("epoll"), e.getMessage());
        });
    }
}
