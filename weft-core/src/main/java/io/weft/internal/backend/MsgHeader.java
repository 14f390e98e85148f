package io.weft.internal.backend;

import io.weft.internal.linux.CmsgLayout;
import io.weft.internal.linux.Errno;
import io.weft.internal.linux.Libc;
import io.weft.internal.linux.MsgHdrLayout;
import io.weft.internal.linux.SockAddr;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The native memory of one {@link MsgOps} op, built from Java values and read back into
 * them, so that the public socket types deal in buffers, descriptor numbers and addresses
 * only. Made and closed by the waiting task, on its thread, and closed only after the op's
 * final completion (cancelled or not): an io_uring backend lets the kernel read and write
 * it until the CQE.
 */
/*
 * Layout, one confined arena:
 *
 *   msghdr (56) | iovec (16) | sockaddr (128) | control (0..1.1 KiB) | [bounce for heap data]
 *
 * Heap data goes through a native bounce because an iovec holds an address; native data
 * is passed in place.
 *
 * A receive that can carry descriptors always offers room for SCM_MAX_FD (253), whatever
 * the caller keeps, so that every descriptor the peer sent is installed and can be closed,
 * rather than the kernel setting MSG_CTRUNC for the surplus.
 */
public final class MsgHeader implements AutoCloseable {

    /** SCM_MAX_FD: the most descriptors one message carries. */
    public static final int MAX_FDS = CmsgLayout.MAX_FDS;
    /** Control space for a full SCM_RIGHTS message. */
    private static final long CONTROL_FDS = CmsgLayout.space(4L * CmsgLayout.MAX_FDS);
    /** Control space for IP_PKTINFO or IPV6_PKTINFO (the larger, in6_pktinfo, 20 bytes). */
    static final long CONTROL_PKTINFO = CmsgLayout.space(20);

    private static final long IOV_AT = MsgHdrLayout.SIZE;
    private static final long NAME_AT = IOV_AT + MsgHdrLayout.IOVEC_SIZE;
    private static final long CONTROL_AT = NAME_AT + SockAddr.MAX_SIZE;

    /**
     * What one recvmsg returned.
     *
     * @param length           bytes stored in the caller's buffer (0 at end of stream)
     * @param fullLength       the datagram's full length (MSG_TRUNC asked), else {@code length}
     * @param from             the sender ({@link SocketNames#read}), or null
     * @param fds              every descriptor received, now the caller's to close
     * @param controlTruncated MSG_CTRUNC: control data that was not descriptors did not fit
     * @param destination      the datagram's destination address (packet info), or null
     */
    public record Received(int length, int fullLength, SocketAddress from, int[] fds, boolean controlTruncated,
                           InetAddress destination) {
    }

    private final Arena arena;
    private final MemorySegment m;
    private final long controlLen;
    /** The caller's buffer, and the native one the kernel fills or reads (the same if native). */
    private final MemorySegment data;
    private final MemorySegment buf;

    private MsgHeader(Arena arena, MemorySegment m, long controlLen, MemorySegment data, MemorySegment buf) {
        this.arena = arena;
        this.m = m;
        this.controlLen = controlLen;
        this.data = data;
        this.buf = buf;
    }

