package io.weft.ipc;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.Weft;
import io.weft.net.UnixListener;
import io.weft.net.UnixStream;
import io.weft.sync.Semaphore;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves {@link RpcClient}s of other processes (same uid only) on a Unix socket; each
 * connection gets its own pair of rings, and each call runs the {@link RpcHandler} in a
 * task of its own.
 *
 * <pre>{@code
 * Weft.run(() -> {
 *     try (RpcServer server = RpcServer.bind(Path.of("/run/user/1000/echo.sock"), (method, request) -> request)) {
 *         Weft.sleep(Duration.ofHours(1));
 *     }
 * });
 * }</pre>
 *
 * <p>A client that exits or closes is noticed (pidfd, or the socket's end) and its calls'
 * tasks are cancelled. A client that breaks the protocol (a corrupted ring, a frame out of
 * range, more partial messages than {@link RpcOptions#maxPartialBytes()}) loses its own
 * connection and nothing else: the server keeps serving the others. At most
 * {@link RpcOptions#maxCallsInProgress()} calls of one connection run at once; past that
 * the server stops reading that connection's requests until one ends.
 *
 * <p>A socket file left at the path by a server that died (a connection to it is refused)
 * is replaced, with a log message; a path where a server still listens fails with a
 * {@link BindException} that says so. Thread safety: any task may {@link #close}.
 */
/*
 * Overview
 *
 * acceptor task: accept -> a task per connection that shakes hands (RpcHandshake.accept)
 * and starts a Session, the channel's sink. Session.running maps correlation ids to the
 * handler tasks in flight: CANCEL frames and the channel's end cancel them. A handler's
 * task registers itself after it is spawned, and unregisters itself when it ends; if it
 * ended first, the registration is undone at once (the isDone check after put).
 *
 * Session.calls (a Semaphore of maxCallsInProgress permits): the reader task takes one
 * before it spawns a handler, and the handler's task gives it back when it ends, so a full
 * set parks the reader, the client's request ring fills, and its senders wait. CANCEL
 * frames queued behind the waiting request wait with it.
 *
 * Stale sockets: see StaleSockets.
 */
public final class RpcServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RpcServer.class.getName());

    private final UnixListener listener;
    private final RpcHandler handler;
    private final RpcOptions options;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private Task<?> acceptor;

    private RpcServer(UnixListener listener, RpcHandler handler, RpcOptions options) {
        this.listener = listener;
        this.handler = handler;
        this.options = options;
    }

    /** Listens at {@code socket} with {@link RpcOptions#defaults()}. From a Weft task. */
    public static RpcServer bind(Path socket, RpcHandler handler) throws IOException {
        return bind(socket, handler, RpcOptions.defaults());
    }

    /** Listens at {@code socket}; connections get rings as {@code options} say. From a Weft task. */
    public static RpcServer bind(Path socket, RpcHandler handler, RpcOptions options) throws IOException {
        RpcServer server = new RpcServer(listen(socket), handler, options);
        server.acceptor = Weft.spawn(server::acceptLoop);
        return server;
    }

    /** Binds at {@code socket}, replacing a stale socket file (see {@link StaleSockets}). */
    private static UnixListener listen(Path socket) throws IOException {
        return StaleSockets.bind(socket, LOG, "RPC server");
    }

    /** Connected clients now. */
    public int sessions() {
        return sessions.size();
    }

    /** Bytes all sessions hold in partial messages now (a snapshot), for tests of the cap. */
    long partialBytesHeld() {
        long sum = 0;
        for (Session s : sessions) {
            sum += s.channel.partialBytes();
        }
        return sum;
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
                    LOG.log(System.Logger.Level.WARNING, "RPC server: accept failed: " + e);
                }
                return;
            }
            Weft.spawn(() -> open(s));
        }
    }

    private void open(UnixStream s) {
        RpcChannel channel;
        try {
            channel = RpcHandshake.accept(s, options, Deadline.after(options.handshakeTimeout()));
        } catch (IOException | RuntimeException e) {
            // A connection that leaves before saying anything is a probe, not a failure worth a warning.
            LOG.log(e instanceof RpcPeerGoneException ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                    "RPC server: handshake failed: " + e.getMessage());
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing more to do for this connection
            }
            return;
        }
        Session session = new Session(channel);
        sessions.add(session);
        channel.start(session);
        if (closed) {
            channel.shutdown(new RpcException("the server was closed"));
        }
    }

    /** Stops accepting, ends every session (their calls' tasks are cancelled), removes the socket file. */
    @Override
    public void close() throws IOException {
        closed = true;
        try {
            listener.close();
        } finally {
            if (acceptor != null) {
                acceptor.cancel();
            }
            for (Session s : sessions) {
                s.channel.shutdown(new RpcException("the server was closed"));
            }
        }
    }

    /** One connection's sink: runs requests as tasks, cancels them on CANCEL or the end. */
    private final class Session implements RpcChannel.Sink {
        final RpcChannel channel;
        final ConcurrentHashMap<Long, Task<?>> running = new ConcurrentHashMap<>();
        /** Permits for calls in progress; see the overview. */
        final Semaphore calls = new Semaphore(options.maxCallsInProgress());

        Session(RpcChannel channel) {
            this.channel = channel;
        }

        @Override
        public void onMessage(int kind, long correlation, int method, MemorySegment payload) {
            switch (kind) {
                case RpcFrameLayout.REQUEST -> {
                    calls.acquire(); // parks the reader while the connection has its fill of calls
                    Task<?> t;
                    try {
                        t = Weft.spawn(() -> {
                            try {
                                serve(correlation, method, payload);
                            } finally {
                                calls.release();
                            }
                        });
                    } catch (RuntimeException | Error e) {
                        calls.release();
                        throw e;
                    }
                    running.put(correlation, t);
                    if (t.isDone()) {
                        running.remove(correlation, t);
                    }
                }
                case RpcFrameLayout.CANCEL -> {
                    Task<?> t = running.get(correlation);
                    if (t != null) {
                        t.cancel();
                    }
                }
                default -> channel.shutdown(new RpcException("unexpected frame kind " + kind + " from client pid " + channel.peerPid));
            }
        }

        private void serve(long correlation, int method, MemorySegment request) {
            try {
                MemorySegment response;
                try {
                    response = handler.handle(method, request);
                } catch (CancellationException e) {
                    return; // the caller gave up: no answer
                } catch (Exception | Error e) {
                    sendError(correlation, method, e);
                    if (e instanceof Error err && !(err instanceof AssertionError)) {
                        throw err;
                    }
                    return;
                }
                try {
                    channel.send(RpcFrameLayout.RESPONSE, correlation, method, response == null ? MemorySegment.NULL : response, Deadline.NONE);
                } catch (IllegalArgumentException | IllegalStateException e) {
                    sendError(correlation, method, e); // too long, or a segment this task may not read
                }
            } catch (IOException | CancellationException e) {
                // the connection ended or the call was cancelled while answering: nobody to tell
            } finally {
                running.remove(correlation, Task.current());
            }
        }

        private void sendError(long correlation, int method, Throwable e) throws IOException {
            String text = e.getClass().getName() + "\n" + (e.getMessage() == null ? "" : e.getMessage());
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 16 * 1024) {
                bytes = Arrays.copyOf(bytes, 16 * 1024); // a message, not a payload
            }
            channel.send(RpcFrameLayout.ERROR, correlation, method, MemorySegment.ofArray(bytes), Deadline.NONE);
        }

        @Override
        public void onClosed(IOException cause) {
            sessions.remove(this);
            running.values().forEach(Task::cancel);
            LOG.log(System.Logger.Level.DEBUG, () -> "RPC server: session ended: " + cause.getMessage());
        }
    }
}
