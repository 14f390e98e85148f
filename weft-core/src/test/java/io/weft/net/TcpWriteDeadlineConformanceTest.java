package io.weft.net;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.Weft;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Write deadlines on a TCP stream whose peer does not read, on every backend: once the
 * socket buffers are full a write waits, and its deadline ends it with a
 * SocketTimeoutException; the stream stays usable, and when the peer reads, every byte
 * written before and after the timeout arrives in order.
 */
@Timeout(120)
class TcpWriteDeadlineConformanceTest {

    /** More than the buffers of both sides can hold however the kernel sizes them; a bound, not a target. */
    private static final long MAX_BUFFERED = 256L << 20;
    private static final int CHUNK = 64 * 1024;

    static Stream<String> backends() {
        return TcpConformanceTest.backends();
    }

    /** The byte at {@code position} of the client's stream: a lost, repeated or reordered byte shows. */
    static byte at(long position) {
        return (byte) (position * 31 + (position >>> 11));
    }

    static void fill(byte[] b, int len, long from) {
        for (int i = 0; i < len; i++) {
            b[i] = at(from + i);
        }
    }

    static void assertJdkLikeTimeout(SocketTimeoutException e, TcpStream c) {
        TcpConformanceTest.assertJdkTimeoutWording("Write", e, c.remoteAddress().getPort());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void aWriteToAPeerThatDoesNotReadTimesOutAndTheStreamStaysUsable(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (TcpListener l = TcpListener.bind(TcpConformanceTest.LOOPBACK);
                 TcpStream c = TcpStream.connect(l.localAddress(), Duration.ofSeconds(10));
                 TcpStream s = l.accept(Duration.ofSeconds(10))) {
                // Small buffers, so they fill soon; the kernel rounds them as it likes.
                c.setSendBufferSize(16 * 1024);
                s.setReceiveBufferSize(16 * 1024);
                byte[] chunk = new byte[CHUNK];
                long written = 0;

                // 1. setWriteTimeout, then write(byte[]): some bytes each call, until the
                //    buffers are full and the next write times out having written nothing.
                c.setWriteTimeout(Duration.ofMillis(200));
                SocketTimeoutException first = null;
                while (first == null) {
                    if (written > MAX_BUFFERED) {
                        fail(written + " bytes went into the buffers of a peer that does not read");
                    }
                    fill(chunk, CHUNK, written);
                    try {
                        written += c.write(chunk, 0, CHUNK);
                    } catch (SocketTimeoutException e) {
                        first = e;
                    }
                }
                assertJdkLikeTimeout(first, c);
                assertTrue(written > 0, "something was written before the buffers filled");

                // 2. writeAll with a deadline: it times out too; the buffer's position says
                //    how much of it went out first.
                c.setWriteTimeout(null);
                fill(chunk, CHUNK, written);
                ByteBuffer rest = ByteBuffer.wrap(chunk);
                SocketTimeoutException second = assertThrows(SocketTimeoutException.class,
                        () -> c.writeAll(rest, Deadline.after(Duration.ofMillis(100))));
                assertJdkLikeTimeout(second, c);
                written += rest.position();

                // 3. write with a deadline, on a still full buffer.
                fill(chunk, CHUNK, written);
                SocketTimeoutException third = assertThrows(SocketTimeoutException.class,
                        () -> c.write(chunk, 0, CHUNK, Deadline.after(Duration.ofMillis(100))));
                assertJdkLikeTimeout(third, c);

                // 4. The peer reads now: a writeAll of one more chunk completes, and every
                //    byte arrives once and in order.
                long total = written + CHUNK;
                Task<Long> reader = Weft.spawn(() -> readAndCheck(s, total));
                fill(chunk, CHUNK, written);
                c.writeAll(chunk, 0, CHUNK, Deadline.after(Duration.ofSeconds(30)));
                assertEquals(total, reader.join(Duration.ofSeconds(60)));

                // 5. And the stream still works both ways.
                s.writeAll("still here".getBytes());
                byte[] back = new byte[10];
                c.readFully(back, Deadline.after(Duration.ofSeconds(10)));
                assertEquals("still here", new String(back));
                assertTrue(c.getOption(StandardSocketOptions.SO_SNDBUF) > 0);
            }
        });
    }

    /** Reads {@code total} bytes from {@code s}, checking each against the pattern. */
    private static long readAndCheck(TcpStream s, long total) throws IOException {
        byte[] buf = new byte[CHUNK];
        long got = 0;
        while (got < total) {
            int n = s.read(buf, 0, (int) Math.min(buf.length, total - got), Deadline.after(Duration.ofSeconds(30)));
            if (n < 0) {
                throw new AssertionError("end of stream after " + got + " of " + total + " bytes");
            }
            for (int i = 0; i < n; i++) {
                if (buf[i] != at(got + i)) {
                    throw new AssertionError("byte " + (got + i) + " is " + buf[i] + ", not " + at(got + i));
                }
            }
            got += n;
        }
        return got;
    }
}
