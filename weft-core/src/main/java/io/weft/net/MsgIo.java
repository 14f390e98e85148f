package io.weft.net;

import io.weft.internal.backend.MsgHeader;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.loop.EventLoop;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one sendmsg or recvmsg for a task: has the backend build the msghdr
 * ({@link MsgHeader}), submits its op, waits, and turns what the kernel wrote (length,
 * sender, descriptors, packet info) into the caller's values. Shared by the Unix, UDP and
 * vsock sockets.
 */
/*
 * Overview
 *
 * Memory. The MsgHeader is closed only after NetIo.run returns, which is after the op's
 * final completion, cancelled or not (DESIGN section 3): the kernel (an io_uring RECVMSG
 * in flight) never sees freed memory.
 *
 * Descriptors. A Unix receive always offers room for SCM_MAX_FD (253) descriptors,
 * whatever the caller asked for, so that every descriptor the peer sent is installed here
 * and can be closed, rather than the kernel setting MSG_CTRUNC for the surplus. The first
 * `maxFds` go to the caller; the rest are closed at once and counted. MSG_CTRUNC can then
 * only mean control data that was not descriptors overflowed, or a kernel limit: every
 * descriptor that did arrive is closed and the receive fails with that reason, so none
 * leaks. Received descriptors are close-on-exec (MsgOps adds MSG_CMSG_CLOEXEC).
 */
final class MsgIo {
    private MsgIo() {
    }

    /**
     * What one recvmsg returned.
     *
     * @param length      bytes stored in the caller's buffer (0 at end of stream)
     * @param fullLength  the datagram's full length (MSG_TRUNC asked), else {@code length}
     * @param from        the sender as the socket handle names it, or null
     * @param fds         the descriptors kept for the caller
     * @param discarded   descriptors beyond {@code maxFds}, closed on arrival
     * @param destination the datagram's destination address (packet info), or null
     */
    record Received(int length, int fullLength, SocketAddress from, List<OwnedFd> fds, int discarded, InetAddress destination) {
    }

    /** sendmsg of {@code data} (heap or native) to {@code to} (null when connected), with {@code fds}. */
    static int send(EventLoop loop, SocketHandle socket, MemorySegment data, SocketAddress to, int[] fds, long deadline,
                    String call, Object target) throws IOException {
        try (MsgHeader h = MsgHeader.forSend(data, to, socket.isInet6(), fds, call, target)) {
            return (int) NetIo.run(loop, h.sendOp(socket), deadline, call, target);
        }
    }

    /**
     * recvmsg into {@code dst} (heap or native).
     *
     * @param maxFds    descriptors to keep; -1 if the socket cannot carry any (no room offered)
     * @param datagram  true to ask for the full length of a longer datagram (MSG_TRUNC)
     * @param pktinfo   true to read the destination address (IP_PKTINFO / IPV6_PKTINFO)
     * @throws IOException if control data was truncated (MSG_CTRUNC); what arrived is closed
     */
    static Received receive(EventLoop loop, SocketHandle socket, MemorySegment dst, int maxFds, boolean datagram, boolean pktinfo,
                            long deadline, String call, Object target) throws IOException {
        try (MsgHeader h = MsgHeader.forReceive(dst, maxFds >= 0, pktinfo)) {
            long r = NetIo.run(loop, h.receiveOp(socket, datagram), deadline, call, target);
            MsgHeader.Received got = h.received(r);
            List<OwnedFd> received = new ArrayList<>(got.fds().length);
            for (int fd : got.fds()) {
                received.add(OwnedFd.adopt(fd));
            }
            if (got.controlTruncated()) {
                int n = received.size();
                closeAll(received);
                throw new IOException("control data truncated (MSG_CTRUNC): " + call + " " + target + "; the "
                        + n + " descriptors that did arrive were closed");
            }
            int keep = Math.max(0, Math.min(maxFds, received.size()));
            List<OwnedFd> extra = received.subList(keep, received.size());
            int discarded = extra.size();
            closeAll(extra);
            List<OwnedFd> kept = new ArrayList<>(received.subList(0, keep));
            return new Received(got.length(), got.fullLength(), got.from(), kept, discarded, got.destination());
        }
    }

    static void closeAll(List<OwnedFd> fds) {
        for (OwnedFd fd : fds) {
            try {
                fd.close();
            } catch (IOException e) {
                System.getLogger(MsgIo.class.getName()).log(System.Logger.Level.DEBUG, "close of a received descriptor failed", e);
            }
        }
    }

    /** Checks a Unix receive's arguments: a writable buffer, 0..SCM_MAX_FD descriptors. */
    static void checkReceive(ByteBuffer dst, int maxFds) {
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        if (maxFds < 0 || maxFds > MsgHeader.MAX_FDS) {
            throw new IllegalArgumentException("maxFds " + maxFds + " not in 0.." + MsgHeader.MAX_FDS);
        }
    }

    /** The descriptor numbers of {@code fds}, which stay open while the caller holds them. */
    static int[] numbers(OwnedFd[] fds) throws IOException {
        int[] n = new int[fds.length];
        for (int i = 0; i < fds.length; i++) {
            n[i] = fds[i].fd();
        }
        if (fds.length > MsgHeader.MAX_FDS) {
            throw new IllegalArgumentException(fds.length + " descriptors in one message; the kernel takes at most " + MsgHeader.MAX_FDS);
        }
        return n;
    }

    /** The peer's credentials as the kernel recorded them at connect time (SO_PEERCRED). */
    static PeerCredentials peerCredentials(SocketHandle socket) throws IOException {
        int[] c = socket.peerCredentials();
        return new PeerCredentials(c[0], c[1], c[2]);
    }
}
