package io.weft.net;

import io.weft.Deadline;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.IntOption;
import io.weft.internal.backend.NetOps;
import io.weft.internal.backend.SocketFamily;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.loop.EventLoop;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A UDP socket used in blocking style from Weft tasks: send and receive datagrams with
 * their source and destination addresses, with deadlines, to one peer (connected) or
 * many; broadcast; multicast groups; and batches of datagrams per system call.
 *
 * <pre>{@code
 * try (UdpSocket server = UdpSocket.bind(new InetSocketAddress("127.0.0.1", 0));
 *      UdpSocket client = UdpSocket.bind(new InetSocketAddress("127.0.0.1", 0))) {
 *     client.send(ByteBuffer.wrap("ping".getBytes()), server.localAddress());
 *     ByteBuffer buf = ByteBuffer.allocate(1500);
 *     UdpMessage m = server.receive(buf, Duration.ofSeconds(1));      // SocketTimeoutException if none
 *     server.send(buf.flip(), m.source());                             // echo it back
 * }
 * }</pre>
 *
 * <p>A datagram longer than the buffer is cut by the kernel; {@link UdpMessage#truncated()}
 * says so and {@link UdpMessage#datagramLength()} gives the length it had. Every receive
 * reports the datagram's destination address (packet info), which tells a socket bound
 * to a wildcard which address, broadcast or multicast group a datagram came in on.
 *
 * <p>{@link #sendBatch} and {@link #receiveBatch} move many datagrams per syscall
 * (sendmmsg / recvmmsg). Needs a backend with {@code DATAGRAMS} (io_uring, epoll); on nio,
 * binding fails with a message naming those backends.
 */
public final class UdpSocket implements AutoCloseable {

    private final SocketHandle socket;
    private final InetSocketAddress local;
    /**
     * The connected peer, or null: written by connect, read by any task for error
     * messages; volatile so a reader on another loop sees the latest connect.
     */
    private volatile InetSocketAddress peer;

    private UdpSocket(SocketHandle socket, InetSocketAddress local) {
        this.socket = socket;
        this.local = local;
    }

    /**
     * Binds to {@code local} (port 0 picks one). An IPv4 address makes an AF_INET socket;
     * an IPv6 one (such as {@code ::}) a dual-stack AF_INET6 socket.
     */
    public static UdpSocket bind(InetSocketAddress local) throws IOException {
        return bind(local, false);
    }

    /**
     * Binds with SO_REUSEADDR set first when {@code reuseAddress}: several sockets (in
     * this or other processes) may then share a port, as multicast receivers do.
     */
    public static UdpSocket bind(InetSocketAddress local, boolean reuseAddress) throws IOException {
        Objects.requireNonNull(local, "local");
        if (local.isUnresolved()) {
            throw new IOException("cannot bind to unresolved address " + local);
        }
        EventLoop loop = NetIo.loop("UdpSocket.bind");
        boolean v6 = local.getAddress() instanceof Inet6Address;
        SocketHandle s = NetIo.openSocket(loop, Capability.DATAGRAMS, v6 ? SocketFamily.INET6 : SocketFamily.INET, true, false);
        try {
            if (reuseAddress) {
                s.setIntOption(IntOption.SO_REUSEADDR, 1);
            }
            // Packet info on every datagram: its destination address (IPv4 ones too on a dual-stack socket).
            s.setIntOption(IntOption.IP_PKTINFO, 1);
            if (v6) {
                s.setIntOption(IntOption.IPV6_RECVPKTINFO, 1);
            }
            s.bind(local, 0);
            return new UdpSocket(s, s.localAddress());
        } catch (java.net.BindException e) {
            s.close();
            java.net.BindException named = new java.net.BindException(e.getMessage() + ": bind " + local);
            named.initCause(e);
            throw named;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Binds to {@code host:port}. */
    public static UdpSocket bind(String host, int port) throws IOException {
        return bind(new InetSocketAddress(host, port));
    }

    /** Sends to {@code peer} by default and receives only from it (connect(2); no packet is sent). */
    public void connect(InetSocketAddress peer) throws IOException {
        EventLoop loop = NetIo.loop("UdpSocket.connect");
        NetIo.run(loop, new NetOps.Connect(socket, peer), Deadline.NONE.nanoTime(), "connect to", peer);
        this.peer = peer;
    }

    // ---- one datagram -------------------------------------------------------------------

    /** Sends {@code src}'s remaining bytes as one datagram to the connected peer. */
    public int send(ByteBuffer src) throws IOException {
        return send(src, null, Deadline.NONE);
    }

    /** Sends {@code src}'s remaining bytes as one datagram to {@code target}. */
    public int send(ByteBuffer src, InetSocketAddress target) throws IOException {
        return send(src, target, Deadline.NONE);
    }

    /**
     * Sends one datagram, waiting until {@code deadline} if the send buffer is full;
     * advances {@code src} past it.
     *
     * @param target the receiver, or null for the connected peer
     * @throws java.net.SocketException "Message too long (EMSGSIZE)" for a datagram over the limit
     */
    public int send(ByteBuffer src, InetSocketAddress target, Deadline deadline) throws IOException {
        EventLoop loop = NetIo.loop("UdpSocket.send");
        Object to = target != null ? target : peer;
        int n = MsgIo.send(loop, socket, MemorySegment.ofBuffer(src), target, new int[0], deadline.nanoTime(), "sendmsg to", to);
        src.position(src.position() + n);
        return n;
    }

    /** Receives one datagram, waiting without limit. */
    public UdpMessage receive(ByteBuffer dst) throws IOException {
        return receive(dst, Deadline.NONE);
    }

    /** Receives one datagram, waiting at most {@code timeout}. */
    public UdpMessage receive(ByteBuffer dst, Duration timeout) throws IOException {
        return receive(dst, Deadline.after(timeout));
    }

    /**
     * Receives one datagram into {@code dst}'s remaining space (advancing its position),
     * waiting until {@code deadline}.
     *
     * @throws java.net.SocketTimeoutException if none came in time
     */
    public UdpMessage receive(ByteBuffer dst, Deadline deadline) throws IOException {
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        EventLoop loop = NetIo.loop("UdpSocket.receive");
        MsgIo.Received r = MsgIo.receive(loop, socket, MemorySegment.ofBuffer(dst), -1, true, true, deadline.nanoTime(),
                "recvmsg on", local);
        dst.position(dst.position() + r.length());
        return new UdpMessage(r.length(), r.fullLength(), (InetSocketAddress) r.from(), r.destination());
    }

    // ---- batches ------------------------------------------------------------------------

    /**
     * Sends each of {@code datagrams} (their remaining bytes) to {@code target} (null: the
     * connected peer) with one sendmmsg, waiting until {@code deadline} for room; returns
     * how many went (at least one), each advanced past what was sent. Call again with the
     * rest if fewer than all went.
     */
    public int sendBatch(List<ByteBuffer> datagrams, InetSocketAddress target, Deadline deadline) throws IOException {
        EventLoop loop = NetIo.loop("UdpSocket.sendBatch");
        return BatchIo.send(loop, socket, datagrams, target, deadline.nanoTime(), target != null ? target : peer);
    }

    /**
     * Receives up to {@code buffers.size()} datagrams with one recvmmsg, waiting until
     * {@code deadline} for the first; datagram i goes into buffer i.
     */
    public List<UdpMessage> receiveBatch(List<ByteBuffer> buffers, Deadline deadline) throws IOException {
        if (buffers.isEmpty()) {
            throw new IllegalArgumentException("no buffers to receive into");
        }
        for (ByteBuffer b : buffers) {
            if (b.isReadOnly()) {
                throw new ReadOnlyBufferException();
            }
        }
        EventLoop loop = NetIo.loop("UdpSocket.receiveBatch");
        return BatchIo.receive(loop, socket, buffers, deadline.nanoTime(), local);
    }

    // ---- broadcast and multicast --------------------------------------------------------

    /** SO_BROADCAST: allows sending to a broadcast address. Off by default. */
    public void setBroadcast(boolean on) throws IOException {
        setInt(IntOption.SO_BROADCAST, on ? 1 : 0);
    }

    /** Joins multicast {@code group} on {@code ni} (null: the interface the kernel routes the group to). */
    public void joinGroup(InetAddress group, NetworkInterface ni) throws IOException {
        membership(group, ni, true);
    }

    /** Leaves a group joined with {@link #joinGroup}. */
    public void leaveGroup(InetAddress group, NetworkInterface ni) throws IOException {
        membership(group, ni, false);
    }

    private void membership(InetAddress group, NetworkInterface ni, boolean join) throws IOException {
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException(group + " is not a multicast address");
        }
        int ifindex = ni == null ? 0 : ni.getIndex();
        String what = (join ? "join " : "leave ") + group + (ni == null ? "" : " on " + ni.getName());
        socket.setMembership(group, ifindex, join, what);
    }

    /** The interface multicast datagrams leave by (IP_MULTICAST_IF and IPV6_MULTICAST_IF). */
    public void setMulticastInterface(NetworkInterface ni) throws IOException {
        socket.setMulticastInterface(ni.getIndex(), "multicast interface " + ni.getName());
    }

    /** Whether this host's own sockets receive the multicast datagrams it sends (on by default). */
    public void setMulticastLoopback(boolean on) throws IOException {
        if (socket.isInet6()) {
            setInt(IntOption.IPV6_MULTICAST_LOOP, on ? 1 : 0);
        }
        setInt(IntOption.IP_MULTICAST_LOOP, on ? 1 : 0);
    }

    /** How many hops multicast datagrams may travel (1 by default: this network only). */
    public void setMulticastTtl(int ttl) throws IOException {
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("multicast TTL " + ttl + " not in 0..255");
        }
        if (socket.isInet6()) {
            setInt(IntOption.IPV6_MULTICAST_HOPS, ttl);
        }
        setInt(IntOption.IP_MULTICAST_TTL, ttl);
    }

    /** An int option, set through the socket's close guard (another task may be closing it). */
    private void setInt(IntOption option, int value) throws IOException {
        socket.setIntOption(option, value);
    }

    // ---- options and addresses ------------------------------------------------------------

    /** Sets a standard option (SO_RCVBUF, SO_SNDBUF, SO_REUSEADDR, SO_REUSEPORT, IP_TOS). */
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        socket.setOption(option, value);
    }

    public <T> T getOption(SocketOption<T> option) throws IOException {
        return socket.getOption(option);
    }

    /** The bound address, with the port the kernel picked. */
    public InetSocketAddress localAddress() {
        return local;
    }

    /** The connected peer, or null. */
    public InetSocketAddress remoteAddress() {
        return peer;
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    /** Closes the socket; a task waiting in receive or send gets {@link java.net.SocketException}. */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    @Override
    public String toString() {
        return "UdpSocket[" + local + (peer != null ? " -> " + peer : "") + "]";
    }
}
