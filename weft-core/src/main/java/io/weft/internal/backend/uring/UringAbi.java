package io.weft.internal.backend.uring;

/**
 * The numbers of the io_uring kernel ABI that this backend uses: syscall numbers, opcodes
 * and flags, as in {@code include/uapi/linux/io_uring.h}. The struct layouts live in the
 * {@code *Layout} classes beside this one.
 *
 * <p>Every value below was checked against the uapi header; the kernel version that
 * introduced each is noted where the backend has to cope with its absence.
 */
final class UringAbi {
    private UringAbi() {
    }

    // x86-64 and arm64 share these numbers (the generic syscall table since 5.1).
    static final long SYS_IO_URING_SETUP = 425;
    static final long SYS_IO_URING_ENTER = 426;
    static final long SYS_IO_URING_REGISTER = 427;

    // io_uring_setup() flags (io_uring_params.flags)
    static final int SETUP_CQSIZE = 1 << 3;
    static final int SETUP_CLAMP = 1 << 4;
    /** 5.10: the ring starts disabled; IORING_REGISTER_ENABLE_RINGS enables it. */
    static final int SETUP_R_DISABLED = 1 << 6;
    /** 5.18: keep submitting the batch after an SQE fails to prepare. */
    static final int SETUP_SUBMIT_ALL = 1 << 7;
    /** 5.19: run completion task work when the task enters the kernel anyway, not by IPI. */
    static final int SETUP_COOP_TASKRUN = 1 << 8;
    /** 5.19: with COOP_TASKRUN or DEFER_TASKRUN, raise IORING_SQ_TASKRUN when task work waits. */
    static final int SETUP_TASKRUN_FLAG = 1 << 9;
    /** 6.0: only one task submits; with R_DISABLED, the task that enables the ring. */
    static final int SETUP_SINGLE_ISSUER = 1 << 12;
    /** 6.1: run completion task work only inside io_uring_enter(GETEVENTS). */
    static final int SETUP_DEFER_TASKRUN = 1 << 13;

    // io_uring_params.features
    static final int FEAT_SINGLE_MMAP = 1;
    static final int FEAT_NODROP = 1 << 1;
    static final int FEAT_SUBMIT_STABLE = 1 << 2;
    static final int FEAT_FAST_POLL = 1 << 5;
    static final int FEAT_EXT_ARG = 1 << 8;
    /** 6.3: io_uring_register accepts IORING_REGISTER_USE_REGISTERED_RING. */
    static final int FEAT_REG_REG_RING = 1 << 13;

    // Opcodes (io_uring_sqe.opcode)
    static final byte OP_NOP = 0;
    static final byte OP_READV = 1;
    static final byte OP_WRITEV = 2;
    /** 5.1: fsync(2) or, with FSYNC_DATASYNC, fdatasync(2). */
    static final byte OP_FSYNC = 3;
    static final byte OP_READ_FIXED = 4;
    static final byte OP_WRITE_FIXED = 5;
    static final byte OP_POLL_ADD = 6;
    static final byte OP_SENDMSG = 9;
    static final byte OP_RECVMSG = 10;
    static final byte OP_TIMEOUT = 11;
    static final byte OP_ACCEPT = 13;
    static final byte OP_ASYNC_CANCEL = 14;
    static final byte OP_LINK_TIMEOUT = 15;
    static final byte OP_CONNECT = 16;
    /** 5.6: openat(2); the path in addr, the mode in len, the flags in open_flags. */
    static final byte OP_OPENAT = 18;
    static final byte OP_CLOSE = 19;
    /** 5.6: statx(2); the path in addr, the mask in len, the flags in statx_flags, the buffer in addr2. */
    static final byte OP_STATX = 21;
    static final byte OP_READ = 22;
    static final byte OP_WRITE = 23;
    static final byte OP_SEND = 26;
    static final byte OP_RECV = 27;
    static final byte OP_SHUTDOWN = 34;
    /** 5.11: renameat2(2); old dirfd in fd, old path in addr, new dirfd in len, new path in addr2. */
    static final byte OP_RENAMEAT = 35;
    /** 5.11: unlinkat(2); the flags (AT_REMOVEDIR) in unlink_flags. */
    static final byte OP_UNLINKAT = 36;
    /** 5.15: mkdirat(2); the mode in len. */
    static final byte OP_MKDIRAT = 37;
    static final byte OP_MSG_RING = 40;
    /**
     * 6.7: futex wait. The futex2 flags in fd, the word's address in addr, the expected
     * value in addr2 (off), the bitset mask in addr3; len and futex_flags must be 0.
     * Completes with 0 when woken, -EAGAIN if the word did not hold the value.
     */
    static final byte OP_FUTEX_WAIT = 51;
    /** Opcodes are one byte, so a probe never reports more than this many. */
    static final int OP_TABLE_SIZE = 256;

