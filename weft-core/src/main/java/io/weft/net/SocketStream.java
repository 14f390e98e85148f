package io.weft.net;

import io.weft.Deadline;
import io.weft.internal.backend.NetOps;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.backend.Vectored;
import io.weft.internal.loop.EventLoop;
import io.weft.internal.wait.SelectHooks;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * A connected byte stream read and written in blocking style from Weft tasks: the part
 * that {@link TcpStream}, {@link UnixStream} and {@link VsockStream} share.
 *
 * <pre>{@code
 * try (SocketStream s = TcpStream.connect(new InetSocketAddress("127.0.0.1", port), Duration.ofSeconds(1))) {
 *     s.writeAll("ping".getBytes());
 *     byte[] reply = new byte[4];
 *     s.readFully(reply, Deadline.after(Duration.ofSeconds(1)));
 * }
 * }</pre>
 *
 * <p>Every read and write is a Weft wait. Each method has a form taking a
 * {@link Deadline}; the others use the stream's default timeouts
 * ({@link #setReadTimeout}, {@link #setWriteTimeout}; none unless set). A deadline that
 * passes throws {@link java.net.SocketTimeoutException}; the stream stays usable.
 *
 * <p>Cancellation (task cancelled, thread interrupted) throws
 * {@link java.util.concurrent.CancellationException} and leaves the stream intact: a
 * read either returns the bytes it consumed or throws having consumed none, so the next
 * read continues exactly where the stream was. Closing the stream from another task makes
 * a pending read or write throw {@link java.net.SocketException} ("Socket closed").
 *
 * <p>Buffers may be {@code byte[]}, heap or direct {@link ByteBuffer}s, or
 * {@link MemorySegment}s; native segments go to the kernel without a copy where the
 * backend can. One task should read and one write at a time; concurrent reads from two
 * tasks are safe but their order is not defined.
 */
public abstract sealed class SocketStream implements AutoCloseable permits TcpStream, UnixStream, VsockStream {

    static {
        SelectHooks.install(SocketStream.class, (s, event) -> new StreamReadiness(s.handle, event));
    }

    final SocketHandle handle;
    /** What error messages name: the peer's address. */
    final Object target;
    /** The public class name, for "must be called from a Weft task" messages. */
    private final String kind;
    /** Default timeouts (null: none); set by any task, read by each read or write on any loop, hence volatile. */
    private volatile Duration readTimeout;
    private volatile Duration writeTimeout;

    SocketStream(SocketHandle handle, Object target, String kind) {
        this.handle = handle;
        this.target = target;
        this.kind = kind;
    }

    // ---- reading ------------------------------------------------------------------------

    /** Reads up to {@code b.length} bytes; returns the count, or -1 at end of stream. */
    public int read(byte[] b) throws IOException {
        return read(b, 0, b.length, readDeadline());
    }

    /** Reads up to {@code len} bytes into {@code b[off..]}; returns the count, or -1 at end of stream. */
    public int read(byte[] b, int off, int len) throws IOException {
        return read(b, off, len, readDeadline());
    }

    /** Like {@link #read(byte[], int, int)}, waiting until {@code deadline}. */
    public int read(byte[] b, int off, int len, Deadline deadline) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        return read(MemorySegment.ofArray(b).asSlice(off, len), deadline);
    }

    /** Reads into {@code dst}'s remaining space, advancing its position; -1 at end of stream. */
    public int read(ByteBuffer dst) throws IOException {
        return read(dst, readDeadline());
    }

    /** Like {@link #read(ByteBuffer)}, waiting until {@code deadline}. */
    public int read(ByteBuffer dst, Deadline deadline) throws IOException {
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        int n = read(MemorySegment.ofBuffer(dst), deadline);
        if (n > 0) {
            dst.position(dst.position() + n);
        }
        return n;
    }

    /** Reads into {@code dst} (heap or native); returns the count, or -1 at end of stream. */
    public int read(MemorySegment dst) throws IOException {
        return read(dst, readDeadline());
    }

    /** Like {@link #read(MemorySegment)}, waiting until {@code deadline}. */
    public int read(MemorySegment dst, Deadline deadline) throws IOException {
        if (dst.byteSize() == 0) {
            return 0;
        }
        MemorySegment into = dst.byteSize() > Integer.MAX_VALUE ? dst.asSlice(0, Integer.MAX_VALUE) : dst;
        EventLoop loop = NetIo.loop(kind + ".read");
        long n = NetIo.run(loop, new NetOps.Read(handle, into), deadline.nanoTime(), "read from", target);
        return n == 0 ? -1 : (int) n;
    }

    /** Reads exactly {@code b.length} bytes. @throws EOFException if the stream ends first */
    public void readFully(byte[] b) throws IOException {
        readFully(b, 0, b.length, readDeadline());
    }

    /** Reads exactly {@code b.length} bytes by {@code deadline} (one deadline for the whole). */
    public void readFully(byte[] b, Deadline deadline) throws IOException {
        readFully(b, 0, b.length, deadline);
    }

    /** Reads exactly {@code len} bytes into {@code b[off..]}. @throws EOFException if the stream ends first */
    public void readFully(byte[] b, int off, int len) throws IOException {
        readFully(b, off, len, readDeadline());
    }

    /** Like {@link #readFully(byte[], int, int)}, by {@code deadline} (one deadline for the whole). */
    public void readFully(byte[] b, int off, int len, Deadline deadline) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        int done = 0;
        while (done < len) {
            int n = read(b, off + done, len - done, deadline);
            if (n < 0) {
                throw new EOFException("end of stream after " + done + " of " + len + " bytes from " + target);
            }
            done += n;
        }
    }

    /** Fills {@code dst}'s remaining space. @throws EOFException if the stream ends first */
    public void readFully(ByteBuffer dst, Deadline deadline) throws IOException {
        int want = dst.remaining();
        while (dst.hasRemaining()) {
            if (read(dst, deadline) < 0) {
                throw new EOFException("end of stream after " + (want - dst.remaining()) + " of " + want + " bytes from " + target);
            }
        }
    }

    // ---- writing ------------------------------------------------------------------------

    /** Writes some of {@code b[off..off+len)}, at least one byte; returns the count. */
    public int write(byte[] b, int off, int len) throws IOException {
        return write(b, off, len, writeDeadline());
    }

    /** Like {@link #write(byte[], int, int)}, waiting until {@code deadline}. */
    public int write(byte[] b, int off, int len, Deadline deadline) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        return write(MemorySegment.ofArray(b).asSlice(off, len), deadline);
    }

    /** Writes some of {@code src}'s remaining bytes, advancing its position; returns the count. */
    public int write(ByteBuffer src, Deadline deadline) throws IOException {
        if (!src.hasRemaining()) {
            return 0;
        }
        int n = write(MemorySegment.ofBuffer(src), deadline);
        src.position(src.position() + n);
        return n;
    }

    /** Writes some of {@code src} (heap or native), at least one byte; returns the count. */
    public int write(MemorySegment src, Deadline deadline) throws IOException {
        if (src.byteSize() == 0) {
            return 0;
        }
        MemorySegment from = src.byteSize() > Integer.MAX_VALUE ? src.asSlice(0, Integer.MAX_VALUE) : src;
        EventLoop loop = NetIo.loop(kind + ".write");
        return (int) NetIo.run(loop, new NetOps.Write(handle, from), deadline.nanoTime(), "write to", target);
    }

    /** Writes all of {@code b}. */
    public void writeAll(byte[] b) throws IOException {
        writeAll(b, 0, b.length, writeDeadline());
    }

    /** Writes all of {@code b[off..off+len)}. */
    public void writeAll(byte[] b, int off, int len) throws IOException {
        writeAll(b, off, len, writeDeadline());
    }

    /** Writes all of {@code b[off..off+len)} by {@code deadline}. */
    public void writeAll(byte[] b, int off, int len, Deadline deadline) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        writeAll(MemorySegment.ofArray(b).asSlice(off, len), deadline);
    }

    /** Writes all of {@code src}'s remaining bytes, advancing its position. */
    public void writeAll(ByteBuffer src) throws IOException {
        writeAll(src, writeDeadline());
    }

    /** Like {@link #writeAll(ByteBuffer)} by {@code deadline}. */
    public void writeAll(ByteBuffer src, Deadline deadline) throws IOException {
        while (src.hasRemaining()) {
            write(src, deadline);
        }
    }

    /** Writes all of {@code src}. */
    public void writeAll(MemorySegment src) throws IOException {
        writeAll(src, writeDeadline());
    }

    /** Writes all of {@code src} by {@code deadline}. */
    public void writeAll(MemorySegment src, Deadline deadline) throws IOException {
        long done = 0;
        long len = src.byteSize();
        while (done < len) {
            done += write(src.asSlice(done), deadline);
        }
    }

    // ---- vectored I/O ---------------------------------------------------------------------

    /**
     * A scattering read: fills {@code dsts}' remaining space in order, advancing their
     * positions, with one read (readv where the backend has it). Returns the bytes read,
     * 0 if no buffer has room, or -1 at end of stream. Up to 64 buffers take part in one
     * call; the rest wait for the next.
     */
    public long read(ByteBuffer[] dsts) throws IOException {
        return read(dsts, readDeadline());
    }

    /** Like {@link #read(ByteBuffer[])}, waiting until {@code deadline}. */
    public long read(ByteBuffer[] dsts, Deadline deadline) throws IOException {
        for (ByteBuffer b : dsts) {
            if (b.isReadOnly()) {
                throw new ReadOnlyBufferException();
            }
        }
        MemorySegment[] segments = segments(dsts);
        if (segments.length == 0) {
            return 0;
        }
        EventLoop loop = NetIo.loop(kind + ".read");
        long n = NetIo.run(loop, new NetOps.ReadV(handle, segments), deadline.nanoTime(), "read from", target);
        if (n == 0) {
            return -1;
        }
        advance(dsts, n);
        return n;
    }

    /**
     * A gathering write: writes some of {@code srcs}' remaining bytes in order, advancing
     * their positions, with one write (writev where the backend has it). Returns the
     * count: at least 1 unless nothing remains. Up to 64 buffers take part in one call.
     */
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, writeDeadline());
    }

    /** Like {@link #write(ByteBuffer[])}, waiting until {@code deadline}. */
    public long write(ByteBuffer[] srcs, Deadline deadline) throws IOException {
        MemorySegment[] segments = segments(srcs);
        if (segments.length == 0) {
            return 0;
        }
        EventLoop loop = NetIo.loop(kind + ".write");
        long n = NetIo.run(loop, new NetOps.WriteV(handle, segments), deadline.nanoTime(), "write to", target);
        advance(srcs, n);
        return n;
    }

    /** Writes every remaining byte of {@code srcs}, in order. */
    public void writeAll(ByteBuffer[] srcs) throws IOException {
        writeAll(srcs, writeDeadline());
    }

    /** Like {@link #writeAll(ByteBuffer[])}, with one deadline for the whole. */
    public void writeAll(ByteBuffer[] srcs, Deadline deadline) throws IOException {
        while (write(srcs, deadline) > 0) {
            // each call moves positions on; it returns 0 once nothing remains
        }
    }

    /** The remaining space of each buffer that has some, the first 64 of them. */
    private static MemorySegment[] segments(ByteBuffer[] buffers) {
        MemorySegment[] out = new MemorySegment[Math.min(buffers.length, Vectored.MAX_SEGMENTS)];
        int n = 0;
        for (int i = 0; i < buffers.length && n < out.length; i++) {
            if (buffers[i].hasRemaining()) {
                out[n++] = MemorySegment.ofBuffer(buffers[i]);
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    private static void advance(ByteBuffer[] buffers, long n) {
        for (int i = 0; i < buffers.length && n > 0; i++) {
            int step = (int) Math.min(buffers[i].remaining(), n);
            buffers[i].position(buffers[i].position() + step);
            n -= step;
        }
    }

    // ---- readiness ----------------------------------------------------------------------

    /**
     * Waits until a read would not wait: bytes, the end of the stream or an error are
     * pending. Consumes nothing. To wait for a socket among other things (channels,
     * tasks), use {@link io.weft.sync.Select#onReadable}.
     *
     * @throws java.net.SocketTimeoutException the deadline passed first
     */
    public void awaitReadable(Deadline deadline) throws IOException {
        EventLoop loop = NetIo.loop(kind + ".awaitReadable");
        NetIo.run(loop, new NetOps.Poll(handle, NetOps.POLLIN), deadline.nanoTime(), "wait for readable", target);
    }

    /**
     * Waits until a write would not wait: there is room in the send buffer, or an error
     * is pending. See {@link io.weft.sync.Select#onWritable}.
     *
     * @throws java.net.SocketTimeoutException the deadline passed first
     */
    public void awaitWritable(Deadline deadline) throws IOException {
        EventLoop loop = NetIo.loop(kind + ".awaitWritable");
        NetIo.run(loop, new NetOps.Poll(handle, NetOps.POLLOUT), deadline.nanoTime(), "wait for writable", target);
    }

    // ---- timeouts and closing --------------------------------------------------------------------------------------------------------

    /** The timeout for reads that take no deadline; null or zero for none (the default). */
    public void setReadTimeout(Duration timeout) {
        this.readTimeout = timeout == null || timeout.isZero() ? null : timeout;
    }

    /** The timeout for writes that take no deadline; null or zero for none (the default). */
    public void setWriteTimeout(Duration timeout) {
        this.writeTimeout = timeout == null || timeout.isZero() ? null : timeout;
    }

    final Deadline readDeadline() {
        Duration t = readTimeout;
        return t == null ? Deadline.NONE : Deadline.after(t);
    }

    final Deadline writeDeadline() {
        Duration t = writeTimeout;
        return t == null ? Deadline.NONE : Deadline.after(t);
    }

    /** Sends FIN: the peer reads end of stream; this side can still read. */
    public void shutdownOutput() throws IOException {
        shutdown(NetOps.SHUT_WR, "shutdown output of");
    }

    /** This side will read no more. */
    public void shutdownInput() throws IOException {
        shutdown(NetOps.SHUT_RD, "shutdown input of");
    }

    /** As an op on a task's loop (io_uring batches it with the loop's other work); else directly. */
    private void shutdown(int how, String call) throws IOException {
        EventLoop loop = EventLoop.current();
        if (loop == null) {
            if (how == NetOps.SHUT_WR) {
                handle.shutdownOutput();
            } else {
                handle.shutdownInput();
            }
            return;
        }
        NetIo.run(loop, new NetOps.Shutdown(handle, how), Deadline.NONE.nanoTime(), call, target);
    }

    public final boolean isClosed() {
        return handle.isClosed();
    }

    /** Closes the connection; reads and writes pending in other tasks throw "Socket closed". Idempotent. */
    @Override
    public final void close() throws IOException {
        handle.close();
    }


    // ---- stream adapters ----------------------------------------------------------------

    /** An {@link InputStream} over this connection (its reads use the read timeout). Closing it closes the stream. */
    public InputStream inputStream() {
        return new InputStream() {
            private final byte[] one = new byte[1];

            @Override
            public int read() throws IOException {
                int n = SocketStream.this.read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return SocketStream.this.read(b, off, len);
            }

            @Override
            public void close() throws IOException {
                SocketStream.this.close();
            }
        };
    }

    /** An {@link OutputStream} over this connection (its writes use the write timeout). Closing it closes the stream. */
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                writeAll(new byte[] {(byte) b});
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writeAll(b, off, len, writeDeadline());
            }

            @Override
            public void close() throws IOException {
                SocketStream.this.close();
            }
        };
    }
}
