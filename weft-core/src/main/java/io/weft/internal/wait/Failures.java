package io.weft.internal.wait;

import io.weft.DeadlineExceededException;
import io.weft.internal.linux.Errno;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.util.concurrent.CancellationException;

/**
 * The error policy: the one place that turns the way a wait or an op ended (a cancel
 * reason, a negative errno) into the exception its caller sees, and the one "must be
 * called from a Weft task" check.
 *
 * <p>The same for every kind of wait:
 * <pre>
 *   cancel reason         exception
 *   CANCEL_INTERRUPT      CancellationException   "WHAT: interrupted"
 *   CANCEL_TASK, others   CancellationException   "WHAT: cancelled"
 *   CANCEL_TIMEOUT        depends on the kind, below
 *   CANCEL_CLOSE          depends on the kind, below
 *   -errno                Errno.exception: "strerror (ENAME): CALL TARGET"
 * </pre>
 * What differs, and is the {@code kind} parameter ({@link #WAIT}, {@link #SOCKET} or
 * {@link #FILE}): a deadline on socket I/O is the JDK's {@link SocketTimeoutException}
 * "Read timed out" (the stream stays usable), on file I/O an {@link InterruptedIOException},
 * on any other wait a {@link DeadlineExceededException};
 * a close under a socket op is a {@link SocketException} "Socket closed", under a file op
 * an {@link AsynchronousCloseException}. A kernel's own {@code ETIMEDOUT} (a dead TCP peer)
 * keeps its errno wording, unless the op had a deadline that has passed: a backend that
 * enforces deadlines itself (io_uring's linked timeouts) reports them as {@code ETIMEDOUT}.
 */
public final class Failures {
    private Failures() {
    }

    // What was waited for; decides how a deadline and a close are reported. Plain int
    // constants, not an enum: an error path must need no class it has not loaded yet, since
    // with the descriptor table full (EMFILE) not even a class file can be opened.
    /** A wait that does no I/O: a sync primitive, a join, a sleep, a futex. */
    public static final int WAIT = 0;
    /** An op on a socket. */
    public static final int SOCKET = 1;
    /** An op on a file. */
    public static final int FILE = 2;

    /**
     * Returns {@code current} (the caller's loop, runtime or task), or throws because the
     * caller is not a Weft task.
     *
     * @param call the public call, such as {@code "TcpStream.read"}
     * @throws IllegalStateException if {@code current} is null
     */
    public static <T> T inTask(T current, String call) {
        if (current == null) {
            throw notInTask(call);
        }
        return current;
    }

    /** The exception for {@code call} made outside a Weft task. */
    public static IllegalStateException notInTask(String call) {
        return new IllegalStateException(call + " must be called from a Weft task; start one with Weft.run or Runtime.spawn");
    }

    /**
     * The exception for a wait that does no I/O and ended by cancellation for {@code reason}:
     * {@link DeadlineExceededException} or {@link CancellationException}.
     *
     * @param what the wait, such as {@code "Channel.receive"}
     */
    public static RuntimeException cancelled(int reason, String what) {
        if (reason == Op.CANCEL_TIMEOUT) {
            return new DeadlineExceededException(what + ": deadline passed");
        }
        return stopped(reason, what);
    }

    /**
     * The exception for an I/O op that ended by cancellation for {@code reason}. An
     * IOException is returned for the caller to throw; a CancellationException is thrown.
     *
     * @param call   what was being done, such as {@code "read from"}
     * @param target what it was done to (an address, a path)
     */
    public static IOException cancelled(int reason, int kind, String call, Object target) {
        return switch (reason) {
            case Op.CANCEL_TIMEOUT -> timedOut(kind, call, target);
            case Op.CANCEL_CLOSE -> closed(kind, call, target);
            default -> throw stopped(reason, describe(call, target));
        };
    }

    /**
     * The exception for an I/O op that failed with {@code -errno}. An op whose deadline
     * has passed and that failed with {@code ETIMEDOUT} was ended by that deadline.
     *
     * @param deadline the op's deadline on the System.nanoTime scale, or {@link Long#MAX_VALUE}
     */
    public static IOException failed(long errno, int kind, String call, Object target, long deadline) {
        int e = (int) Math.abs(errno);
        if (e == Errno.ETIMEDOUT && deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0) {
            return timedOut(kind, call, target);
        }
        return Errno.exception(e, call, target);
    }

    /**
     * The exception for an I/O op whose deadline passed. On a socket, the JDK's words:
     * "Read timed out", "Write timed out", "Connect timed out" or "Accept timed out",
     * followed by the call and its target.
     */
    public static IOException timedOut(int kind, String call, Object target) {
        return switch (kind) {
            case SOCKET -> new SocketTimeoutException(jdkVerb(call) + " timed out: " + describe(call, target));
            case FILE -> new InterruptedIOException(describe(call, target) + " timed out");
            default -> throw new DeadlineExceededException(describe(call, target) + ": deadline passed");
        };
    }

    /** The exception for an op whose handle was closed under it. */
    private static IOException closed(int kind, String call, Object target) {
        return switch (kind) {
            case SOCKET -> new SocketException("Socket closed: " + describe(call, target));
            case FILE -> {
                AsynchronousCloseException e = new AsynchronousCloseException();
                e.initCause(new IOException("file closed during " + describe(call, target)));
                yield e;
            }
            default -> throw stopped(Op.CANCEL_CLOSE, describe(call, target));
        };
    }

    /** A cancel that is neither a deadline nor a close: the task or thread was stopped. */
    private static CancellationException stopped(int reason, String what) {
        return new CancellationException(what + (reason == Op.CANCEL_INTERRUPT ? ": interrupted" : ": cancelled"));
    }

    private static String describe(String call, Object target) {
        return target == null ? call : call + " " + target;
    }

    /**
     * The word the JDK's socket timeouts start with, from the call's own words: a read,
     * receive or wait for readable data is a "Read", a write, send or wait for room a
     * "Write"; connect and accept are themselves.
     */
    static String jdkVerb(String call) {
        if (call.startsWith("read") || call.startsWith("recv") || call.equals("wait for readable")) {
            return "Read";
        }
        if (call.startsWith("write") || call.startsWith("send") || call.equals("wait for writable")) {
            return "Write";
        }
        if (call.startsWith("connect")) {
            return "Connect";
        }
        if (call.startsWith("accept")) {
            return "Accept";
        }
        int space = call.indexOf(' ');
        String verb = space < 0 ? call : call.substring(0, space);
        return verb.isEmpty() ? "Operation" : Character.toUpperCase(verb.charAt(0)) + verb.substring(1);
    }
}
