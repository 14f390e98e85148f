package io.weft.internal.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.channels.UnresolvedAddressException;
import java.util.Arrays;

/**
 * Encodes {@link InetSocketAddress}es as {@code struct sockaddr_in} / {@code sockaddr_in6}
 * and decodes them back.
 *
 * <pre>
 * sockaddr_in, 16 bytes
 *  0        2        4                 8                                 16
 *  +--------+--------+-----------------+---------------------------------+
 *  | family |  port  |    IPv4 addr    |            zero                 |
 *  +--------+--------+-----------------+---------------------------------+
 *    host     network   network order
 *    order    order
 *
 * sockaddr_in6, 28 bytes
 *  0        2        4                 8                                 24        28
 *  +--------+--------+-----------------+---------------------------------+---------+
 *  | family |  port  |    flowinfo     |          IPv6 addr (16)         |scope_id |
 *  +--------+--------+-----------------+---------------------------------+---------+
 *    host     network   network order     network order                    host order
 * </pre>
 *
 * <p>A socket opened as {@code AF_INET6} is dual-stack (IPV6_V6ONLY off), so an IPv4
 * address bound or connected through it is written in the IPv4-mapped form
 * {@code ::ffff:a.b.c.d}; decoding turns that form back into an {@link Inet4Address}, as
 * the JDK does.
 */
public final class SockAddr {
    private SockAddr() {
    }

    /** {@code sizeof(struct sockaddr_storage)}: room for any address the kernel returns. */
    public static final int MAX_SIZE = 128;
    public static final int IN_SIZE = 16;
    public static final int IN6_SIZE = 28;

    private static final ValueLayout.OfShort FAMILY = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt SCOPE_ID = ValueLayout.JAVA_INT_UNALIGNED;
    private static final long IN_ADDR = 4;
    private static final long IN6_FLOWINFO = 4;
    private static final long IN6_ADDR = 8;
    private static final long IN6_SCOPE_ID = 24;

    /**
     * Writes {@code address} into {@code dst} (at least {@link #IN6_SIZE} bytes).
     *
     * @param inet6 true if the socket is {@code AF_INET6}
     * @return the length written, or {@code -EAFNOSUPPORT} if an {@code AF_INET} socket is
     *         given an IPv6 address that is not IPv4-mapped
     * @throws UnresolvedAddressException if {@code address} is unresolved
     */
    public static int encode(InetSocketAddress address, boolean inet6, MemorySegment dst) {
        if (address.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        InetAddress ip = address.getAddress();
        byte[] raw = ip.getAddress();
        if (!inet6) {
            if (raw.length == 16) {
                if (!isV4Mapped(raw)) {
                    return -Errno.EAFNOSUPPORT;
                }
                raw = Arrays.copyOfRange(raw, 12, 16);
            }
            dst.asSlice(0, IN_SIZE).fill((byte) 0);
            dst.set(FAMILY, 0, (short) Libc.AF_INET);
            dst.set(PORT, 2, (short) address.getPort());
            MemorySegment.copy(raw, 0, dst, ValueLayout.JAVA_BYTE, IN_ADDR, 4);
            return IN_SIZE;
        }
        dst.asSlice(0, IN6_SIZE).fill((byte) 0);
        dst.set(FAMILY, 0, (short) Libc.AF_INET6);
        dst.set(PORT, 2, (short) address.getPort());
        if (raw.length == 4) {
            dst.set(ValueLayout.JAVA_BYTE, IN6_ADDR + 10, (byte) 0xff);
            dst.set(ValueLayout.JAVA_BYTE, IN6_ADDR + 11, (byte) 0xff);
            MemorySegment.copy(raw, 0, dst, ValueLayout.JAVA_BYTE, IN6_ADDR + 12, 4);
        } else {
            MemorySegment.copy(raw, 0, dst, ValueLayout.JAVA_BYTE, IN6_ADDR, 16);
            if (ip instanceof Inet6Address v6) {
                dst.set(SCOPE_ID, IN6_SCOPE_ID, v6.getScopeId());
            }
        }
        assert dst.get(ValueLayout.JAVA_INT_UNALIGNED, IN6_FLOWINFO) == 0;
        return IN6_SIZE;
    }

    /**
     * Reads the address the kernel wrote into {@code src}.
     *
     * @param length the length the kernel reported
     * @throws IllegalArgumentException if the family is neither AF_INET nor AF_INET6, or the
     *                                  length is too short for it
     */
    public static InetSocketAddress decode(MemorySegment src, int length) {
        int family = length >= 2 ? src.get(FAMILY, 0) : -1;
        int port = Short.toUnsignedInt(src.get(PORT, 2));
        try {
            if (family == Libc.AF_INET && length >= 8) {
                byte[] raw = new byte[4];
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, IN_ADDR, raw, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(raw), port);
            }
            if (family == Libc.AF_INET6 && length >= 24) {
                byte[] raw = new byte[16];
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, IN6_ADDR, raw, 0, 16);
                int scope = length >= IN6_SIZE ? src.get(SCOPE_ID, IN6_SCOPE_ID) : 0;
                InetAddress ip = scope != 0 && !isV4Mapped(raw)
                        ? Inet6Address.getByAddress(null, raw, scope)
                        : InetAddress.getByAddress(raw); // turns ::ffff:a.b.c.d into an Inet4Address
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4- or 16-byte address is always valid", e);
        }
        throw new IllegalArgumentException("not an IPv4 or IPv6 sockaddr: family " + family + ", length " + length);
    }

    private static boolean isV4Mapped(byte[] raw) {
        for (int i = 0; i < 10; i++) {
            if (raw[i] != 0) {
                return false;
            }
        }
        return raw[10] == (byte) 0xff && raw[11] == (byte) 0xff;
    }
}
