package io.weft.internal.backend.fd;

import io.weft.internal.linux.Errno;
import io.weft.internal.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.IntUnaryOperator;

/**
 * Lets any thread make syscalls on a file descriptor while another closes it, without a
 * lock: {@code close(2)} runs exactly once, after every syscall that named the fd has
 * returned, because the kernel hands a closed fd's number to the next file anyone opens.
 *
 * <pre>{@code
 * if (!guard.enter()) throw new ClosedChannelException();
 * try {
 *     Libc.setsockopt(cs, guard.fd(), ...);
 * } finally {
 *     guard.exit();
 * }
 * }</pre>
 */
/*
 * Overview
 *
 *   enter()   CAS uses+1 unless CLOSED is set
 *   exit()    uses-1; if that leaves exactly CLOSED, this thread closes the fd
 *   close()   set CLOSED; if no call is inside, this thread closes the fd now
 *
 * Rejected: a lock around the calls and close(), because close() often runs on a loop
 * thread (when a socket's last op completes), and a loop thread must not wait on a task.
 */
public final class FdGuard {

    private static final int CLOSED = 1 << 31;
    /** With CLOSED: ownership of the fd moved elsewhere (abandon), so nobody closes it here. */
    private static final int ABANDONED = 1 << 30;
    private static final int COUNT = ~(CLOSED | ABANDONED);

    private static final VarHandle USES;
    static {
        try {
            USES = MethodHandles.lookup().findVarHandle(FdGuard.class, "uses", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Changed only by volatile read-modify-writes, so the syscalls of a call that exits
     * happen-before the close(2) made by whoever sees the count reach zero.
     *
     *   uses                 meaning
     *   -------------------  ----------------------------------------------------
     *   n (0..2^31-1)        open; n calls are inside a syscall on fd
     *   CLOSED | n, n > 0    close() ran; the last of the n calls closes fd
     *   CLOSED               fd is closed (or being closed by the thread that saw it)
     *   CLOSED | ABANDONED   (| n) fd handed to another owner: closed for this guard,
     *                        and nobody here ever calls close(2) on it
     */
    @SuppressWarnings("unused")
    private volatile int uses;

    private final int fd;
    /** Closes the fd: close(2), or a caller's own way (an io_uring CLOSE); returns 0 or a negative errno. */
    private final IntUnaryOperator closer;

    /** A guard whose close(2) is made at once, on the thread that closes. */
    public FdGuard(int fd) {
        this(fd, FdGuard::closeDirectly);
    }

    /**
     * A guard whose fd is closed by {@code closer} (given the fd, returning 0 or a
     * negative errno): {@link #closeDirectly}, {@link #closeLaterOnLoop}, or an owner's own.
     */
    public FdGuard(int fd, IntUnaryOperator closer) {
        this.fd = fd;
        this.closer = closer;
    }

    /** The guarded fd; use it only between {@link #enter()} and {@link #exit()}. */
    public int fd() {
        return fd;
    }

    /** Begins a call on the fd. Any thread. @return false if the fd is closed or closing */
    public boolean enter() {
        for (;;) {
            int u = (int) USES.getVolatile(this);
            if ((u & CLOSED) != 0) {
                return false;
            }
            if (USES.compareAndSet(this, u, u + 1)) {
                return true;
            }
        }
    }

    /** Ends a call that {@link #enter()} began. Any thread. */
    public void exit() {
        int after = (int) USES.getAndAdd(this, -1) - 1;
        if (after == CLOSED) {
            int r = closeFd();
            if (r < 0) {
                System.getLogger(FdGuard.class.getName()).log(System.Logger.Level.DEBUG, "close of fd " + fd + " failed: " + Errno.name(r));
            }
        }
    }

    /**
     * Gives the fd up without closing it, because another owner now holds it: later
     * {@link #enter()} calls fail and no close(2) is ever made here. Any thread.
     *
     * @return false if the fd was already closed or abandoned
     */
    public boolean abandon() {
        int before = (int) USES.getAndBitwiseOr(this, CLOSED | ABANDONED);
        return (before & CLOSED) == 0;
    }

    /**
     * Closes the fd, now or when the last call inside exits. Any thread; idempotent.
     *
     * @return 0, or the negative errno of a close(2) made now
     */
    public int close() {
        int before = (int) USES.getAndBitwiseOr(this, CLOSED);
        if ((before & CLOSED) != 0 || (before & COUNT) != 0) {
            return 0;
        }
        return closeFd();
    }

    /**
     * A backend that closes fds for its loop thread as part of its next kernel call
     * (io_uring's OP_CLOSE), so a close costs no syscall of its own.
     */
    @FunctionalInterface
    public interface AsyncCloser {
        /** Takes over closing {@code fd}; false if it cannot (the fd is then closed directly). */
        boolean closeLater(int fd);
    }

    /** The loop thread's closer; set by the backend while it runs. */
    private static final ThreadLocal<AsyncCloser> CLOSER = new ThreadLocal<>();

    /** Makes {@code closer} close the fds that the calling (loop) thread releases; null to stop. */
    public static void closeOnThisThreadWith(AsyncCloser closer) {
        if (closer == null) {
            CLOSER.remove();
        } else {
            CLOSER.set(closer);
        }
    }

    private int closeFd() {
        return closer.applyAsInt(fd);
    }

    /** close(2) on the calling thread. */
    public static int closeDirectly(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            return Libc.close(Libc.newCallState(arena), fd);
        }
    }

    /**
     * Leaves the close to the calling loop thread's backend (see {@link AsyncCloser}), or
     * closes at once on any other thread. Only for fds whose close nobody observes at
     * once: not a listener, whose port must be free when close() returns.
     */
    public static int closeLaterOnLoop(int fd) {
        AsyncCloser c = CLOSER.get();
        if (c != null && c.closeLater(fd)) {
            return 0; // an error of the deferred close(2) is logged by the backend
        }
        return closeDirectly(fd);
    }
}
