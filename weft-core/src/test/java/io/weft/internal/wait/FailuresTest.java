package io.weft.internal.wait;

import io.weft.DeadlineExceededException;
import io.weft.internal.linux.Errno;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The error policy's table: each (cancel reason or errno, kind) gives one exception and wording. */
class FailuresTest {

    private static final String PEER = "/127.0.0.1:4000";

    @Test
    void aDeadlineOnSocketIoUsesTheJdkWords() {
        assertEquals("Read timed out: read from " + PEER, timeout("read from").getMessage());
        assertEquals("Read timed out: recvmsg on " + PEER, timeout("recvmsg on").getMessage());
        assertEquals("Read timed out: wait for readable " + PEER, timeout("wait for readable").getMessage());
        assertEquals("Write timed out: write to " + PEER, timeout("write to").getMessage());
        assertEquals("Write timed out: sendmmsg to " + PEER, timeout("sendmmsg to").getMessage());
        assertEquals("Write timed out: wait for writable " + PEER, timeout("wait for writable").getMessage());
        assertEquals("Connect timed out: connect to " + PEER, timeout("connect to").getMessage());
        assertEquals("Accept timed out: accept on " + PEER, timeout("accept on").getMessage());
        assertEquals("Shutdown timed out: shutdown " + PEER, timeout("shutdown").getMessage());
    }

    private static IOException timeout(String call) {
        return assertInstanceOf(SocketTimeoutException.class, Failures.cancelled(Op.CANCEL_TIMEOUT, Failures.SOCKET, call, PEER));
    }

    @Test
    void aKernelEtimedoutKeepsItsErrnoWordingButAPassedDeadlineIsATimeout() {
        IOException dead = Failures.failed(-Errno.ETIMEDOUT, Failures.SOCKET, "read from", PEER, Long.MAX_VALUE);
        assertInstanceOf(SocketTimeoutException.class, dead);
        assertEquals("Connection timed out (ETIMEDOUT): read from " + PEER, dead.getMessage());
        long future = System.nanoTime() + 3_600_000_000_000L;
        assertEquals("Connection timed out (ETIMEDOUT): read from " + PEER,
                Failures.failed(-Errno.ETIMEDOUT, Failures.SOCKET, "read from", PEER, future).getMessage(),
                "a deadline still ahead did not end the op: the kernel did");
        long passed = System.nanoTime() - 1;
        assertEquals("Read timed out: read from " + PEER,
                Failures.failed(-Errno.ETIMEDOUT, Failures.SOCKET, "read from", PEER, passed).getMessage());
        assertEquals("Connection reset by peer (ECONNRESET): read from " + PEER,
                Failures.failed(-Errno.ECONNRESET, Failures.SOCKET, "read from", PEER, passed).getMessage());
    }

    @Test
    void aCloseIsReportedPerKind() {
        IOException socket = Failures.cancelled(Op.CANCEL_CLOSE, Failures.SOCKET, "read from", PEER);
        assertInstanceOf(SocketException.class, socket);
        assertEquals("Socket closed: read from " + PEER, socket.getMessage());
        IOException file = Failures.cancelled(Op.CANCEL_CLOSE, Failures.FILE, "read", Path.of("/tmp/x"));
        assertInstanceOf(AsynchronousCloseException.class, file);
        assertEquals("file closed during read /tmp/x", file.getCause().getMessage());
    }

    @Test
    void aDeadlineOnAFileOrAWaitIsReportedPerKind() {
        IOException file = Failures.cancelled(Op.CANCEL_TIMEOUT, Failures.FILE, "read", Path.of("/tmp/x"));
        assertInstanceOf(InterruptedIOException.class, file);
        assertEquals("read /tmp/x timed out", file.getMessage());
        RuntimeException wait = Failures.cancelled(Op.CANCEL_TIMEOUT, "Channel.receive");
        assertInstanceOf(DeadlineExceededException.class, wait);
        assertEquals("Channel.receive: deadline passed", wait.getMessage());
    }

    @Test
    void aStoppedTaskIsACancellationWhateverTheKind() {
        for (int kind : new int[] {Failures.WAIT, Failures.SOCKET, Failures.FILE}) {
            CancellationException interrupted = assertThrows(CancellationException.class,
                    () -> Failures.cancelled(Op.CANCEL_INTERRUPT, kind, "read from", PEER));
            assertEquals("read from " + PEER + ": interrupted", interrupted.getMessage());
            CancellationException cancelled = assertThrows(CancellationException.class,
                    () -> Failures.cancelled(Op.CANCEL_TASK, kind, "read from", PEER));
            assertEquals("read from " + PEER + ": cancelled", cancelled.getMessage());
        }
        assertEquals("Mutex.lock: interrupted", Failures.cancelled(Op.CANCEL_INTERRUPT, "Mutex.lock").getMessage());
        assertEquals("Mutex.lock: cancelled", Failures.cancelled(Op.CANCEL_TASK, "Mutex.lock").getMessage());
    }

    @Test
    void theTaskCheckNamesTheCallAndTheWayIn() {
        Object loop = new Object();
        assertSame(loop, Failures.inTask(loop, "TcpStream.read"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Failures.inTask(null, "TcpStream.read"));
        assertEquals("TcpStream.read must be called from a Weft task; start one with Weft.run or Runtime.spawn", e.getMessage());
    }
}
