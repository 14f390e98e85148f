package io.weft.internal.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct msghdr}, {@code struct iovec} and {@code struct mmsghdr} on the LP64 ABIs
 * (x86-64, arm64), as sendmsg/recvmsg and their io_uring and batched forms read them.
 *
 * <pre>
 * struct msghdr, 56 bytes
 *  0                 8          12         16                24                32
 *  +-----------------+----------+----------+-----------------+-----------------+
 *  |   msg_name      | namelen  |  (pad)   |    msg_iov      |   msg_iovlen    |
 *  +-----------------+----------+----------+-----------------+-----------------+
 *     void *           u32                    struct iovec *    size_t
 * 32                 40                48         52         56
 *  +-----------------+-----------------+----------+----------+
 *  |  msg_control    | msg_controllen  |msg_flags |  (pad)   |
 *  +-----------------+-----------------+----------+----------+
 *     void *           size_t            int (written by recvmsg)
 *
 * struct iovec, 16 bytes            struct mmsghdr, 64 bytes
 *  0          8          16          0                       56       60      64
 *  +----------+----------+           +-----------------------+--------+-------+
 *  | iov_base | iov_len  |           |    struct msghdr      |msg_len | (pad) |
 *  +----------+----------+           +-----------------------+--------+-------+
 * </pre>
 *
 * <p>recvmsg writes back {@code msg_namelen}, {@code msg_controllen} and
 * {@code msg_flags}; {@code MSG_TRUNC} there means the datagram did not fit,
 * {@code MSG_CTRUNC} that control data (descriptors) did not.
 *
 * <p>Memory ownership: a msghdr given to an op lives in native memory owned by the task
 * that waits for the op, and is freed only after the op's final completion (DESIGN §3);
 * the kernel may read it, and the buffers it points to, until then.
 */
public final class MsgHdrLayout {
    private MsgHdrLayout() {
    }

    public static final long SIZE = 56;
    public static final long NAME = 0;
    public static final long NAMELEN = 8;
    public static final long IOV = 16;
    public static final long IOVLEN = 24;
    public static final long CONTROL = 32;
    public static final long CONTROLLEN = 40;
    public static final long FLAGS = 48;

    public static final long IOVEC_SIZE = 16;
    public static final long IOV_BASE = 0;
    public static final long IOV_LEN = 8;

    public static final long MMSGHDR_SIZE = 64;
    public static final long MMSG_LEN = 56;

    /** Fills the msghdr at {@code base} in {@code m}; pass 0 for absent pointers. */
    public static void set(MemorySegment m, long base, long name, int nameLen, long iov, long iovLen, long control, long controlLen) {
        m.set(ValueLayout.JAVA_LONG, base + NAME, name);
        m.set(ValueLayout.JAVA_INT, base + NAMELEN, nameLen);
        m.set(ValueLayout.JAVA_INT, base + NAMELEN + 4, 0);
        m.set(ValueLayout.JAVA_LONG, base + IOV, iov);
        m.set(ValueLayout.JAVA_LONG, base + IOVLEN, iovLen);
        m.set(ValueLayout.JAVA_LONG, base + CONTROL, control);
        m.set(ValueLayout.JAVA_LONG, base + CONTROLLEN, controlLen);
        m.set(ValueLayout.JAVA_INT, base + FLAGS, 0);
        m.set(ValueLayout.JAVA_INT, base + FLAGS + 4, 0);
    }

    public static void setIovec(MemorySegment m, long base, long address, long length) {
        m.set(ValueLayout.JAVA_LONG, base + IOV_BASE, address);
        m.set(ValueLayout.JAVA_LONG, base + IOV_LEN, length);
    }

    public static int nameLen(MemorySegment m, long base) {
        return m.get(ValueLayout.JAVA_INT, base + NAMELEN);
    }

    public static long controlLen(MemorySegment m, long base) {
        return m.get(ValueLayout.JAVA_LONG, base + CONTROLLEN);
    }

    public static int flags(MemorySegment m, long base) {
        return m.get(ValueLayout.JAVA_INT, base + FLAGS);
    }
}
