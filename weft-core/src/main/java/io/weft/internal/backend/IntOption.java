package io.weft.internal.backend;

/**
 * The int-valued socket options that {@link SocketHandle#setIntOption} sets below the JDK's
 * {@link java.net.SocketOption}s: those a UDP socket needs for packet info, broadcast and
 * multicast. Each is named as the kernel names it, and the backend maps it to its level
 * and number.
 */
public enum IntOption {
    SO_REUSEADDR,
    SO_BROADCAST,
    /** Packet info (the destination address) on every IPv4 datagram received. */
    IP_PKTINFO,
    /** Packet info on every IPv6 datagram received. */
    IPV6_RECVPKTINFO,
    IP_MULTICAST_LOOP,
    IPV6_MULTICAST_LOOP,
    IP_MULTICAST_TTL,
    IPV6_MULTICAST_HOPS
}