    // futex2 flags (linux/futex.h), for OP_FUTEX_WAIT's fd field
    static final int FUTEX2_SIZE_U32 = 0x02;
    /** A private futex: keyed by this process's mm. Never for words shared between processes. */
    static final int FUTEX2_PRIVATE = 128;
    /** FUTEX_BITSET_MATCH_ANY: wake-ups of any bitset match. */
    static final long FUTEX_BITSET_MATCH_ANY = 0xffff_ffffL;

    // io_uring_sqe.flags
    static final byte SQE_IO_LINK = 1 << 2;
    static final byte SQE_ASYNC = 1 << 4;
    static final byte SQE_BUFFER_SELECT = 1 << 5;

    // io_uring_sqe.ioprio for ACCEPT (5.19)
    static final short ACCEPT_MULTISHOT = 1;
    // io_uring_sqe.fsync_flags
    static final int FSYNC_DATASYNC = 1;

    // io_uring_sqe.timeout_flags
    static final int TIMEOUT_ABS = 1;

    // io_uring_sqe.cancel_flags
    static final int ASYNC_CANCEL_ALL = 1;
    static final int ASYNC_CANCEL_ANY = 1 << 2;

    // io_uring_cqe.flags
    static final int CQE_F_BUFFER = 1;
    static final int CQE_F_MORE = 1 << 1;
    /** With CQE_F_BUFFER, the buffer id is in the upper 16 bits of the CQE flags. */
    static final int CQE_BUFFER_SHIFT = 16;

    // sq ring flags word
    static final int SQ_CQ_OVERFLOW = 1 << 1;
    static final int SQ_TASKRUN = 1 << 2;

    // io_uring_enter() flags
    static final int ENTER_GETEVENTS = 1;
    static final int ENTER_EXT_ARG = 1 << 3;
    /** 5.18: the fd argument is an index into the calling thread's registered rings. */
    static final int ENTER_REGISTERED_RING = 1 << 4;

    // io_uring_register() opcodes
    static final int REGISTER_BUFFERS = 0;
    static final int UNREGISTER_BUFFERS = 1;
    static final int REGISTER_PROBE = 8;
    static final int REGISTER_ENABLE_RINGS = 12;
    static final int REGISTER_RING_FDS = 20;
    static final int UNREGISTER_RING_FDS = 21;
    /** 5.19: a ring of buffers the kernel picks from when data arrives (IOSQE_BUFFER_SELECT). */
    static final int REGISTER_PBUF_RING = 22;
    static final int UNREGISTER_PBUF_RING = 23;
    /** 6.3, or-ed into the opcode: the fd argument is a registered ring index. */
    static final int REGISTER_USE_REGISTERED_RING = 1 << 31;

    // io_uring_probe_op.flags
    static final int IO_URING_OP_SUPPORTED = 1;

    // mmap offsets
    static final long OFF_SQ_RING = 0L;
    static final long OFF_CQ_RING = 0x8000000L;
    static final long OFF_SQES = 0x10000000L;

    // Socket and poll numbers used in SQEs (asm-generic values, shared by x86-64 and arm64).
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final int POLLIN = 0x1;
    static final int POLLOUT = 0x4;
    static final int POLLERR = 0x8;
    static final int POLLHUP = 0x10;
    static final int POLLRDHUP = 0x2000;
}
