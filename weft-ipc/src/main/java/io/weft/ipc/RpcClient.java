package io.weft.ipc;

import io.weft.Deadline;
import io.weft.DeadlineExceededException;
import io.weft.Weft;
import io.weft.net.UnixAddress;
import io.weft.net.UnixStream;
import io.weft.sync.Promise;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Calls an {@link RpcServer} in another process over a pair of shared-memory rings. Any
 * number of tasks may call at once; each call has a method id, a payload of any length up
 * to {@link RpcOptions#maxMessageLength()}, and a deadline.
 *
 * <pre>{@code
 * Weft.run(() -> {
 *     try (RpcClient rpc = RpcClient.connect(Path.of("/run/user/1000/prices.sock"))) {
 *         byte[] quote = rpc.call(GET_QUOTE, "ACME".getBytes(UTF_8), Deadline.after(Duration.ofMillis(50)));
 *     }
 * });
 * }</pre>
 *
 * <p>Failures: a handler's exception arrives as {@link RpcRemoteException}; the server's
 * exit or close as {@link RpcPeerGoneException} (within about 100 ms, for every call in
 * flight); a deadline as {@link SocketTimeoutException}; the calling task's cancellation as
 * {@link CancellationException}. A call given up locally is cancelled on the server too.
 *
 * <p>Thread safety: any task of the runtime that connected may call; {@link #close} once.
 */
/*
 * Overview
 *
 * pending (ConcurrentHashMap<correlation id, Pending>): a call is in it from before its
 * request is sent until its promise is settled or given up. The channel's reader task
 * settles promises (RESPONSE: value, ERROR: RpcRemoteException); the channel's end fails
 * every pending promise with its cause. A call removes its entry when it stops waiting,
 * so a late response for it finds nothing and is dropped.
 *
 * Correlation ids come from one counter per client and are never reused.
 */
public final class RpcClient implements AutoCloseable {

    private record Pending(int method, Promise<MemorySegment> promise) {
    }

    private final RpcChannel channel;
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextCorrelation = new AtomicLong(1);

    private RpcClient(RpcChannel channel) {
        this.channel = channel;
    }

    /** Connects to the server listening at {@code socket}, with {@link RpcOptions#defaults()}. From a Weft task. */
    public static RpcClient connect(Path socket) throws IOException {
        return connect(socket, RpcOptions.defaults());
    }

    /**
     * Connects and shakes hands (uid, versions); the server's options decide the rings.
     *
     * @throws RpcException if the server refused the connection or the handshake failed
     */
    public static RpcClient connect(Path socket, RpcOptions options) throws IOException {
        Deadline deadline = Deadline.after(options.handshakeTimeout());
        UnixStream s = UnixStream.connect(UnixAddress.of(socket), deadline);
        try {
            RpcChannel channel = RpcHandshake.connect(s, options, deadline);
            RpcClient client = new RpcClient(channel);
            channel.start(client.new Receiver());
            return client;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** The server's process id (from SO_PEERCRED). */
    public long serverPid() {
        return channel.peerPid;
    }

    /** Calls in flight from this client now. */
    public int pendingCalls() {
        return pending.size();
    }

    /** Like {@link #call(int, MemorySegment, Deadline)} with byte arrays. */
    public byte[] call(int method, byte[] request, Deadline deadline) throws IOException {
        MemorySegment r = call(method, MemorySegment.ofArray(request), deadline);
        if (r.heapBase().orElse(null) instanceof byte[] a && a.length == r.byteSize()) {
            return a; // the reader's own copy: no second one
        }
        return r.toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * Calls {@code method} with {@code request} and waits for the response until {@code deadline}.
     *
     * @return the response payload (a heap segment of its own)
     * @throws RpcRemoteException      the server's handler threw
     * @throws RpcPeerGoneException    the server exited or closed the connection
     * @throws SocketTimeoutException  the deadline passed (the call is cancelled on the server)
     * @throws CancellationException   the calling task was cancelled (so is the call)
     */
    public MemorySegment call(int method, MemorySegment request, Deadline deadline) throws IOException {
        long id = nextCorrelation.getAndIncrement();
        Pending p = new Pending(method, new Promise<>());
        pending.put(id, p);
        boolean settled = false;
        try {
            channel.send(RpcFrameLayout.REQUEST, id, method, request, deadline);
            MemorySegment response = p.promise().await(deadline);
            settled = true;
            return response;
        } catch (DeadlineExceededException e) {
            throw new SocketTimeoutException("call of method " + method + " to server pid " + channel.peerPid + " timed out");
        } catch (CompletionException e) {
            settled = true;
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        } finally {
            pending.remove(id);
            if (!settled && channel.isOpen()) {
                cancelOnServer(id);
            }
        }
    }

    /** Tells the server to cancel call {@code id}, from a task of its own (the caller may be cancelled). */
    private void cancelOnServer(long id) {
        Weft.spawn(() -> {
            try {
                channel.send(RpcFrameLayout.CANCEL, id, 0, MemorySegment.NULL, Deadline.after(Duration.ofSeconds(1)));
            } catch (IOException | RuntimeException ignored) {
                // best effort: the server's response will be dropped either way
            }
        });
    }

    /** Fails calls in flight with an {@link RpcException}, tells the server, and unmaps the rings. Idempotent. */
    @Override
    public void close() {
        channel.shutdown(new RpcException("the client was closed"));
    }

    @Override
    public String toString() {
        return channel.toString();
    }

    /** The channel's sink: settles the promises of pending calls. Runs on the reader task. */
    private final class Receiver implements RpcChannel.Sink {
        @Override
        public boolean expects(long correlation) {
            return pending.containsKey(correlation);
        }

        @Override
        public void onMessage(int kind, long correlation, int method, MemorySegment payload) {
            Pending p = pending.get(correlation);
            if (p == null) {
                return; // given up already
            }
            switch (kind) {
                case RpcFrameLayout.RESPONSE -> p.promise().complete(payload);
                case RpcFrameLayout.ERROR -> {
                    String text = new String(payload.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
                    int nl = text.indexOf('\n');
                    p.promise().fail(nl < 0 ? new RpcRemoteException(p.method(), text, null)
                            : new RpcRemoteException(p.method(), text.substring(0, nl), text.substring(nl + 1)));
                }
                default -> p.promise().fail(new RpcException("unexpected frame kind " + kind + " from the server"));
            }
        }

        @Override
        public void onClosed(IOException cause) {
            for (Pending p : pending.values()) {
                p.promise().fail(cause instanceof RpcPeerGoneException gone ? new RpcPeerGoneException(gone.getMessage() + " while method "
                        + p.method() + " was in flight", gone) : new RpcException("the connection ended: " + cause.getMessage(), cause));
            }
        }
    }
}
