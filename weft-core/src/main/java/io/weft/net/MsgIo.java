package io.weft.net;

import io.weft.internal.backend.MsgOps;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.linux.CmsgLayout;
import io.weft.internal.linux.Errno;
import io.weft.internal.linux.Libc;
import io.weft.internal.linux.MsgHdrLayout;
import io.weft.internal.linux.SockAddr;
import io.weft.internal.loop.EventLoop;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one sendmsg or recvmsg for a task: builds the msghdr in native memory, submits a
 * {@link MsgOps} op, waits, and reads back what the kernel wrote (length, flags, sender,
 * descriptors, packet info). Shared by the Unix, UDP and vsock sockets.
 */
/*
 * Overview
 *
 * Memory. Each call opens a confined arena on the task's thread holding, in one block:
 *
 *   msghdr (56) | iovec (16) | sockaddr (128) | control (0..1.1 KiB) | [bounce for heap data]
 *
 * and closes it only after NetIo.run returns, which is after the op's final completion,
 * cancelled or not (DESIGN section 3): the kernel (an io_uring RECVMSG in flight) never
 * sees freed memory. Heap data is copied through a native bounce because an iovec holds
 * an address; native data is passed in place.
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

    /** Control space for a full SCM_RIGHTS message. */
    static final long CONTROL_FDS = CmsgLayout.space(4L * CmsgLayout.MAX_FDS);
    /** Control space for IP_PKTINFO or IPV6_PKTINFO (the larger, in6_pktinfo, 20 bytes). */
    static final long CONTROL_PKTINFO = CmsgLayout.space(20);

    private static final long IOV_AT = MsgHdrLayout.SIZE;
    private static final long NAME_AT = IOV_AT + MsgHdrLayout.IOVEC_SIZE;
    private static final long CONTROL_AT = NAME_AT + SockAddr.MAX_SIZE;

    /**
     * What one recvmsg returned.
     *
     * @param length      bytes stored in the caller's buffer (0 at end of stream)
     * @param fullLength  the datagram's full length (MSG_TRUNC asked), else {@code length}
     * @param from        the sender as the kernel named it, or null
     * @param fds         the descriptors kept for the caller
     * @param discarded   descriptors beyond {@code maxFds}, closed on arrival
     * @param destination the datagram's destination address (packet info), or null
     */
    record Received(int length, int fullLength, SocketAddress from, List<OwnedFd> fds, int discarded, InetAddress destination) {
    }

    /** sendmsg of {@code data} (heap or native) to {@code to} (null when connected), with {@code fds}. */
    static int send(EventLoop loop, SocketHandle socket, MemorySegment data, SocketAddress to, int[] fds, long deadline,
                    String call, Object target) throws IOException {
        long controlLen = fds.length == 0 ? 0 : CmsgLayout.space(4L * fds.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(CONTROL_AT + controlLen, 8);
            MemorySegment buf = data;
            if (!data.isNative() && data.byteSize() > 0) {
                buf = arena.allocate(data.byteSize(), 8).copyFrom(data);
            }
            int nameLen = 0;
            if (to != null) {
                nameLen = SockAddr.encode(to, socket.isInet6(), m.asSlice(NAME_AT, SockAddr.MAX_SIZE));
                if (nameLen < 0) {
                    throw Errno.exception(nameLen, call, target);
                }
            }
            if (controlLen > 0) {
                CmsgLayout.putRights(m.asSlice(CONTROL_AT, controlLen), 0, fds);
            }
            MsgHdrLayout.setIovec(m, IOV_AT, buf.byteSize() == 0 ? 0 : buf.address(), buf.byteSize());
            MsgHdrLayout.set(m, 0, to == null ? 0 : m.address() + NAME_AT, nameLen, m.address() + IOV_AT, 1,
                    controlLen == 0 ? 0 : m.address() + CONTROL_AT, controlLen);
            return (int) NetIo.run(loop, new MsgOps.SendMsg(socket, m.address(), 0), deadline, call, target);
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
        long controlLen = (maxFds >= 0 ? CONTROL_FDS : 0) + (pktinfo ? CONTROL_PKTINFO : 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(CONTROL_AT + controlLen, 8);
            MemorySegment buf = dst.isNative() || dst.byteSize() == 0 ? dst : arena.allocate(dst.byteSize(), 8);
            MsgHdrLayout.setIovec(m, IOV_AT, buf.byteSize() == 0 ? 0 : buf.address(), buf.byteSize());
            MsgHdrLayout.set(m, 0, m.address() + NAME_AT, SockAddr.MAX_SIZE, m.address() + IOV_AT, 1,
                    controlLen == 0 ? 0 : m.address() + CONTROL_AT, controlLen);
            long r = NetIo.run(loop, new MsgOps.RecvMsg(socket, m.address(), datagram ? Libc.MSG_TRUNC : 0), deadline, call, target);
            int flags = MsgHdrLayout.flags(m, 0);
            List<OwnedFd> received = new ArrayList<>();
            InetAddress[] destination = new InetAddress[1];
            long gotControl = Math.min(MsgHdrLayout.controlLen(m, 0), controlLen);
            CmsgLayout.forEach(m.asSlice(CONTROL_AT, controlLen), gotControl, (level, type, payload) -> {
                if (level == Libc.SOL_SOCKET && type == Libc.SCM_RIGHTS) {
                    for (long i = 0; i + 4 <= payload.byteSize(); i += 4) {
                        received.add(OwnedFd.adopt(payload.get(ValueLayout.JAVA_INT, i)));
                    }
                } else if (pktinfo(level, type, payload) instanceof InetAddress a) {
                    destination[0] = a;
                }
            });
            if ((flags & Libc.MSG_CTRUNC) != 0) {
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
            int stored = (int) Math.min(r, dst.byteSize());
            if (buf != dst && stored > 0) {
                dst.copyFrom(buf.asSlice(0, stored));
            }
            SocketAddress from = SockAddr.decodeAny(m.asSlice(NAME_AT, SockAddr.MAX_SIZE),
                    Math.min(MsgHdrLayout.nameLen(m, 0), SockAddr.MAX_SIZE));
            return new Received(stored, (int) Math.max(r, stored), from, kept, discarded, destination[0]);
        }
    }

    /** The destination address in an IP_PKTINFO or IPV6_PKTINFO message, or null for any other. */
    static InetAddress pktinfo(int level, int type, MemorySegment payload) {
        if (level == Libc.IPPROTO_IP && type == Libc.IP_PKTINFO && payload.byteSize() >= 12) {
            return inetAddress(payload, CmsgLayout.IN_PKTINFO_ADDR, 4);
        }
        if (level == Libc.IPPROTO_IPV6 && type == Libc.IPV6_PKTINFO && payload.byteSize() >= 16) {
            return inetAddress(payload, CmsgLayout.IN6_PKTINFO_ADDR, 16);
        }
        return null;
    }

    private static InetAddress inetAddress(MemorySegment payload, long at, int len) {
        byte[] raw = new byte[len];
        MemorySegment.copy(payload, ValueLayout.JAVA_BYTE, at, raw, 0, len);
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4- or 16-byte address is always valid", e);
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
        if (maxFds < 0 || maxFds > CmsgLayout.MAX_FDS) {
            throw new IllegalArgumentException("maxFds " + maxFds + " not in 0.." + CmsgLayout.MAX_FDS);
        }
    }

    /** The descriptor numbers of {@code fds}, which stay open while the caller holds them. */
    static int[] numbers(OwnedFd[] fds) throws IOException {
        int[] n = new int[fds.length];
        for (int i = 0; i < fds.length; i++) {
            n[i] = fds[i].fd();
        }
        if (fds.length > CmsgLayout.MAX_FDS) {
            throw new IllegalArgumentException(fds.length + " descriptors in one message; the kernel takes at most " + CmsgLayout.MAX_FDS);
        }
        return n;
    }

    /** The peer's credentials as the kernel recorded them at connect time (SO_PEERCRED). */
    static PeerCredentials peerCredentials(SocketHandle socket) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ucred = arena.allocate(CmsgLayout.UCRED_SIZE, 4);
            socket.getRawOption(Libc.SOL_SOCKET, Libc.SO_PEERCRED, ucred);
            return new PeerCredentials(ucred.get(ValueLayout.JAVA_INT, 0), ucred.get(ValueLayout.JAVA_INT, 4),
                    ucred.get(ValueLayout.JAVA_INT, 8));
        }
    }
}
