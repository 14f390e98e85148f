package io.weft.pubsub;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.Weft;
import io.weft.net.OwnedFd;
import io.weft.net.PeerCredentials;
import io.weft.net.UnixMessage;
import io.weft.net.UnixStream;
import io.weft.sync.Channel;
import io.weft.sync.Promise;
import io.weft.sync.Semaphore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A connection to a {@link PubSubServer}, from which this process makes publishers and
 * subscribers. The connection carries only set-up requests; messages go through shared
 * memory.
 *
 * <pre>{@code
 * try (PubSubClient client = PubSubClient.connect();
 *      Publisher pub = client.publisher("camera", PublisherOptions.defaults().withSlots(1 << 20, 8))) {
 *     try (Slot s = pub.claim(Deadline.after(Duration.ofSeconds(1)))) {
 *         int n = fill(s.segment());
 *         s.publish(n);
 *     }
 * }
 * }</pre>
 *
 * <p>{@link #connect} must be called from a Weft task; after that the client, its
 * publishers and subscribers may be used from tasks and from plain threads alike. If the
 * server goes away, every wait and request fails with {@link ServerGoneException}; messages
 * already taken stay readable until closed.
 */
/*
 * Overview
 *
 * Two tasks per client: the writer takes request frames from an unbounded channel and
 * writes them; the reader reads reply frames (with their descriptors) and settles the
 * promise of the request in flight. Requests are one at a time (the semaphore), so a
 * reply's descriptors are its own. The reader seeing the end of the stream marks the
 * client gone and rings the doorbells of this client's publishers and subscribers, whose
 * waits count "gone" as ready and then throw.
 */
public final class PubSubClient implements AutoCloseable {

    /** How long a request may wait for its reply before the connection counts as broken. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final UnixStream stream;
    private final int serverPid;
    private final Semaphore oneRequest = new Semaphore(1);
    private final Channel<Request> outbox = Channel.unbounded();
    private final ConcurrentLinkedQueue<Request> inFlight = new ConcurrentLinkedQueue<>();
    private final Set<Endpoint> endpoints = ConcurrentHashMap.newKeySet();
    private volatile String goneReason;
    private volatile boolean closed;
    private final Task<?> writer;
    private final Task<?> reader;

    private record Request(ByteBuffer frame, Promise<Response> reply) {
    }

    /** A reply: its fields after the status, and the descriptors that came with it. */
    record Response(ByteBuffer body, List<OwnedFd> fds) {
        void closeFds() {
            for (OwnedFd fd : fds) {
                try {
                    fd.close();
                } catch (IOException ignored) {
                    // a received duplicate; nothing depends on it
                }
            }
        }
    }

    private PubSubClient(UnixStream stream, int serverPid) {
        this.stream = stream;
        this.serverPid = serverPid;
        this.writer = Weft.spawn(this::writeLoop);
        this.reader = Weft.spawn(this::readLoop);
    }

    /** Connects to the server at the per-user default path ({@link PubSubServer#defaultSocket()}). From a Weft task. */
    public static PubSubClient connect() throws IOException {
        return connect(SocketPaths.defaultSocket());
    }

    /** Connects to the server at {@code socket}. From a Weft task. */
    public static PubSubClient connect(Path socket) throws IOException {
        UnixStream s;
        try {
            s = UnixStream.connect(io.weft.net.UnixAddress.of(socket), Deadline.after(REQUEST_TIMEOUT));
        } catch (IOException e) {
            throw new PubSubException("cannot connect to the pub/sub server at " + socket + " (is it running? start one with ./weft serve pubsub): " + e.getMessage(), e);
        }
        PeerCredentials server = s.peerCredentials();
        if (server.uid() != SocketPaths.ownUid() && server.uid() != 0) {
            s.close();
            throw new PubSubException("the pub/sub server at " + socket + " runs as uid " + server.uid()
                    + ", neither this process's uid nor root; refusing to map its memory");
        }
        return new PubSubClient(s, server.pid());
    }

    /** The server's process id (from the socket's peer credentials). */
    public int serverPid() {
        return serverPid;
    }

    /** A publisher on channel {@code name}, which is made with {@code options} if it does not exist yet. */
    public Publisher publisher(String name, PublisherOptions options) throws IOException {
        ByteBuffer f = Wire.start(Wire.OP_PUBLISHER);
        Wire.putString(f, name);
        Wire.putString(f, options.type());
        f.putInt(options.slotSize()).putInt(options.slotCount()).putInt(options.metadataLength());
        f.putInt((options.reliable() ? 1 : 0) | (options.fixedSize() ? 2 : 0));
        f.putInt(options.maxPublishers()).putInt(options.maxSubscribers());
        Response r = request(Wire.finish(f));
        Publisher p;
        try {
            p = new Publisher(this, name, options, r);
        } finally {
            r.closeFds();
        }
        endpoints.add(p);
        try {
            p.activate();
        } catch (IOException | RuntimeException e) {
            try {
                p.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return p;
    }

    /** A subscriber on channel {@code name}; the channel is made with the options' slot settings if it does not exist yet. */
    public Subscriber subscriber(String name, SubscriberOptions options) throws IOException {
        ByteBuffer f = Wire.start(Wire.OP_SUBSCRIBER);
        Wire.putString(f, name);
        f.putInt((options.reliable() ? 1 : 0) | (options.fromOldest() ? 2 : 0) | (options.type() != null ? 4 : 0));
        if (options.type() != null) {
            Wire.putString(f, options.type());
        }
        f.putInt(options.maxHeld()).putInt(options.slotSize()).putInt(options.slotCount());
        Response r = request(Wire.finish(f));
        Subscriber s;
        try {
            s = new Subscriber(this, name, options, r);
        } finally {
            r.closeFds();
        }
        endpoints.add(s);
        return s;
    }

    /** One channel as {@link #list()} reports it. */
    public record ChannelInfo(String name, String type, int slotSize, int slotCount, int publishers, int subscribers, long messages, long drops) {
    }

    /** The server's channels (up to 200), by name. */
    public List<ChannelInfo> list() throws IOException {
        Response r = request(Wire.finish(Wire.start(Wire.OP_LIST)));
        r.closeFds();
        ByteBuffer b = r.body();
        int n = Wire.getInt(b);
        if (n < 0 || n > 200) {
            throw new Wire.ProtocolException("the server listed " + n + " channels (at most 200)");
        }
        List<ChannelInfo> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ChannelInfo(Wire.getString(b), Wire.getString(b), Wire.getInt(b), Wire.getInt(b), Wire.getInt(b), Wire.getInt(b),
                    Wire.getLong(b), Wire.getLong(b)));
        }
        return out;
    }

    /** Sends a request and waits for its reply; a refusal throws {@link PubSubException} with the server's reason. */
    Response request(ByteBuffer frame) throws IOException {
        checkUsable();
        oneRequest.acquire();
        try {
            checkUsable();
            Request req = new Request(frame, new Promise<>());
            outbox.send(req);
            Response r;
            try {
                r = req.reply().await(Deadline.after(REQUEST_TIMEOUT));
            } catch (CompletionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw e;
            } catch (io.weft.DeadlineExceededException e) {
                gone("the pub/sub server (pid " + serverPid + ") did not reply within " + REQUEST_TIMEOUT.toSeconds() + " s");
                throw new ServerGoneException(goneReason);
            }
            int status = Wire.getInt(r.body());
            if (status != Wire.OK) {
                r.closeFds();
                throw new PubSubException(Wire.getString(r.body()));
            }
            return r;
        } finally {
            oneRequest.release();
        }
    }

    void checkUsable() throws IOException {
        if (closed) {
            throw new PubSubException("the pub/sub client is closed");
        }
        String why = goneReason;
        if (why != null) {
            throw new ServerGoneException(why);
        }
    }

    /** True once the server's connection ended. */
    boolean isGone() {
        return goneReason != null;
    }

    String goneReason() {
        return goneReason;
    }

    private void writeLoop() {
        try {
            while (true) {
                Request req = outbox.receive();
                inFlight.add(req);
                stream.writeAll(req.frame(), Deadline.after(REQUEST_TIMEOUT));
            }
        } catch (IOException | RuntimeException e) {
            gone("the connection to the pub/sub server (pid " + serverPid + ") failed: " + e.getMessage());
        }
    }

    private void readLoop() {
        try {
            ByteBuffer head = ByteBuffer.allocate(4);
            while (true) {
                List<OwnedFd> fds = new ArrayList<>();
                head.clear();
                if (!fill(head, fds)) {
                    gone("the pub/sub server (pid " + serverPid + ") closed the connection: it stopped or was killed");
                    return;
                }
                int length = head.getInt(0);
                if (length < 8 || length > Wire.MAX_FRAME) {
                    closeAll(fds);
                    gone("the pub/sub server sent a reply frame of " + length + " bytes; dropping the connection");
                    return;
                }
                ByteBuffer body = ByteBuffer.allocate(length);
                if (!fill(body, fds)) {
                    closeAll(fds);
                    gone("the pub/sub server (pid " + serverPid + ") closed the connection in the middle of a reply");
                    return;
                }
                body.flip();
                int version = body.getInt();
                Request req = inFlight.poll();
                if (req == null || version != Wire.PROTOCOL_VERSION) {
                    closeAll(fds);
                    gone(req == null ? "the pub/sub server sent a reply nobody asked for"
                            : "the pub/sub server speaks protocol version " + version + ", this client " + Wire.PROTOCOL_VERSION);
                    if (req != null) {
                        req.reply().fail(new ServerGoneException(goneReason));
                    }
                    return;
                }
                req.reply().complete(new Response(body, fds));
            }
        } catch (IOException | RuntimeException e) {
            gone("the connection to the pub/sub server (pid " + serverPid + ") failed: " + e.getMessage());
        }
    }

    /** Fills {@code b}, keeping the descriptors that come with it; false at the end of the stream. */
    private boolean fill(ByteBuffer b, List<OwnedFd> fds) throws IOException {
        while (b.hasRemaining()) {
            try (UnixMessage m = stream.receive(b, Wire.MAX_FDS, Deadline.NONE)) {
                if (m.length() < 0) {
                    return false;
                }
                for (int i = 0; i < m.fds().size(); i++) {
                    fds.add(m.takeFd(i));
                }
            }
        }
        return true;
    }

    private static void closeAll(List<OwnedFd> fds) {
        new Response(null, fds).closeFds();
    }

    private void gone(String why) {
        if (goneReason != null) {
            return;
        }
        goneReason = closed ? "the pub/sub client is closed" : why;
        for (Request r; (r = inFlight.poll()) != null; ) {
            r.reply().fail(new ServerGoneException(goneReason));
        }
        for (Endpoint e : endpoints) {
            e.wake();
        }
    }

    void forget(Endpoint e) {
        endpoints.remove(e);
    }

    /** Closes every publisher and subscriber of this client, then the connection. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        for (Endpoint e : List.copyOf(endpoints)) {
            e.close();
        }
        closed = true;
        gone("the pub/sub client is closed");
        outbox.close();
        stream.close();
        writer.cancel();
        reader.cancel();
    }
}
