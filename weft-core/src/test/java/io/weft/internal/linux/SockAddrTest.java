package io.weft.internal.linux;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SockAddrTest {

    private static InetSocketAddress roundTrip(InetSocketAddress a, boolean inet6) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE);
            int len = SockAddr.encode(a, inet6, sa);
            assertEquals(inet6 ? SockAddr.IN6_SIZE : SockAddr.IN_SIZE, len);
            return SockAddr.decode(sa, len);
        }
    }

    @Test
    void ipv4RoundTripsWithHighPort() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 65535);
        assertEquals(a, roundTrip(a, false));
    }

    @Test
    void ipv4LayoutIsFamilyThenBigEndianPortThenAddress() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE);
            SockAddr.encode(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 0x1234), false, sa);
            byte[] raw = sa.asSlice(0, SockAddr.IN_SIZE).toArray(ValueLayout.JAVA_BYTE);
            assertArrayEquals(new byte[] {2, 0, 0x12, 0x34, 10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0}, raw);
        }
    }

    @Test
    void ipv6RoundTrips() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 443);
        InetSocketAddress b = roundTrip(a, true);
        assertEquals(a, b);
        assertInstanceOf(Inet6Address.class, b.getAddress());
    }

    @Test
    void ipv6ScopeIdRoundTrips() throws Exception {
        byte[] linkLocal = InetAddress.getByName("fe80::1").getAddress();
        InetSocketAddress a = new InetSocketAddress(Inet6Address.getByAddress(null, linkLocal, 3), 80);
        InetSocketAddress b = roundTrip(a, true);
        assertEquals(3, ((Inet6Address) b.getAddress()).getScopeId());
        assertEquals(a, b);
    }

    @Test
    void ipv4OnDualStackSocketIsMappedAndDecodesBackToIpv4() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8080);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE);
            SockAddr.encode(a, true, sa);
            byte[] addr = sa.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
            assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 127, 0, 0, 1}, addr);
        }
        InetSocketAddress b = roundTrip(a, true);
        assertInstanceOf(Inet4Address.class, b.getAddress());
        assertEquals(a, b);
    }

    @Test
    void ipv6OnIpv4SocketIsRefusedWithAnErrno() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE);
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("::1"), 1);
            assertEquals(-Errno.EAFNOSUPPORT, SockAddr.encode(a, false, sa));
        }
    }

    @Test
    void unresolvedIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE);
            assertThrows(UnresolvedAddressException.class,
                    () -> SockAddr.encode(InetSocketAddress.createUnresolved("example.invalid", 1), false, sa));
        }
    }

    @Test
    void unknownFamilyIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE);
            sa.set(ValueLayout.JAVA_SHORT, 0, (short) 1); // AF_UNIX
            assertThrows(IllegalArgumentException.class, () -> SockAddr.decode(sa, 110));
        }
    }
}
