package io.weft.internal.backend.fd;

import io.weft.internal.backend.FileOps;
import io.weft.internal.linux.Errno;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.function.IntUnaryOperator;

/**
 * An open file as a raw file descriptor, for backends that run file ops natively. Ops
 * hold it through {@link io.weft.internal.backend.Handle}; direct calls (ftruncate on the
 * blocking pool) hold it through {@link #enter()} / {@link #exit()}. Either way the fd is
 * closed exactly once, after the last op and the last direct call, as {@link FdSocket}'s is.
 */
public final class FdFile extends FileOps.FileHandle {

    private final FdGuard guard;
    private final int fd;
    private final Object name;

    /**
     * @param fd     an fd from openat, owned from now on
     * @param name   what messages call the file (its path)
     * @param closer how the fd is closed in the end (see {@link FdGuard#FdGuard(int, IntUnaryOperator)})
     */
    public FdFile(int fd, Object name, IntUnaryOperator closer) {
        this.fd = fd;
        this.name = name;
        this.guard = new FdGuard(fd, closer);
    }

    @Override
    public int fd() {
        return fd;
    }

    /** Begins a direct call on {@link #fd()}. Any thread. @throws ClosedChannelException if closed */
    public void enter() throws ClosedChannelException {
        if (isClosed() || !guard.enter()) {
            throw new ClosedChannelException();
        }
    }

    /** Ends a direct call that {@link #enter()} began. */
    public void exit() {
        guard.exit();
    }

    @Override
    protected void closeNow() throws IOException {
        int r = guard.close();
        if (r < 0) {
            throw Errno.exception(r, "close", name);
        }
    }

    @Override
    public String toString() {
        return "fd " + fd + " (" + name + ")";
    }
}