    /**
     * The msghdr of a sendmsg of {@code data} (heap or native) to {@code to} (null when
     * connected), carrying {@code fds}.
     *
     * @param inet6 true if the socket is a dual-stack AF_INET6 one
     * @throws IOException if {@code to} does not suit the socket; {@code call} and
     *                     {@code target} name it
     */
    public static MsgHeader forSend(MemorySegment data, SocketAddress to, boolean inet6, int[] fds, String call,
                                    Object target) throws IOException {
        long controlLen = fds.length == 0 ? 0 : CmsgLayout.space(4L * fds.length);
        Arena arena = Arena.ofConfined();
        try {
            MemorySegment m = arena.allocate(CONTROL_AT + controlLen, 8);
            MemorySegment buf = data;
            if (!data.isNative() && data.byteSize() > 0) {
                buf = arena.allocate(data.byteSize(), 8).copyFrom(data);
            }
            int nameLen = 0;
            if (to != null) {
                nameLen = SockAddr.encode(SocketNames.kernelForm(to), inet6, m.asSlice(NAME_AT, SockAddr.MAX_SIZE));
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
            return new MsgHeader(arena, m, controlLen, data, buf);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * The msghdr of a recvmsg into {@code dst} (heap or native).
     *
     * @param fds     true to offer room for descriptors (SCM_RIGHTS)
     * @param pktinfo true to offer room for the destination address (IP_PKTINFO / IPV6_PKTINFO)
     */
    public static MsgHeader forReceive(MemorySegment dst, boolean fds, boolean pktinfo) {
        long controlLen = (fds ? CONTROL_FDS : 0) + (pktinfo ? CONTROL_PKTINFO : 0);
        Arena arena = Arena.ofConfined();
        MemorySegment m = arena.allocate(CONTROL_AT + controlLen, 8);
        MemorySegment buf = dst.isNative() || dst.byteSize() == 0 ? dst : arena.allocate(dst.byteSize(), 8);
        MsgHdrLayout.setIovec(m, IOV_AT, buf.byteSize() == 0 ? 0 : buf.address(), buf.byteSize());
        MsgHdrLayout.set(m, 0, m.address() + NAME_AT, SockAddr.MAX_SIZE, m.address() + IOV_AT, 1,
                controlLen == 0 ? 0 : m.address() + CONTROL_AT, controlLen);
        return new MsgHeader(arena, m, controlLen, dst, buf);
    }

    /** The sendmsg op of this header on {@code socket}. */
    public MsgOps.SendMsg sendOp(SocketHandle socket) {
        return new MsgOps.SendMsg(socket, m.address(), 0);
    }

    /** The recvmsg op of this header on {@code socket}; {@code datagram} asks for a longer datagram's full length (MSG_TRUNC). */
    public MsgOps.RecvMsg receiveOp(SocketHandle socket, boolean datagram) {
        return new MsgOps.RecvMsg(socket, m.address(), datagram ? Libc.MSG_TRUNC : 0);
    }

    /**
     * Reads back what the kernel wrote for a recvmsg that returned {@code result} (at least
     * 0), and copies the data into the caller's buffer if it went through a bounce (unless
     * control data was truncated, which fails the receive).
     */
    public Received received(long result) {
        int flags = MsgHdrLayout.flags(m, 0);
        long gotControl = Math.min(MsgHdrLayout.controlLen(m, 0), controlLen);
        int[][] rights = {new int[0]};
        int[] n = {0};
        InetAddress[] dest = {null};
        CmsgLayout.forEach(m.asSlice(CONTROL_AT, controlLen), gotControl, (level, type, payload) -> {
            if (level == Libc.SOL_SOCKET && type == Libc.SCM_RIGHTS) {
                for (long i = 0; i + 4 <= payload.byteSize(); i += 4) {
                    if (n[0] == rights[0].length) {
                        rights[0] = Arrays.copyOf(rights[0], Math.max(4, n[0] * 2));
                    }
                    rights[0][n[0]++] = payload.get(ValueLayout.JAVA_INT, i);
                }
            } else if (pktinfo(level, type, payload) instanceof InetAddress a) {
                dest[0] = a;
            }
        });
        boolean controlTruncated = (flags & Libc.MSG_CTRUNC) != 0;
        int stored = (int) Math.min(result, data.byteSize());
        if (buf != data && stored > 0 && !controlTruncated) { // a truncated receive fails: leave the caller's buffer alone
            data.copyFrom(buf.asSlice(0, stored));
        }
        SocketAddress from = SocketNames.read(m.asSlice(NAME_AT, SockAddr.MAX_SIZE),
                Math.min(MsgHdrLayout.nameLen(m, 0), SockAddr.MAX_SIZE));
        return new Received(stored, (int) Math.max(result, stored), from, Arrays.copyOf(rights[0], n[0]),
                controlTruncated, dest[0]);
    }

    /** Frees the memory; only once the op is done. */
    @Override
    public void close() {
        arena.close();
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
}
