package io.weft.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One datagram as {@link UdpSocket#receive} returned it; the bytes are in the caller's
 * buffer.
 *
 * <pre>{@code
 * UdpMessage m = socket.receive(buf, Duration.ofSeconds(1));
 * if (m.truncated()) throw new IOException(m.datagramLength() + "-byte datagram does not fit " + buf.capacity());
 * reply(m.source());
 * }</pre>
 *
 * @param length         bytes stored in the buffer
 * @param datagramLength the datagram's length as sent; larger than {@code length} when the
 *                       buffer was too small (MSG_TRUNC) and the tail was lost
 * @param source         the sender's address and port
 * @param destination    the address the datagram was sent to (IP_PKTINFO / IPV6_PKTINFO):
 *                       tells a socket bound to a wildcard which of its addresses, or which
 *                       multicast or broadcast address, was used; null if not reported
 */
public record UdpMessage(int length, int datagramLength, InetSocketAddress source, InetAddress destination) {

    /** True if the datagram was longer than the buffer and its tail was lost. */
    public boolean truncated() {
        return datagramLength > length;
    }
}
