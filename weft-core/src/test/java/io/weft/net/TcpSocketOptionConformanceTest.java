package io.weft.net;

import io.weft.Deadline;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Socket options on every backend, nio included: what the stream setters set reads back
 * through the getter, and the listener's reuseAddress and reusePort change what the
 * kernel lets bind.
 */
@Timeout(120)
class TcpSocketOptionConformanceTest {

    static Stream<String> backends() {
        return TcpConformanceTest.backends();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void streamOptionSettersReadBackOnBothEnds(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (TcpListener l = TcpListener.bind(TcpConformanceTest.LOOPBACK);
                 TcpStream c = TcpStream.connect(l.localAddress(), Duration.ofSeconds(10));
                 TcpStream s = l.accept(Duration.ofSeconds(10))) {
                for (TcpStream t : List.of(c, s)) {
                    for (boolean on : new boolean[] {true, false, true}) {
                        t.setNoDelay(on);
                        assertEquals(on, t.getOption(StandardSocketOptions.TCP_NODELAY), "TCP_NODELAY on " + t);
                        t.setKeepAlive(on);
                        assertEquals(on, t.getOption(StandardSocketOptions.SO_KEEPALIVE), "SO_KEEPALIVE on " + t);
                    }
                    // Linux doubles the size it is given (for its own bookkeeping) and caps it
                    // at net.core.[rw]mem_max, so compare a small size with a larger one.
                    t.setReceiveBufferSize(8 * 1024);
                    int smallReceive = t.getOption(StandardSocketOptions.SO_RCVBUF);
                    t.setReceiveBufferSize(96 * 1024);
                    int largeReceive = t.getOption(StandardSocketOptions.SO_RCVBUF);
                    assertTrue(smallReceive >= 8 * 1024 && largeReceive > smallReceive,
                            "SO_RCVBUF follows the setter: " + smallReceive + " then " + largeReceive);
                    t.setSendBufferSize(8 * 1024);
                    int smallSend = t.getOption(StandardSocketOptions.SO_SNDBUF);
                    t.setSendBufferSize(96 * 1024);
                    int largeSend = t.getOption(StandardSocketOptions.SO_SNDBUF);
                    assertTrue(smallSend >= 8 * 1024 && largeSend > smallSend,
                            "SO_SNDBUF follows the setter: " + smallSend + " then " + largeSend);
                    t.setOption(StandardSocketOptions.SO_LINGER, 3);
                    assertEquals(3, t.getOption(StandardSocketOptions.SO_LINGER));
                    t.setOption(StandardSocketOptions.SO_LINGER, -1);
                    assertEquals(-1, t.getOption(StandardSocketOptions.SO_LINGER), "-1 turns lingering off");
                    t.setOption(StandardSocketOptions.IP_TOS, 0x10);
                    assertEquals(0x10, t.getOption(StandardSocketOptions.IP_TOS));
                }
                // The options did not disturb the connection.
                c.writeAll("ok".getBytes());
                byte[] got = new byte[2];
                s.readFully(got, Deadline.after(Duration.ofSeconds(10)));
                assertEquals("ok", new String(got));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void reusePortLetsListenersShareAPortAndItsAbsenceDoesNot(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (TcpListener first = TcpListener.builder().reusePort(true).bind(TcpConformanceTest.LOOPBACK)) {
                InetSocketAddress same = first.localAddress();
                BindException refused = assertThrows(BindException.class, () -> TcpListener.builder().bind(same).close(),
                        "without reusePort a second listener cannot take the port");
                assertTrue(refused.getMessage().contains(String.valueOf(same.getPort())), refused.getMessage());
                try (TcpListener second = TcpListener.builder().reusePort(true).bind(same)) {
                    assertEquals(same, second.localAddress());
                    // Both listen: a connection reaches one of them (the kernel picks).
                    try (TcpStream c = TcpStream.connect(same, Duration.ofSeconds(10))) {
                        assertEquals(same, c.remoteAddress());
                    }
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void reuseAddressDecidesWhetherAPortWithAClosedConnectionCanBeBoundAgain(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            InetSocketAddress port;
            try (TcpListener l = TcpListener.bind(TcpConformanceTest.LOOPBACK);
                 TcpStream c = TcpStream.connect(l.localAddress(), Duration.ofSeconds(10))) {
                port = l.localAddress();
                // The accepted side closes first, so its end of the connection, bound to
                // the listener's port, stays in FIN_WAIT_2 or TIME_WAIT after the listener closes.
                l.accept(Duration.ofSeconds(10)).close();
                assertEquals(-1, c.read(new byte[1], 0, 1, Deadline.after(Duration.ofSeconds(10))));
            }
            BindException refused = assertThrows(BindException.class,
                    () -> TcpListener.builder().reuseAddress(false).bind(port).close(),
                    "without SO_REUSEADDR the port of a connection still closing cannot be bound");
            assertTrue(refused.getMessage().contains(String.valueOf(port.getPort())), refused.getMessage());
            try (TcpListener again = TcpListener.builder().reuseAddress(true).bind(port)) {
                assertEquals(port, again.localAddress());
            }
        });
    }
}
