package io.weft.pubsub;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.Weft;
import io.weft.ipc.StaleSockets;
import io.weft.net.OwnedFd;
import io.weft.net.PeerCredentials;
import io.weft.net.UnixListener;
import io.weft.net.UnixStream;
import io.weft.sync.Channel;
import io.weft.sync.Promise;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pub/sub server: owns the registry of channels and hands their shared memory to
 * {@link PubSubClient}s over a Unix socket. It only sets channels up and cleans up after
 * clients; messages never pass through it.
 *
 * <pre>{@code
 * Weft.run(() -> {
 *     try (PubSubServer server = PubSubServer.bind(PubSubServer.defaultSocket())) {
 *         Weft.sleep(Duration.ofHours(1));
 *     }
 * });
 * }</pre>
 *
 * <p>Peers must run as this process's uid, or have the group given to
 * {@link #bind(Path, int)} as their primary group (SO_PEERCRED). When a client's
 * connection ends (it closed, exited or was killed) its publishers and subscribers are
 * removed at once: the slots they held are given back and waiting publishers woken. A
 * client that breaks the protocol loses its connection and nothing else. A socket file
 * left by a server that died is replaced; a live server at the path is not.
 */
/*
 * Overview
 *
 * Tasks: one acceptor; one per connection (Session), reading requests and writing
 * replies; one registry task, which alone touches the channel map and each ServerChannel's
 * owner tables. Sessions hand it work through an unbounded channel of closures and wait
 * for the outcome on a promise, so the registry needs no lock and a request never sees
 * another half done. The shared memory itself is changed by CAS only where clients
 * change it too (slot words, the lock); the entry kinds and masks are written by the
 * registry alone.
 *
 * A connection's end (EOF, reset, a protocol error) runs the same removal as a close
 * request for each entry the session still owns; the session's list of entries is
 * registry-confined like everything else.
 */
public final class PubSubServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PubSubServer.class.getName());
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);
    /** Channels one server holds at once, so that no client can exhaust its memory with them. */
    static final int MAX_CHANNELS = 4096;

    private final UnixListener listener;
    private final Path socket;
    private final int allowedGroup;
    private final int uid;
    private final Channel<Runnable> registryInbox = Channel.unbounded();
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    // registry-confined
    private final Map<String, ServerChannel> channels = new HashMap<>();
    private final Map<Integer, ServerChannel> channelsById = new HashMap<>();
    private int nextChannelId = 1;

    private volatile boolean closed;
    private Task<?> acceptor;
    private Task<?> registry;

    private PubSubServer(UnixListener listener, Path socket, int allowedGroup) throws IOException {
        this.listener = listener;
        this.socket = socket;
        this.allowedGroup = allowedGroup;
        this.uid = SocketPaths.ownUid();
    }

    /**
     * The per-user socket path: {@code $XDG_RUNTIME_DIR/weft-pubsub}, or
     * {@code /tmp/weft-pubsub-UID/socket} in a directory of mode 0700.
     */
    public static Path defaultSocket() throws IOException {
        return SocketPaths.defaultSocket();
    }

    /** Listens at {@code socket}, for peers of this uid only. From a Weft task. */
    public static PubSubServer bind(Path socket) throws IOException {
        return bind(socket, -1);
    }

    /**
     * Listens at {@code socket}, for peers of this uid or whose primary group is
     * {@code allowedGroup} (-1 for none). From a Weft task.
     */
    public static PubSubServer bind(Path socket, int allowedGroup) throws IOException {
        PubSubServer server = new PubSubServer(StaleSockets.bind(socket, LOG, "pub/sub server"), socket, allowedGroup);
        server.registry = Weft.spawn(server::runRegistry);
        server.acceptor = Weft.spawn(server::acceptLoop);
        return server;
    }

    /** The socket path. */
    public Path socket() {
        return socket;
    }

    /** Connected clients now. */
    public int sessions() {
        return sessions.size();
    }

    private void runRegistry() {
        while (true) {
            Runnable r;
            try {
                r = registryInbox.receive();
            } catch (RuntimeException e) {
                return; // closed or cancelled
            }
            r.run();
        }
    }

    /** Runs {@code c} in the registry task and returns its outcome. */
    private <T> T onRegistry(Callable<T> c) throws IOException {
        Promise<T> p = new Promise<>();
        registryInbox.send(() -> {
            try {
                p.complete(c.call());
            } catch (Throwable t) {
                p.fail(t);
            }
        });
        try {
            return p.await();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            UnixStream s;
            try {
                s = listener.accept();
            } catch (CancellationException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "pub/sub server: accept failed: " + e);
                }
                return;
            }
            Session session = new Session(s);
            sessions.add(session);
            session.task = Weft.spawn(session::serve);
        }
    }

    /** One client's connection and the entries it owns. */
    final class Session {
        final UnixStream stream;
        /** Entries this session owns: {channel id, index}; registry-confined. */
        final List<int[]> publishers = new ArrayList<>();
        final List<int[]> subscribers = new ArrayList<>();
        private String peerName = "a client";
        volatile Task<?> task;

        Session(UnixStream stream) {
            this.stream = stream;
        }

        void serve() {
            try {
                PeerCredentials peer = stream.peerCredentials();
                peerName = "client pid " + peer.pid();
                String refused = peer.uid() != uid && (allowedGroup < 0 || peer.gid() != allowedGroup)
                        ? "refused: " + peerName + " runs as uid " + peer.uid() + " gid " + peer.gid()
                        + "; this server accepts uid " + uid + (allowedGroup >= 0 ? " and group " + allowedGroup : " only")
                        : null;
                // a refused peer gets its answer to its first request, and no time to linger
                Deadline readDeadline = refused != null ? Deadline.after(REPLY_TIMEOUT) : Deadline.NONE;
                ByteBuffer head = ByteBuffer.allocate(4);
                while (!closed) {
                    head.clear();
                    if (stream.read(head, readDeadline) < 0) {
                        return;
                    }
                    stream.readFully(head, readDeadline);
                    int length = head.getInt(0);
                    if (length < 8 || length > Wire.MAX_FRAME) {
                        throw new Wire.ProtocolException("a request frame of " + length + " bytes (8 to " + Wire.MAX_FRAME + ")");
                    }
                    ByteBuffer body = ByteBuffer.allocate(length);
                    stream.readFully(body, readDeadline);
                    body.flip();
                    if (refused != null) {
                        reply(refusal(refused));
                        return;
                    }
                    int version = body.getInt();
                    int op = body.getInt();
                    if (version != Wire.PROTOCOL_VERSION) {
                        reply(refusal(peerName + " speaks pub/sub protocol version " + version + "; this server speaks version " + Wire.PROTOCOL_VERSION));
                        continue;
                    }
                    Reply r;
                    try {
                        r = handle(op, body);
                    } catch (Wire.ProtocolException e) {
                        throw e;
                    } catch (PubSubException e) {
                        r = refusal(e.getMessage());
                    }
                    reply(r);
                }
            } catch (CancellationException e) {
                // the server is closing
            } catch (Wire.ProtocolException e) {
                LOG.log(System.Logger.Level.WARNING, "pub/sub server: " + peerName + " broke the protocol and loses its connection: " + e.getMessage());
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.DEBUG, "pub/sub server: connection of " + peerName + " ended: " + e);
                }
            } finally {
                end();
            }
        }

        private void end() {
            try {
                onRegistry(() -> {
                    for (int[] e : publishers) {
                        ServerChannel c = channelsById.get(e[0]);
                        if (c != null) {
                            c.removePublisher(e[1]);
                            dropIfUnused(c);
                        }
                    }
                    for (int[] e : subscribers) {
                        ServerChannel c = channelsById.get(e[0]);
                        if (c != null) {
                            c.removeSubscriber(e[1]);
                            dropIfUnused(c);
                        }
                    }
                    publishers.clear();
                    subscribers.clear();
                    return null;
                });
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "pub/sub server: clean-up after " + peerName + ": " + e);
            } finally {
                sessions.remove(this);
                try {
                    stream.close();
                } catch (IOException ignored) {
                    // the connection is gone either way
                }
            }
        }

        private void reply(Reply r) throws IOException {
            Deadline deadline = Deadline.after(REPLY_TIMEOUT);
            ByteBuffer b = r.frame;
            if (r.fds.isEmpty()) {
                stream.writeAll(b, deadline);
            } else {
                stream.send(b, deadline, r.fds.toArray(new OwnedFd[0]));
                if (b.hasRemaining()) {
                    stream.writeAll(b, deadline);
                }
            }
        }

        private Reply handle(int op, ByteBuffer b) throws IOException {
            return switch (op) {
                case Wire.OP_PUBLISHER -> publisher(b);
                case Wire.OP_SUBSCRIBER -> subscriber(b);
                case Wire.OP_CLOSE_PUBLISHER, Wire.OP_CLOSE_SUBSCRIBER -> {
                    int channelId = Wire.getInt(b);
                    int index = Wire.getInt(b);
                    boolean pub = op == Wire.OP_CLOSE_PUBLISHER;
                    onRegistry(() -> {
                        List<int[]> owned = pub ? publishers : subscribers;
                        boolean removed = owned.removeIf(e -> e[0] == channelId && e[1] == index);
                        ServerChannel c = channelsById.get(channelId);
                        if (!removed || c == null) {
                            throw new PubSubException(peerName + " closed a " + (pub ? "publisher" : "subscriber") + " it does not own");
                        }
                        if (pub) {
                            c.removePublisher(index);
                        } else {
                            c.removeSubscriber(index);
                        }
                        dropIfUnused(c);
                        return null;
                    });
                    yield new Reply(Wire.finish(Wire.start(Wire.OK)), List.of());
                }
                case Wire.OP_BUFFERS -> {
                    int channelId = Wire.getInt(b);
                    yield onRegistry(() -> {
                        ServerChannel c = channelsById.get(channelId);
                        if (c == null) {
                            throw new PubSubException("no channel with id " + channelId);
                        }
                        ByteBuffer f = Wire.start(Wire.OK);
                        putBuffers(f, c);
                        return new Reply(Wire.finish(f), List.copyOf(c.buffers));
                    });
                }
                case Wire.OP_LIST -> onRegistry(() -> {
                    ByteBuffer f = Wire.start(Wire.OK);
                    List<ServerChannel> all = new ArrayList<>(channels.values());
                    all.sort((x, y) -> x.name.compareTo(y.name));
                    int n = Math.min(all.size(), 200); // what fits a frame
                    f.putInt(n);
                    for (ServerChannel c : all.subList(0, n)) {
                        Wire.putString(f, c.name);
                        Wire.putString(f, c.type);
                        f.putInt(c.slotSize()).putInt(c.slotCount).putInt(c.publishers).putInt(c.subscribers);
                        f.putLong(c.messages()).putLong(c.drops());
                    }
                    return new Reply(Wire.finish(f), List.of());
                });
                default -> throw new Wire.ProtocolException("unknown operation " + op);
            };
        }

        private Reply publisher(ByteBuffer b) throws IOException {
            String name = checkName(Wire.getString(b));
            String type = Wire.getString(b);
            int slotSize = Wire.getInt(b);
            int slotCount = Wire.getInt(b);
            int metadataLength = Wire.getInt(b);
            int flags = Wire.getInt(b);
            int maxPublishers = Wire.getInt(b);
            int maxSubscribers = Wire.getInt(b);
            boolean reliable = (flags & 1) != 0;
            boolean fixedSize = (flags & 2) != 0;
            try {
                new PublisherOptions(slotSize, slotCount, reliable, type, metadataLength, fixedSize, maxPublishers, maxSubscribers, false,
                        io.weft.ipc.WaitStrategy.notifying());
            } catch (IllegalArgumentException e) {
                throw new PubSubException("publisher options for channel " + name + ": " + e.getMessage());
            }
            return onRegistry(() -> {
                ServerChannel c = channels.get(name);
                if (c == null) {
                    c = create(name, type, slotSize, slotCount == 0 ? 16 : slotCount, metadataLength, fixedSize, maxPublishers, maxSubscribers);
                } else {
                    if (!c.type.equals(type)) {
                        throw new PubSubException("channel " + name + " carries type '" + c.type + "', not '" + type + "'");
                    }
                    if (c.metadataLength != metadataLength) {
                        throw new PubSubException("channel " + name + " has " + c.metadataLength + " metadata bytes per message, not " + metadataLength);
                    }
                    if (c.fixedSize != fixedSize) {
                        throw new PubSubException("channel " + name + " is " + (c.fixedSize ? "" : "not ") + "fixed-size; every client must agree");
                    }
                    if (slotCount != 0 && slotCount != c.slotCount) {
                        throw new PubSubException("channel " + name + " has " + c.slotCount + " slots, not " + slotCount + " (pass 0 to take the channel's)");
                    }
                    if (slotSize > c.slotSize()) {
                        if (c.fixedSize) {
                            throw new PubSubException("channel " + name + " is fixed-size with " + c.slotSize() + "-byte slots; a publisher asked for " + slotSize);
                        }
                        c.checkLeases(1, "the new publisher");
                        c.addBuffer(slotSize);
                    }
                }
                int index = c.addPublisher(this, reliable);
                publishers.add(new int[] {c.id, index});
                return channelReply(c, index);
            });
        }

        private Reply subscriber(ByteBuffer b) throws IOException {
            String name = checkName(Wire.getString(b));
            int flags = Wire.getInt(b);
            String type = (flags & 4) != 0 ? Wire.getString(b) : null;
            int maxHeld = Wire.getInt(b);
            int slotSize = Wire.getInt(b);
            int slotCount = Wire.getInt(b);
            boolean reliable = (flags & 1) != 0;
            boolean fromOldest = (flags & 2) != 0;
            try {
                new SubscriberOptions(reliable, maxHeld, type, fromOldest, false, false, false, slotSize, slotCount, io.weft.ipc.WaitStrategy.notifying());
            } catch (IllegalArgumentException e) {
                throw new PubSubException("subscriber options for channel " + name + ": " + e.getMessage());
            }
            return onRegistry(() -> {
                ServerChannel c = channels.get(name);
                if (c == null) {
                    c = create(name, type == null ? "" : type, slotSize, slotCount, 0, false, ChannelLayout.MAX_PUBLISHERS, ChannelLayout.MAX_SUBSCRIBERS);
                } else if (type != null && !c.type.equals(type)) {
                    throw new PubSubException("channel " + name + " carries type '" + c.type + "', not '" + type + "'");
                }
                int index = c.addSubscriber(this, reliable, maxHeld, fromOldest);
                subscribers.add(new int[] {c.id, index});
                return channelReply(c, index);
            });
        }

        private ServerChannel create(String name, String type, int slotSize, int slotCount, int metadataLength, boolean fixedSize,
                                     int maxPublishers, int maxSubscribers) throws IOException {
            if (channels.size() >= MAX_CHANNELS) {
                throw new PubSubException("the server holds " + MAX_CHANNELS + " channels, the most it may; close some first");
            }
            ServerChannel c = new ServerChannel(nextChannelId++, name, type, slotSize, slotCount, metadataLength, fixedSize, maxPublishers, maxSubscribers);
            channels.put(name, c);
            channelsById.put(c.id, c);
            return c;
        }

        private Reply channelReply(ServerChannel c, int index) {
            ByteBuffer f = Wire.start(Wire.OK);
            f.putInt(c.id).putInt(index).putInt(c.slotCount).putInt(c.metadataLength);
            putBuffers(f, c);
            List<OwnedFd> fds = new ArrayList<>();
            fds.add(c.control);
            fds.addAll(c.buffers);
            return new Reply(Wire.finish(f), fds);
        }

        private static void putBuffers(ByteBuffer f, ServerChannel c) {
            f.putInt(c.buffers.size());
            for (int size : c.slotSizes) {
                f.putInt(size);
            }
        }

        private static String checkName(String name) throws PubSubException {
            if (name.isEmpty() || name.length() > 255 || name.chars().anyMatch(ch -> ch < 0x20)) {
                throw new PubSubException("a channel name must be 1 to 255 printable characters: '" + name + "'");
            }
            return name;
        }

        private static Reply refusal(String why) {
            ByteBuffer f = Wire.start(Wire.REFUSED);
            Wire.putString(f, why.length() > 900 ? why.substring(0, 900) : why);
            return new Reply(Wire.finish(f), List.of());
        }
    }

    private record Reply(ByteBuffer frame, List<OwnedFd> fds) {
    }

    /** Removes a channel nobody uses any more (registry task). */
    private void dropIfUnused(ServerChannel c) {
        if (c.publishers == 0 && c.subscribers == 0) {
            channels.remove(c.name);
            channelsById.remove(c.id);
            c.close();
        }
    }

    /** Stops listening, ends every connection (their clients' next waits fail) and frees the channels. From a Weft task. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        listener.close();
        acceptor.cancel();
        for (Session s : sessions) {
            try {
                s.stream.close();
            } catch (IOException ignored) {
                // ending it is the point
            }
        }
        for (Session s : sessions) {
            Task<?> t = s.task;
            if (t != null) {
                try {
                    t.join(Duration.ofSeconds(5));
                } catch (RuntimeException ignored) {
                    // its end is all that matters
                }
            }
        }
        onRegistry(() -> {
            for (ServerChannel c : channels.values()) {
                c.close();
            }
            channels.clear();
            channelsById.clear();
            return null;
        });
        registryInbox.close();
        registry.cancel();
        Files.deleteIfExists(socket);
    }
}
