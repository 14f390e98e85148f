package io.weft.bench.pubsub;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.weft.Blocking;
import io.weft.Deadline;
import io.weft.DeadlineExceededException;
import io.weft.Weft;
import io.weft.ipc.WaitStrategy;
import io.weft.pubsub.Message;
import io.weft.pubsub.PubSubClient;
import io.weft.pubsub.PubSubServer;
import io.weft.pubsub.Publisher;
import io.weft.pubsub.PublisherOptions;
import io.weft.pubsub.Slot;
import io.weft.pubsub.Subscriber;
import io.weft.pubsub.SubscriberOptions;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The contenders' two ends: a {@link Sender} in the benchmark's JVM (with whatever the
 * contender needs beside it: the pub/sub server, Aeron's media driver, the broker) and a
 * {@link Receiver} in each subscriber JVM. Every message carries its publish time
 * (System.nanoTime, one clock for every process on Linux) in its first 8 bytes; the rest is
 * left as it is, so a zero-copy transport moves no payload bytes and a copying one copies
 * them all.
 */
final class Fanout {
    private Fanout() {
    }

    static final String AERON_DIR = "aeron";
    static final int AERON_STREAM = 2001;
    static final int SLOTS = 4096;

    /** The publishing end. */
    interface Sender extends AutoCloseable {
        /** Publishes one message of the run's size stamped {@code timestamp}; false if an unreliable transport dropped it here. */
        boolean send(long timestamp) throws IOException;

        @Override
        void close() throws Exception;
    }

    /** A subscriber's end. */
    interface Receiver extends AutoCloseable {
        /** The next message's timestamp, or -1 if none came within about 100 ms. */
        long receive() throws IOException;

        /** Messages the transport says this subscriber missed. */
        default long dropped() {
            return 0;
        }

        @Override
        void close() throws Exception;
    }

    static Sender sender(PubSubContender c, Path dir, int size, int subscribers) throws Exception {
        return switch (c) {
            case AERON_IPC -> new AeronSender(dir, size);
            case UNIX_SOCKET_BROKER -> new BrokerSender(dir, size, subscribers);
            case FLOOR -> throw new IllegalArgumentException("the floor has no sender");
            default -> new WeftSender(c, dir, size);
        };
    }

    static Receiver receiver(PubSubContender c, Path dir) throws Exception {
        return switch (c) {
            case AERON_IPC -> new AeronReceiver(dir);
            case UNIX_SOCKET_BROKER -> new BrokerReceiver(dir);
            case FLOOR -> throw new IllegalArgumentException("the floor has no receiver");
            default -> new WeftReceiver(c, dir);
        };
    }

    // ---- weft-pubsub ----------------------------------------------------------------------

    /** The server and the publisher live in a Weft runtime on a thread of their own; send() runs on the caller's thread. */
    static final class WeftSender implements Sender {
        private final CountDownLatch stop = new CountDownLatch(1);
        private final Thread runtime;
        private final Publisher publisher;
        private final int size;

        WeftSender(PubSubContender c, Path dir, int size) throws Exception {
            this.size = size;
            CompletableFuture<Publisher> made = new CompletableFuture<>();
            runtime = Thread.ofPlatform().name("pubsub-bench-runtime").start(() -> {
                try {
                    Weft.run(() -> {
                        try (PubSubServer server = PubSubServer.bind(dir.resolve("pubsub.sock"));
                             PubSubClient client = PubSubClient.connect(server.socket());
                             Publisher pub = client.publisher("bench", PublisherOptions.defaults().withSlots(size, SLOTS)
                                     .withReliable(c.reliable()).withWaitStrategy(c.spins() ? WaitStrategy.busySpin() : WaitStrategy.notifying()))) {
                            made.complete(pub);
                            Blocking.call(() -> stop.await(1, TimeUnit.HOURS));
                        }
                    });
                } catch (Throwable t) {
                    made.completeExceptionally(t);
                }
            });
            publisher = made.get(60, TimeUnit.SECONDS);
        }

        @Override
        public boolean send(long timestamp) throws IOException {
            Slot s = publisher.claim(Deadline.NONE);
            s.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, 0, timestamp);
            s.publish(size);
            return true;
        }

        @Override
        public void close() throws InterruptedException {
            stop.countDown();
            runtime.join(Duration.ofSeconds(30));
        }
    }

    static final class WeftReceiver implements Receiver {
        private final CountDownLatch stop = new CountDownLatch(1);
        private final Thread runtime;
        private final Subscriber subscriber;

        WeftReceiver(PubSubContender c, Path dir) throws Exception {
            CompletableFuture<Subscriber> made = new CompletableFuture<>();
            runtime = Thread.ofPlatform().name("pubsub-bench-runtime").start(() -> {
                try {
                    Weft.run(() -> {
                        try (PubSubClient client = PubSubClient.connect(dir.resolve("pubsub.sock"));
                             Subscriber sub = client.subscriber("bench", SubscriberOptions.defaults().withReliable(c.reliable())
                                     .withWaitStrategy(c.spins() ? WaitStrategy.busySpin() : WaitStrategy.notifying()))) {
                            made.complete(sub);
                            Blocking.call(() -> stop.await(1, TimeUnit.HOURS));
                        }
                    });
                } catch (Throwable t) {
                    made.completeExceptionally(t);
                }
            });
            subscriber = made.get(60, TimeUnit.SECONDS);
        }

        @Override
        public long receive() throws IOException {
            try (Message m = subscriber.next(Deadline.after(Duration.ofMillis(100)))) {
                return m.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            } catch (DeadlineExceededException e) {
                return -1;
            }
        }

        @Override
        public long dropped() {
            return subscriber.dropped();
        }

        @Override
        public void close() throws InterruptedException {
            stop.countDown();
            runtime.join(Duration.ofSeconds(30));
        }
    }

    // ---- aeron-ipc ------------------------------------------------------------------------

    private static Aeron aeron(Path dir) {
        Aeron.Context ctx = new Aeron.Context();
        ctx.aeronDirectoryName(dir.resolve(AERON_DIR).toString());
        return Aeron.connect(ctx);
    }

    /** The embedded media driver (SHARED, 1 ms sleeping idle: it only sets up streams on IPC) and an exclusive publication. */
    static final class AeronSender implements Sender {
        private final MediaDriver driver;
        private final Aeron aeron;
        private final ExclusivePublication pub;
        private final UnsafeBuffer message;

        AeronSender(Path dir, int size) {
            MediaDriver.Context ctx = new MediaDriver.Context().threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(new SleepingMillisIdleStrategy(1)).ipcTermBufferLength(16 << 20)
                    .dirDeleteOnStart(true).dirDeleteOnShutdown(true);
            ctx.aeronDirectoryName(dir.resolve(AERON_DIR).toString());
            driver = MediaDriver.launchEmbedded(ctx);
            aeron = aeron(dir);
            pub = aeron.addExclusivePublication("aeron:ipc", AERON_STREAM);
            message = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        }

        @Override
        public boolean send(long timestamp) throws IOException {
            message.putLong(0, timestamp);
            long r;
            while ((r = pub.offer(message, 0, message.capacity())) < 0) {
                if (r == Publication.CLOSED || r == Publication.MAX_POSITION_EXCEEDED) {
                    throw new IOException("aeron offer refused: " + Publication.errorString(r));
                }
                Thread.onSpinWait(); // back pressure from the slowest subscriber, or not connected yet
            }
            return true;
        }

        /** True once a subscriber is connected (each one waits for its own connection before it says READY). */
        boolean connected() {
            return pub.isConnected();
        }

        @Override
        public void close() {
            try (MediaDriver d = driver) {
                aeron.close();
            }
        }
    }

    static final class AeronReceiver implements Receiver {
        private final Aeron aeron;
        private final Subscription sub;
        private long last;

        AeronReceiver(Path dir) throws IOException {
            aeron = aeron(dir);
            sub = aeron.addSubscription("aeron:ipc", AERON_STREAM);
            long end = System.nanoTime() + 30_000_000_000L;
            while (!sub.isConnected()) {
                if (System.nanoTime() - end > 0) {
                    aeron.close();
                    throw new IOException("the aeron subscription did not connect within 30 s");
                }
                Thread.onSpinWait();
            }
        }

        @Override
        public long receive() {
            long end = System.nanoTime() + 100_000_000L;
            int round = 0;
            while (sub.poll((buffer, offset, length, header) -> last = buffer.getLong(offset), 1) == 0) {
                Thread.onSpinWait();
                if ((++round & 1023) == 0 && System.nanoTime() - end > 0) {
                    return -1;
                }
            }
            return last;
        }

        @Override
        public void close() {
            aeron.close();
        }
    }

    // ---- unix-socket-broker ---------------------------------------------------------------

    /**
     * A broker thread that copies each message it reads from the publisher's connection to
     * every subscriber's connection: the hand-written pub/sub over Unix sockets. Frames are
     * a 4-byte length and the message.
     */
    static final class BrokerSender implements Sender {
        private final ServerSocketChannel listener;
        private final SocketChannel toBroker;
        private final Thread broker;
        private final ByteBuffer frame;

        BrokerSender(Path dir, int size, int subscribers) throws IOException {
            Path socket = dir.resolve("broker.sock");
            listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
            toBroker = SocketChannel.open(UnixDomainSocketAddress.of(socket));
            SocketChannel fromPublisher = listener.accept();
            frame = ByteBuffer.allocateDirect(4 + size).order(ByteOrder.LITTLE_ENDIAN);
            frame.putInt(0, size);
            broker = Thread.ofPlatform().name("pubsub-bench-broker").daemon(true).start(() -> relay(fromPublisher, subscribers, size));
        }

        private void relay(SocketChannel in, int subscribers, int size) {
            List<SocketChannel> outs = new ArrayList<>();
            ByteBuffer b = ByteBuffer.allocateDirect(4 + size);
            try {
                for (int i = 0; i < subscribers; i++) {
                    outs.add(listener.accept());
                }
                while (true) {
                    b.clear();
                    while (b.hasRemaining()) {
                        if (in.read(b) < 0) {
                            return;
                        }
                    }
                    for (SocketChannel out : outs) {
                        b.flip();
                        while (b.hasRemaining()) {
                            out.write(b);
                        }
                    }
                }
            } catch (IOException e) {
                // closed: the run is over
            } finally {
                for (SocketChannel out : outs) {
                    try {
                        out.close();
                    } catch (IOException ignored) {
                        // ending anyway
                    }
                }
            }
        }

        @Override
        public boolean send(long timestamp) throws IOException {
            frame.clear();
            frame.putLong(4, timestamp);
            while (frame.hasRemaining()) {
                toBroker.write(frame);
            }
            return true;
        }

        @Override
        public void close() throws Exception {
            toBroker.close();
            listener.close();
            broker.join(Duration.ofSeconds(5));
        }
    }

    static final class BrokerReceiver implements Receiver {
        private final SocketChannel ch;
        private final ByteBuffer head = ByteBuffer.allocateDirect(12).order(ByteOrder.LITTLE_ENDIAN);
        private ByteBuffer rest = ByteBuffer.allocateDirect(0);

        BrokerReceiver(Path dir) throws IOException {
            ch = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("broker.sock")));
        }

        @Override
        public long receive() throws IOException {
            head.clear();
            fill(head);
            int size = head.getInt(0);
            if (rest.capacity() != size - 8) {
                rest = ByteBuffer.allocateDirect(size - 8);
            }
            rest.clear();
            fill(rest);
            return head.getLong(4);
        }

        private void fill(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                if (ch.read(b) < 0) {
                    throw new IOException("the broker closed the connection");
                }
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
