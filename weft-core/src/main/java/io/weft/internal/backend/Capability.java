package io.weft.internal.backend;

/** What a backend can do beyond TCP streams; a backend never fakes one it lacks. */
public enum Capability {
    /** Completes ops itself at their deadline (io_uring linked timeouts); else the loop's timer cancels them. */
    NATIVE_DEADLINES("deadlines in the kernel"),
    /** Can wait for readiness of any socket ({@link NetOps.Poll}). */
    POLL("readiness polling"),
    /** Passes file descriptors over Unix sockets (SCM_RIGHTS, {@link MsgOps}). */
    FD_PASSING("file descriptor passing (SCM_RIGHTS)"),
    /** Runs file I/O natively rather than on the blocking pool. */
    NATIVE_FILE_IO("native file I/O"),
    /** Unix-domain stream and datagram sockets, by path or abstract name, with peer credentials. */
    UNIX_SOCKETS("Unix-domain sockets"),
    /** UDP sockets ({@link MsgOps}), including batched sends and receives. */
    DATAGRAMS("UDP sockets"),
    /** AF_VSOCK sockets (host and virtual-machine guests); whether a transport exists is up to the kernel. */
    VSOCK("vsock (AF_VSOCK) sockets"),
    /** Waits on a futex word as a loop operation ({@link FutexWait}; IORING_OP_FUTEX_WAIT, Linux 6.7). */
    FUTEX_WAIT("futex waits without blocking the loop");

    private final String description;

    Capability(String description) {
        this.description = description;
    }

    /** What the capability allows, in words, for error messages. */
    public String description() {
        return description;
    }
}
