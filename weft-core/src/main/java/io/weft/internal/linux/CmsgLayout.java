package io.weft.internal.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct cmsghdr}: one control message in a msghdr's control buffer, and the
 * payloads Weft sends or reads there (SCM_RIGHTS descriptors, IP_PKTINFO, IPV6_PKTINFO).
 *
 * <pre>
 * struct cmsghdr (LP64), header 16 bytes, payload padded to 8
 *  0                 8            12           16
 *  +-----------------+------------+------------+---------------------------+-----+
 *  |    cmsg_len     | cmsg_level | cmsg_type  |  data (cmsg_len - 16)     | pad |
 *  +-----------------+------------+------------+---------------------------+-----+
 *     size_t: header + data       SOL_SOCKET    SCM_RIGHTS: int fds[n]
 *                                 IPPROTO_IP    IP_PKTINFO: struct in_pktinfo
 *                                 IPPROTO_IPV6  IPV6_PKTINFO: struct in6_pktinfo
 *
 * struct in_pktinfo, 12 bytes           struct in6_pktinfo, 20 bytes
 *  0          4              8     12    0                      16         20
 *  +----------+--------------+------+    +----------------------+----------+
 *  | ifindex  | spec_dst     | addr |    |  addr (16)           | ifindex  |
 *  +----------+--------------+------+    +----------------------+----------+
 *                              ^ the datagram's destination address
 *
 * struct ucred (SO_PEERCRED), 12 bytes
 *  0        4        8        12
 *  +--------+--------+--------+
 *  |  pid   |  uid   |  gid   |
 *  +--------+--------+--------+
 * </pre>
 *
 * CMSG_LEN(n) = 16 + n; CMSG_SPACE(n) = 16 + align8(n); the next header starts
 * CMSG_SPACE(data) after the previous one (CMSG_NXTHDR).
 */
public final class CmsgLayout {
    private CmsgLayout() {
    }

    public static final long HEADER = 16;
    public static final long LEN = 0;
    public static final long LEVEL = 8;
    public static final long TYPE = 12;
    /** The kernel's limit on descriptors in one SCM_RIGHTS message (SCM_MAX_FD). */
    public static final int MAX_FDS = 253;
    public static final long UCRED_SIZE = 12;
    public static final long IN_PKTINFO_ADDR = 8;
    public static final long IN6_PKTINFO_ADDR = 0;

    public static long align(long n) {
        return (n + 7) & ~7L;
    }

    /** CMSG_LEN: header plus {@code dataLen} bytes. */
    public static long len(long dataLen) {
        return HEADER + dataLen;
    }

    /** CMSG_SPACE: what one message with {@code dataLen} bytes takes in the buffer. */
    public static long space(long dataLen) {
        return HEADER + align(dataLen);
    }

    /** Writes one SCM_RIGHTS message carrying {@code fds} at {@code at}; returns its space. */
    public static long putRights(MemorySegment control, long at, int[] fds) {
        long data = 4L * fds.length;
        control.asSlice(at, space(data)).fill((byte) 0);
        control.set(ValueLayout.JAVA_LONG, at + LEN, len(data));
        control.set(ValueLayout.JAVA_INT, at + LEVEL, Libc.SOL_SOCKET);
        control.set(ValueLayout.JAVA_INT, at + TYPE, Libc.SCM_RIGHTS);
        for (int i = 0; i < fds.length; i++) {
            control.set(ValueLayout.JAVA_INT, at + HEADER + 4L * i, fds[i]);
        }
        return space(data);
    }

    /** Receives each control message in {@code control[0, length)}. */
    @FunctionalInterface
    public interface Visitor {
        /** {@code data} is the message's payload, exactly cmsg_len - 16 bytes long. */
        void message(int level, int type, MemorySegment data);
    }

    /**
     * Walks the control messages the kernel wrote (CMSG_FIRSTHDR / CMSG_NXTHDR), stopping at
     * a header that does not fit, as glibc does.
     */
    public static void forEach(MemorySegment control, long length, Visitor visitor) {
        long at = 0;
        while (at + HEADER <= length) {
            long len = control.get(ValueLayout.JAVA_LONG, at + LEN);
            if (len < HEADER || at + len > length) {
                return;
            }
            int level = control.get(ValueLayout.JAVA_INT, at + LEVEL);
            int type = control.get(ValueLayout.JAVA_INT, at + TYPE);
            visitor.message(level, type, control.asSlice(at + HEADER, len - HEADER));
            at += align(len);
        }
    }
}
