package io.weft.internal.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The multicast membership requests of IP_ADD_MEMBERSHIP / IPV6_ADD_MEMBERSHIP (and their
 * DROP forms), and IP_MULTICAST_IF, which takes the same {@code ip_mreqn}.
 *
 * <pre>
 * struct ip_mreqn, 12 bytes               struct ipv6_mreq, 20 bytes
 *  0            4             8      12    0                          16           20
 *  +------------+-------------+-------+    +--------------------------+------------+
 *  | multiaddr  |  address    |ifindex|    |  multiaddr (16)          | ifindex    |
 *  +------------+-------------+-------+    +--------------------------+------------+
 *   network order  0 = any      host        network order              host order
 * </pre>
 */
public final class MreqLayout {
    private MreqLayout() {
    }

    public static final long IP_MREQN_SIZE = 12;
    public static final long IPV6_MREQ_SIZE = 20;

    /** Writes an ip_mreqn (for {@code group} an IPv4 address, or null for IP_MULTICAST_IF) into {@code dst}. */
    public static MemorySegment ipMreqn(MemorySegment dst, Inet4Address group, int ifindex) {
        dst.asSlice(0, IP_MREQN_SIZE).fill((byte) 0);
        if (group != null) {
            MemorySegment.copy(group.getAddress(), 0, dst, ValueLayout.JAVA_BYTE, 0, 4);
        }
        dst.set(ValueLayout.JAVA_INT, 8, ifindex);
        return dst.asSlice(0, IP_MREQN_SIZE);
    }

    /** Writes an ipv6_mreq into {@code dst}. */
    public static MemorySegment ipv6Mreq(MemorySegment dst, Inet6Address group, int ifindex) {
        MemorySegment.copy(group.getAddress(), 0, dst, ValueLayout.JAVA_BYTE, 0, 16);
        dst.set(ValueLayout.JAVA_INT, 16, ifindex);
        return dst.asSlice(0, IPV6_MREQ_SIZE);
    }

    /** True if {@code a} is an IPv4 group (the IP_ level), false for IPv6 (IPV6_). */
    public static boolean isV4(InetAddress a) {
        return a instanceof Inet4Address;
    }
}
