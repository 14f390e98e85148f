package io.weft.internal.backend;

/**
 * The message ops of the backend SPI: sendmsg and recvmsg with a {@code struct msghdr}
 * that names the peer address, the data and the control messages (SCM_RIGHTS descriptors,
 * packet info). Results follow the syscalls: a byte count, or a negative errno.
 *
 * <p>The msghdr and everything it points to live in native memory owned by the waiting
 * task (a {@link MsgHeader} builds it); the task frees it only after the
 * op's final completion, so an io_uring backend may hand the address to the kernel and
 * let it read and write there until the CQE. A backend without Unix sockets or datagrams
 * (nio) completes these ops with {@code -EOPNOTSUPP}.
 */
public final class MsgOps {
    private MsgOps() {
    }

    /** sendmsg(2) of the msghdr at {@code msghdr}; MSG_NOSIGNAL is always added. */
    public static final class SendMsg extends IoOp {
        public final long msghdr;
        public final int flags;

        public SendMsg(SocketHandle socket, long msghdr, int flags) {
            super(socket);
            this.msghdr = msghdr;
            this.flags = flags;
        }
    }

    /**
     * recvmsg(2) into the msghdr at {@code msghdr}; the kernel writes back its name length,
     * control length and flags. MSG_CMSG_CLOEXEC is always added, so received descriptors
     * are close-on-exec.
     */
    public static final class RecvMsg extends IoOp {
        public final long msghdr;
        public final int flags;

        public RecvMsg(SocketHandle socket, long msghdr, int flags) {
            super(socket);
            this.msghdr = msghdr;
            this.flags = flags;
        }
    }
}
