package io.weft.net;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.Weft;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.weft.TestSupport.awaitParked;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** UDP on every backend that has it (io_uring, epoll), and nio's clear refusal. Loopback only. */
@Timeout(60)
class UdpConformanceTest {

    static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);
    static final Duration T = Duration.ofSeconds(10);

    static Stream<String> fdBackends() {
        return UnixSocketConformanceTest.fdBackends();
    }

    static byte[] bytes(ByteBuffer b, UdpMessage m) {
        return Arrays.copyOf(b.array(), m.length());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void datagramsCarryTheirSourceAndDestinationBothWays(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (UdpSocket server = UdpSocket.bind(new InetSocketAddress("0.0.0.0", 0));
                 UdpSocket client = UdpSocket.bind(LOOPBACK)) {
                // Sent to 127.0.0.2: the wildcard-bound server learns which address was used.
                InetSocketAddress to = new InetSocketAddress("127.0.0.2", server.localAddress().getPort());
                assertEquals(4, client.send(ByteBuffer.wrap("ping".getBytes()), to));
                ByteBuffer buf = ByteBuffer.allocate(64);
                UdpMessage m = server.receive(buf, T);
                assertEquals("ping", new String(bytes(buf, m)));
                assertEquals(client.localAddress(), m.source());
                assertEquals(InetAddress.getByName("127.0.0.2"), m.destination());
                assertFalse(m.truncated());
                server.send(ByteBuffer.wrap("pong".getBytes()), m.source());
                ByteBuffer back = ByteBuffer.allocateDirect(64);
                UdpMessage r = client.receive(back, Deadline.after(T));
                assertEquals(4, r.length());
                assertEquals(4, back.position());
                assertEquals(InetAddress.getByName("127.0.0.1"), r.destination());
                assertEquals(server.localAddress().getPort(), r.source().getPort());
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void ipv6LoopbackWorksWhereConfigured(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            UdpSocket a;
            try {
                a = UdpSocket.bind(new InetSocketAddress("::1", 0));
            } catch (IOException e) {
                Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
                return;
            }
            try (a; UdpSocket b = UdpSocket.bind(new InetSocketAddress("::1", 0))) {
                a.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), b.localAddress());
                ByteBuffer buf = ByteBuffer.allocate(8);
                UdpMessage m = b.receive(buf, T);
                assertEquals(3, m.length());
                assertEquals(a.localAddress(), m.source());
                assertEquals(InetAddress.getByName("::1"), m.destination());
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void aLongerDatagramIsReportedTruncatedNotSilentlyCut(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (UdpSocket a = UdpSocket.bind(LOOPBACK); UdpSocket b = UdpSocket.bind(LOOPBACK)) {
                byte[] big = TcpConformanceTest.pattern(100, 1);
                a.send(ByteBuffer.wrap(big), b.localAddress());
                ByteBuffer small = ByteBuffer.allocate(10);
                UdpMessage m = b.receive(small, T);
                assertTrue(m.truncated());
                assertEquals(10, m.length());
                assertEquals(100, m.datagramLength());
                assertArrayEquals(Arrays.copyOf(big, 10), small.array());
                // The next datagram is whole and separate.
                a.send(ByteBuffer.wrap(new byte[] {9}), b.localAddress());
                UdpMessage next = b.receive(ByteBuffer.allocate(10), T);
                assertEquals(1, next.length());
                assertFalse(next.truncated());
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void receiveTimesOutLeavesTheSocketUsableAndCloseWakesAWaiter(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (UdpSocket a = UdpSocket.bind(LOOPBACK); UdpSocket b = UdpSocket.bind(LOOPBACK)) {
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                        () -> b.receive(ByteBuffer.allocate(8), Duration.ofMillis(50)));
                assertTrue(e.getMessage().contains(b.localAddress().toString()), e.getMessage());
                a.send(ByteBuffer.wrap(new byte[] {5}), b.localAddress());
                assertEquals(1, b.receive(ByteBuffer.allocate(8), T).length());
                Thread waiter = Thread.currentThread();
                Task<Void> closer = Weft.spawn(() -> {
                    awaitParked(waiter);
                    b.close();
                });
                assertThrows(SocketException.class, () -> b.receive(ByteBuffer.allocate(8), T));
                closer.join();
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void aConnectedSocketSendsWithoutATargetAndHearsOnlyItsPeer(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (UdpSocket a = UdpSocket.bind(LOOPBACK); UdpSocket b = UdpSocket.bind(LOOPBACK);
                 UdpSocket stranger = UdpSocket.bind(LOOPBACK)) {
                a.connect(b.localAddress());
                b.connect(a.localAddress());
                assertEquals(b.localAddress(), a.remoteAddress());
                stranger.send(ByteBuffer.wrap(new byte[] {66}), a.localAddress());
                b.send(ByteBuffer.wrap(new byte[] {1, 2}));
                ByteBuffer buf = ByteBuffer.allocate(8);
                UdpMessage m = a.receive(buf, T);
                assertEquals(2, m.length(), "the stranger's datagram was filtered out");
                assertEquals(b.localAddress(), m.source());
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void broadcastNeedsSoBroadcast(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (UdpSocket rx = UdpSocket.bind(new InetSocketAddress("0.0.0.0", 0));
                 UdpSocket tx = UdpSocket.bind(LOOPBACK)) {
                InetSocketAddress bcast = new InetSocketAddress("127.255.255.255", rx.localAddress().getPort());
                IOException refused = assertThrows(IOException.class, () -> tx.send(ByteBuffer.wrap(new byte[] {1}), bcast));
                assertTrue(refused.getMessage().contains("EACCES"), refused.getMessage());
                tx.setBroadcast(true);
                tx.send(ByteBuffer.wrap(new byte[] {2}), bcast);
                UdpMessage m = rx.receive(ByteBuffer.allocate(4), T);
                assertEquals(1, m.length());
                assertEquals(InetAddress.getByName("127.255.255.255"), m.destination());
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void multicastJoinReceivesAndLeaveStops(String backend) throws Exception {
        NetworkInterface lo = NetworkInterface.getByName("lo");
        Assumptions.assumeTrue(lo != null, "no loopback interface named lo");
        InetAddress group = InetAddress.getByName("239.255.42." + (backend.length() + 1));
        String limitation = loopbackMulticastLimitation(lo, group);
        Assumptions.assumeTrue(limitation == null, () -> "multicast on lo does not work here, even with the JDK's own sockets: " + limitation);
        TcpConformanceTest.on(backend, () -> {
            try (UdpSocket rx = UdpSocket.bind(new InetSocketAddress("0.0.0.0", 0), true);
                 UdpSocket tx = UdpSocket.bind(LOOPBACK)) {
                rx.joinGroup(group, lo);
                tx.setMulticastInterface(lo);
                tx.setMulticastLoopback(true);
                tx.setMulticastTtl(1);
                InetSocketAddress to = new InetSocketAddress(group, rx.localAddress().getPort());
                tx.send(ByteBuffer.wrap("to the group".getBytes()), to);
                ByteBuffer buf = ByteBuffer.allocate(32);
                UdpMessage m = rx.receive(buf, T);
                assertEquals("to the group", new String(bytes(buf, m)));
                assertEquals(group, m.destination());
                rx.leaveGroup(group, lo);
                tx.send(ByteBuffer.wrap("after leaving".getBytes()), to);
                assertThrows(SocketTimeoutException.class, () -> rx.receive(ByteBuffer.allocate(32), Duration.ofMillis(200)),
                        "nothing arrives after leaving the group");
                assertThrows(IllegalArgumentException.class, () -> rx.joinGroup(InetAddress.getByName("127.0.0.1"), lo));
            }
        });
    }

    /**
     * Why a datagram sent to {@code group} on {@code lo} does not come back here, found
     * with the JDK's sockets (join, send with loopback on, receive within 5 s); null if it
     * does. A machine whose lo cannot do multicast (no MULTICAST flag, no route, a filter)
     * is then a reason to skip, and a failure of Weft's sockets where the JDK's work is a
     * real one.
     */
    static String loopbackMulticastLimitation(NetworkInterface lo, InetAddress group) {
        try (DatagramChannel rx = DatagramChannel.open(StandardProtocolFamily.INET);
             DatagramChannel tx = DatagramChannel.open(StandardProtocolFamily.INET);
             Selector selector = Selector.open()) {
            rx.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            rx.bind(new InetSocketAddress("0.0.0.0", 0));
            rx.join(group, lo);
            tx.bind(LOOPBACK);
            tx.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
            tx.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
            tx.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1);
            rx.configureBlocking(false);
            rx.register(selector, SelectionKey.OP_READ);
            tx.send(ByteBuffer.wrap("probe".getBytes()), new InetSocketAddress(group, ((InetSocketAddress) rx.getLocalAddress()).getPort()));
            if (selector.select(5000) == 0 || rx.receive(ByteBuffer.allocate(16)) == null) {
                return "a datagram sent to " + group.getHostAddress() + " on lo did not come back within 5 s";
            }
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            return e.toString();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void batchesMoveManyDatagramsPerCallInOrder(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (UdpSocket a = UdpSocket.bind(LOOPBACK); UdpSocket b = UdpSocket.bind(LOOPBACK)) {
                int count = 20;
                List<ByteBuffer> out = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    ByteBuffer d = i % 2 == 0 ? ByteBuffer.allocate(i + 1) : ByteBuffer.allocateDirect(i + 1);
                    d.put(TcpConformanceTest.pattern(i + 1, i)).flip();
                    out.add(d);
                }
                int sent = 0;
                while (sent < count) {
                    sent += a.sendBatch(out.subList(sent, count), b.localAddress(), Deadline.after(T));
                }
                assertTrue(out.stream().noneMatch(ByteBuffer::hasRemaining), "every datagram was consumed");
                List<UdpMessage> got = new ArrayList<>();
                List<ByteBuffer> bufs = new ArrayList<>();
                for (int round = 0; got.size() < count && round < count; round++) {
                    List<ByteBuffer> batch = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        batch.add(i % 2 == 0 ? ByteBuffer.allocateDirect(16) : ByteBuffer.allocate(16));
                    }
                    List<UdpMessage> ms = b.receiveBatch(batch, Deadline.after(T));
                    assertFalse(ms.isEmpty(), "a batch receive waits for at least one");
                    got.addAll(ms);
                    bufs.addAll(batch.subList(0, ms.size()));
                }
                assertEquals(count, got.size());
                for (int i = 0; i < count; i++) {
                    int len = Math.min(i + 1, 16);
                    assertEquals(len, got.get(i).length(), "datagram " + i);
                    assertEquals(i + 1, got.get(i).datagramLength(), "datagram " + i);
                    assertEquals(i + 1 > 16, got.get(i).truncated());
                    assertEquals(a.localAddress(), got.get(i).source());
                    assertEquals(InetAddress.getByName("127.0.0.1"), got.get(i).destination());
                    ByteBuffer bb = bufs.get(i).flip();
                    byte[] data = new byte[bb.remaining()];
                    bb.get(data);
                    assertArrayEquals(Arrays.copyOf(TcpConformanceTest.pattern(i + 1, i), len), data, "datagram " + i);
                }
                assertThrows(SocketTimeoutException.class,
                        () -> b.receiveBatch(List.of(ByteBuffer.allocate(4)), Deadline.after(Duration.ofMillis(50))));
            }
        });
    }

    @Test
    void nioRefusesUdpNamingTheBackendsThatHaveIt() throws Exception {
        TcpConformanceTest.on("nio", () -> {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> UdpSocket.bind(LOOPBACK));
            assertTrue(e.getMessage().contains("nio") && e.getMessage().contains("DATAGRAMS")
                    && e.getMessage().contains("io_uring"), e.getMessage());
        });
    }
}
