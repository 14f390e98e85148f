package io.weft.internal.backend.fd;

import io.weft.TestSupport;
import io.weft.internal.linux.Libc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class FdSocketTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void streamOptionsRoundTrip() throws IOException {
        for (StandardProtocolFamily family : new StandardProtocolFamily[] {StandardProtocolFamily.INET, StandardProtocolFamily.INET6}) {
            if (family == StandardProtocolFamily.INET6) {
                TestSupport.assumeIpv6(); // the IPv4 round has passed by now
            }
            try (FdSocket s = FdSocket.openTcp(family, false)) {
                assertEquals(family == StandardProtocolFamily.INET6, s.isInet6());
                for (boolean on : new boolean[] {true, false}) {
                    s.setOption(StandardSocketOptions.TCP_NODELAY, on);
                    assertEquals(on, s.getOption(StandardSocketOptions.TCP_NODELAY));
                    s.setOption(StandardSocketOptions.SO_KEEPALIVE, on);
                    assertEquals(on, s.getOption(StandardSocketOptions.SO_KEEPALIVE));
                    s.setOption(StandardSocketOptions.SO_REUSEADDR, on);
                    assertEquals(on, s.getOption(StandardSocketOptions.SO_REUSEADDR));
                    s.setOption(StandardSocketOptions.SO_REUSEPORT, on);
                    assertEquals(on, s.getOption(StandardSocketOptions.SO_REUSEPORT));
                }
                s.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
                assertTrue(s.getOption(StandardSocketOptions.SO_RCVBUF) >= 64 * 1024, "Linux doubles the buffer size it is given");
                s.setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
                assertTrue(s.getOption(StandardSocketOptions.SO_SNDBUF) >= 64 * 1024);
                assertEquals(-1, s.getOption(StandardSocketOptions.SO_LINGER));
                s.setOption(StandardSocketOptions.SO_LINGER, 7);
                assertEquals(7, s.getOption(StandardSocketOptions.SO_LINGER));
                s.setOption(StandardSocketOptions.SO_LINGER, 1_000_000);
                assertEquals(65535, s.getOption(StandardSocketOptions.SO_LINGER));
                s.setOption(StandardSocketOptions.SO_LINGER, -1);
                assertEquals(-1, s.getOption(StandardSocketOptions.SO_LINGER));
                s.setOption(StandardSocketOptions.IP_TOS, 0x10);
                assertEquals(0x10, s.getOption(StandardSocketOptions.IP_TOS));
            }
        }
    }

    @Test
    void badValuesAndUnsupportedOptionsAreRefusedAsTheJdkDoes() throws IOException {
        try (FdSocket s = FdSocket.openTcp(StandardProtocolFamily.INET, false);
             FdSocket l = FdSocket.openTcp(StandardProtocolFamily.INET, true)) {
            assertThrows(IllegalArgumentException.class, () -> s.setOption(StandardSocketOptions.SO_RCVBUF, -1));
            assertThrows(IllegalArgumentException.class, () -> s.setOption(StandardSocketOptions.IP_TOS, 256));
            assertThrows(IllegalArgumentException.class, () -> s.setOption(StandardSocketOptions.TCP_NODELAY, null));
            assertThrows(UnsupportedOperationException.class, () -> s.setOption(StandardSocketOptions.SO_BROADCAST, true));
            assertThrows(UnsupportedOperationException.class, () -> l.getOption(StandardSocketOptions.TCP_NODELAY));
            assertTrue(l.getOption(StandardSocketOptions.SO_REUSEADDR), "listeners reuse addresses, as the JDK's do");
            assertFalse(s.getOption(StandardSocketOptions.SO_REUSEADDR));
        }
    }

    @Test
    void listenerAcceptsAndAddressesAreReported() throws IOException {
        try (FdSocket l = FdSocket.openTcp(null, true)) {
            assertNull(l.localAddress(), "unbound");
            l.bind(new InetSocketAddress(LOOPBACK, 0), 16);
            InetSocketAddress local = l.localAddress();
            assertEquals(LOOPBACK, local.getAddress());
            assertTrue(local.getPort() > 0);
            assertNull(l.remoteAddress());
            try (Socket client = new Socket(LOOPBACK, local.getPort());
                 Arena arena = Arena.ofConfined()) {
                MemorySegment cs = Libc.newCallState(arena);
                MemorySegment pfd = arena.allocate(Libc.POLLFD_LAYOUT);
                pfd.set(ValueLayout.JAVA_INT, 0, l.fd());
                pfd.set(ValueLayout.JAVA_SHORT, 4, (short) Libc.POLLIN);
                assertEquals(1, Libc.poll(cs, pfd, 1, 10_000));
                int fd = Libc.accept4(cs, l.fd(), MemorySegment.NULL, MemorySegment.NULL, Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
                assertTrue(fd >= 0);
                try (FdSocket accepted = FdSocket.accepted(fd, l)) {
                    assertEquals(local, accepted.localAddress());
                    assertEquals(client.getLocalSocketAddress(), accepted.remoteAddress());
                    accepted.shutdownOutput();
                    InputStream in = client.getInputStream();
                    assertEquals(-1, in.read(), "the peer sees end of stream after shutdownOutput");
                }
            }
        }
    }

    @Test
    void bindingATakenAddressThrowsBindException() throws IOException {
        try (FdSocket a = FdSocket.openTcp(StandardProtocolFamily.INET, true);
             FdSocket b = FdSocket.openTcp(StandardProtocolFamily.INET, true)) {
            a.bind(new InetSocketAddress(LOOPBACK, 0), 0);
            BindException e = assertThrows(BindException.class, () -> b.bind(a.localAddress(), 0));
            assertTrue(e.getMessage().contains("EADDRINUSE"), e.getMessage());
        }
    }

    @Test
    void closedSocketRefusesDirectCallsAndReleasesTheFd() throws IOException {
        FdSocket s = FdSocket.openTcp(StandardProtocolFamily.INET, false);
        Path link = Path.of("/proc/self/fd/" + s.fd());
        String before = Files.readSymbolicLink(link).toString();
        assertTrue(before.startsWith("socket:"), before);
        s.close();
        s.close();
        assertThrows(ClosedChannelException.class, () -> s.getOption(StandardSocketOptions.TCP_NODELAY));
        assertThrows(ClosedChannelException.class, s::localAddress);
        // Another thread of this JVM may have been given the same number since; it is then
        // a different file.
        String after = Files.exists(link, LinkOption.NOFOLLOW_LINKS) ? Files.readSymbolicLink(link).toString() : null;
        assertNotEquals(before, after);
    }
}
