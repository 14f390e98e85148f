package io.weft.internal.backend;

import io.weft.internal.linux.CmsgLayout;
import io.weft.internal.linux.Errno;
import io.weft.internal.linux.MsgHdrLayout;
import io.weft.internal.linux.SockAddr;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Batched datagram I/O: many datagrams per syscall with sendmmsg / recvmmsg
 * ({@link SocketHandle#sendMmsg}, {@link SocketHandle#recvMmsg}). Builds the native vector
 * from buffers and reads the results back into Java values.
 */
/*
 * io_uring has no opcode for sendmmsg or recvmmsg, and a chain of SENDMSG SQEs would cost
 * a slot and a CQE per datagram, which is what batching is meant to save. So on both
 * descriptor backends a batch is:
 *
 *   loop:
 *     r = sendmmsg / recvmmsg(fd, vec, n, MSG_DONTWAIT)   on the task's own thread
 *     r == -EAGAIN  -> wait for readiness (the caller's Readiness: a NetOps.Poll op, with
 *                      the deadline and cancellation of any other wait), then again
 *     r >= 0        -> done: r datagrams went or came (never 0 for a receive)
 *
 * The call never blocks (MSG_DONTWAIT), so it is as cheap for the loop as any inline
 * syscall epoll makes. The vector (mmsghdrs, iovecs, names, control) lives in a confined
 * arena of the calling task and is only touched by that task: no op holds its address.
 */
public final class MsgBatch {
    private MsgBatch() {
    }

    /** Waits until the socket is ready for {@code events} ({@link NetOps#POLLIN}, {@link NetOps#POLLOUT}). */
    @FunctionalInterface
    public interface Readiness {
        void await(int events) throws IOException;
    }

    /**
     * One received datagram.
     *
     * @param length      bytes stored in its buffer
     * @param fullLength  the datagram's full length
     * @param from        the sender
     * @param destination its destination address (packet info), or null
     */
    public record Datagram(int length, int fullLength, InetSocketAddress from, InetAddress destination) {
    }

    private static final long NAME = SockAddr.MAX_SIZE;

    /** One batch's native vector: n mmsghdrs, then n iovecs, n names, n control blocks, then bounce data. */
    private record Vector(MemorySegment block, int n, long control) {
        long mmsg(int i) {
            return MsgHdrLayout.MMSGHDR_SIZE * i;
        }

        long iov(int i) {
            return MsgHdrLayout.MMSGHDR_SIZE * n + MsgHdrLayout.IOVEC_SIZE * i;
        }

        long name(int i) {
            return (MsgHdrLayout.MMSGHDR_SIZE + MsgHdrLayout.IOVEC_SIZE) * n + NAME * i;
        }

        long control(int i) {
            return (MsgHdrLayout.MMSGHDR_SIZE + MsgHdrLayout.IOVEC_SIZE + NAME) * n + control * i;
        }

        long end() {
            return control(n);
        }
    }

    private static Vector vector(Arena arena, int n, long control, long data) {
        Vector v = new Vector(null, n, control);
        return new Vector(arena.allocate(v.end() + data, 8), n, control);
    }

    /**
     * Sends as many of {@code datagrams} as the kernel takes in one sendmmsg (at least
     * one), each to {@code target} (null when connected); advances each sent buffer.
     *
     * @return the number of datagrams sent
     */
    public static int send(SocketHandle socket, List<ByteBuffer> datagrams, SocketAddress target, Readiness ready,
                           String call, Object what) throws IOException {
        int n = datagrams.size();
        if (n == 0) {
            return 0;
        }
        long data = 0;
        for (ByteBuffer b : datagrams) {
            data += b.isDirect() ? 0 : CmsgLayout.align(b.remaining());
        }
        try (Arena arena = Arena.ofConfined()) {
            Vector v = vector(arena, n, 0, data);
            MemorySegment m = v.block();
            long bounce = v.end();
            int nameLen = 0;
            if (target != null) {
                nameLen = SockAddr.encode(SocketNames.kernelForm(target), socket.isInet6(), m.asSlice(v.name(0), NAME));
                if (nameLen < 0) {
                    throw Errno.exception(nameLen, call, target);
                }
            }
            for (int i = 0; i < n; i++) {
                MemorySegment src = MemorySegment.ofBuffer(datagrams.get(i));
                if (!src.isNative()) {
                    MemorySegment copy = m.asSlice(bounce, src.byteSize()).copyFrom(src);
                    bounce += CmsgLayout.align(src.byteSize());
                    src = copy;
                }
                MsgHdrLayout.setIovec(m, v.iov(i), src.address(), src.byteSize());
                MsgHdrLayout.set(m, v.mmsg(i), nameLen == 0 ? 0 : m.address() + v.name(0), nameLen,
                        m.address() + v.iov(i), 1, 0, 0);
            }
            long sent = retry(NetOps.POLLOUT, ready, call, what, () -> socket.sendMmsg(m.address(), n));
            for (int i = 0; i < sent; i++) {
                ByteBuffer b = datagrams.get(i);
                b.position(b.position() + m.get(ValueLayout.JAVA_INT, v.mmsg(i) + MsgHdrLayout.MMSG_LEN));
            }
            return (int) sent;
        }
    }

    /**
     * Receives up to {@code buffers.size()} datagrams in one recvmmsg, waiting for the
     * first; each goes into the next buffer (advancing its position).
     */
    public static List<Datagram> receive(SocketHandle socket, List<ByteBuffer> buffers, Readiness ready, String call,
                                         Object what) throws IOException {
        int n = buffers.size();
        long data = 0;
        for (ByteBuffer b : buffers) {
            data += b.isDirect() ? 0 : CmsgLayout.align(b.remaining());
        }
        long control = MsgHeader.CONTROL_PKTINFO;
        try (Arena arena = Arena.ofConfined()) {
            Vector v = vector(arena, n, control, data);
            MemorySegment m = v.block();
            long bounce = v.end();
            MemorySegment[] dst = new MemorySegment[n];
            for (int i = 0; i < n; i++) {
                dst[i] = MemorySegment.ofBuffer(buffers.get(i));
                MemorySegment into = dst[i];
                if (!into.isNative()) {
                    into = m.asSlice(bounce, into.byteSize());
                    bounce += CmsgLayout.align(into.byteSize());
                }
                MsgHdrLayout.setIovec(m, v.iov(i), into.byteSize() == 0 ? 0 : into.address(), into.byteSize());
                MsgHdrLayout.set(m, v.mmsg(i), m.address() + v.name(i), (int) NAME, m.address() + v.iov(i), 1,
                        m.address() + v.control(i), control);
            }
            int got = (int) retry(NetOps.POLLIN, ready, call, what, () -> socket.recvMmsg(m.address(), n));
            List<Datagram> out = new ArrayList<>(got);
            for (int i = 0; i < got; i++) {
                long hdr = v.mmsg(i);
                int full = m.get(ValueLayout.JAVA_INT, hdr + MsgHdrLayout.MMSG_LEN);
                int stored = (int) Math.min(full, dst[i].byteSize());
                long iovBase = m.get(ValueLayout.JAVA_LONG, v.iov(i) + MsgHdrLayout.IOV_BASE);
                if (!dst[i].isNative() && stored > 0) {
                    dst[i].copyFrom(m.asSlice(iovBase - m.address(), stored));
                }
                ByteBuffer b = buffers.get(i);
                b.position(b.position() + stored);
                InetAddress[] destination = new InetAddress[1];
                CmsgLayout.forEach(m.asSlice(v.control(i), control),
                        Math.min(MsgHdrLayout.controlLen(m, hdr), control), (level, type, payload) -> {
                            if (MsgHeader.pktinfo(level, type, payload) instanceof InetAddress a) {
                                destination[0] = a;
                            }
                        });
                SocketAddress from = SockAddr.decodeAny(m.asSlice(v.name(i), NAME), Math.min(MsgHdrLayout.nameLen(m, hdr), (int) NAME));
                out.add(new Datagram(stored, full, (InetSocketAddress) from, destination[0]));
            }
            return out;
        }
    }

    @FunctionalInterface
    private interface Call {
        long apply() throws IOException;
    }

    /** Makes the call until it does not say EAGAIN or EINTR, waiting for {@code events} between tries. */
    private static long retry(int events, Readiness ready, String call, Object what, Call c) throws IOException {
        while (true) {
            long r = c.apply();
            if (r >= 0) {
                return r;
            }
            if (r == -Errno.EAGAIN) {
                ready.await(events);
            } else if (r != -Errno.EINTR) {
                throw Errno.exception((int) r, call, what);
            }
        }
    }
}
