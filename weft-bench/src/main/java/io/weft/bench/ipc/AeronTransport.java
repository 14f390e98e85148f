package io.weft.bench.ipc;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code aeron-ipc}: an {@code aeron:ipc} exclusive publication and a subscription each
 * way. The responder's JVM runs the embedded media driver (its directory in the run's
 * directory under /dev/shm, deleted on shutdown); both ends are Aeron clients of it and
 * poll with a busy spin.
 *
 * <p>The driver runs in SHARED mode with a 1 ms sleeping idle strategy: on IPC it only sets
 * up the streams and advances the publishers' limits, and on two cores a spinning driver
 * would take the responder's core. Terms of 1 MiB keep the log buffers small.
 */
final class AeronTransport {
    private AeronTransport() {
    }

    static final String CHANNEL = "aeron:ipc";
    static final int REQUEST_STREAM = 1001;
    static final int RESPONSE_STREAM = 1002;
    static final int TERM_LENGTH = 1 << 20;
    static final String DRIVER_DIR = "aeron";

    private static Aeron client(Path dir) {
        Aeron.Context ctx = new Aeron.Context();
        ctx.aeronDirectoryName(dir.resolve(DRIVER_DIR).toString());
        return Aeron.connect(ctx);
    }

    /**
     * Spins on {@code offer} while it is refused for now (back pressure, an admin action,
     * not connected yet); a closed publication throws. The responder gives up when told to
     * stop ({@code owner} not running); the requester ({@code spin} not null) once
     * {@link SpinWait} says the wait has lasted too long.
     */
    private static void offer(Publication pub, DirectBuffer b, int offset, int length, Responder owner, SpinWait spin)
            throws IOException {
        if (spin != null) {
            spin.reset();
        }
        long r;
        while ((r = pub.offer(b, offset, length)) < 0) {
            if (r == Publication.CLOSED || r == Publication.MAX_POSITION_EXCEEDED) {
                throw new IOException("aeron offer refused: " + Publication.errorString(r));
            }
            if (spin != null) {
                spin.spin("room in the aeron publication");
            } else if (owner.running()) {
                Thread.onSpinWait();
            } else {
                return;
            }
        }
    }

    /** The responder: the media driver, and a client that echoes requests onto the response stream. */
    static final class Server extends Responder implements FragmentHandler {
        private final MediaDriver driver;
        private final Aeron aeron;
        private final Subscription requests;
        private final ExclusivePublication responses;

        Server(Path dir) {
            MediaDriver.Context ctx = new MediaDriver.Context()
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
                    .ipcTermBufferLength(TERM_LENGTH)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true);
            ctx.aeronDirectoryName(dir.resolve(DRIVER_DIR).toString());
            driver = MediaDriver.launchEmbedded(ctx);
            aeron = client(dir);
            requests = aeron.addSubscription(CHANNEL, REQUEST_STREAM);
            responses = aeron.addExclusivePublication(CHANNEL, RESPONSE_STREAM);
            start("aeron");
        }

        @Override
        public String info() {
            return "embedded media driver, SHARED threading, 1 ms sleeping idle, ipc term " + TERM_LENGTH + " B";
        }

        @Override
        void serve() {
            while (running()) {
                if (requests.poll(this, 16) == 0) {
                    Thread.onSpinWait();
                }
            }
        }

        @Override
        public void onFragment(DirectBuffer buffer, int offset, int length, Header header) {
            try {
                offer(responses, buffer, offset, length, this, null);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        void release() {
            try (MediaDriver d = driver) {
                aeron.close();
            }
        }
    }

    /** The requester: a client of the responder's driver. */
    static final class Client implements IpcRequester, FragmentHandler {
        private final Aeron aeron;
        private final ExclusivePublication requests;
        private final Subscription responses;
        private final UnsafeBuffer message;
        private final SpinWait spin = new SpinWait();
        /** The sequence number of the response read last; written by onFragment. */
        private long received;

        Client(Path dir, int size) throws IOException {
            aeron = client(dir);
            requests = aeron.addExclusivePublication(CHANNEL, REQUEST_STREAM);
            responses = aeron.addSubscription(CHANNEL, RESPONSE_STREAM);
            try {
                spin.reset();
                while (!requests.isConnected() || !responses.isConnected()) {
                    spin.spin("connection of both aeron streams");
                }
            } catch (IOException e) {
                aeron.close();
                throw e;
            }
            message = new UnsafeBuffer(IpcRequester.template(size));
        }

        @Override
        public void send(long seq) throws IOException {
            message.putLong(0, seq);
            offer(requests, message, 0, message.capacity(), null, spin);
        }

        @Override
        public long receive() throws IOException {
            spin.reset();
            while (responses.poll(this, 1) == 0) {
                spin.spin("response");
            }
            return received;
        }

        @Override
        public void onFragment(DirectBuffer buffer, int offset, int length, Header header) {
            received = buffer.getLong(offset);
        }

        @Override
        public void close() {
            aeron.close();
        }
    }
}
