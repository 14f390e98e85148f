package io.weft.bench.ipc;

import io.weft.Deadline;
import io.weft.Runtime;
import io.weft.Task;
import io.weft.Weft;
import io.weft.ipc.RpcClient;
import io.weft.ipc.RpcOptions;
import io.weft.ipc.RpcServer;
import io.weft.ipc.WaitStrategy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code weft-rpc-<strategy>}: Weft RPC calls, an {@link RpcClient} in the requester and an
 * echoing {@link RpcServer} in the responder, each in a runtime of one loop, both sides
 * waiting with the contender's strategy ({@link RpcOptions#waitStrategy()}). With one call
 * outstanding the calls follow each other closely, so with the hybrid strategy each side's
 * reader is still polling, busy, when the next message arrives.
 *
 * <p>The requester's methods must run in a Weft task (the harness runs this contender's
 * rounds in one, see {@link #needsTask}). One call outstanding is made by the calling task
 * itself; with more, each is a task spawned on the same loop and joined in order.
 */
final class RpcTransport {
    private RpcTransport() {
    }

    static final String SOCKET = "weft-rpc.sock";
    private static final int METHOD = 1;
    private static final Duration CALL_LIMIT = Duration.ofNanos(IpcRequester.STALL_NANOS);

    /** True for the contenders of this transport, whose requester runs in a Weft task. */
    static boolean needsTask(IpcContender c) {
        return c.id().startsWith("weft-rpc-");
    }

    /** The strategy of {@code c}: its id is {@code weft-rpc-} and the strategy's name. */
    static WaitStrategy strategy(IpcContender c) {
        if (!needsTask(c)) {
            throw new IllegalArgumentException(c.id() + " is not a Weft RPC contender");
        }
        return WaitStrategy.of(c.id().substring("weft-rpc-".length()));
    }

    static RpcOptions options(IpcContender c) {
        return RpcOptions.defaults().withRingCapacity(WeftRingTransport.CAPACITY).withWaitStrategy(strategy(c));
    }

    /** The runtime the requester's task runs in: one loop, the default backend. */
    static Runtime.Builder requesterRuntime() {
        return Runtime.builder().loops(1);
    }

    /** The responder: a runtime of one loop serving echo calls on a socket in the run's directory. */
    static final class Server extends Responder {
        private final RpcOptions options;
        private final Path socket;
        private final CountDownLatch bound = new CountDownLatch(1);
        private final AtomicReference<Exception> failed = new AtomicReference<>();

        Server(IpcContender c, Path dir) throws IOException {
            options = options(c);
            socket = dir.resolve(SOCKET);
            start(c.id());
            try {
                if (!bound.await(30, TimeUnit.SECONDS)) {
                    throw new IOException("the RPC server did not bind " + socket + " within 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the RPC server started", e);
            }
            if (failed.get() != null) {
                throw new IOException("the RPC server failed to start: " + failed.get().getMessage(), failed.get());
            }
        }

        @Override
        public String info() {
            return "wait strategy " + options.waitStrategy().name() + " on both sides, rings of " + options.ringCapacity() + " B, one loop each";
        }

        @Override
        void serve() throws Exception {
            try {
                Weft.run(Runtime.builder().loops(1), () -> {
                    try (RpcServer server = RpcServer.bind(socket, (method, request) -> request, options)) {
                        bound.countDown();
                        while (running()) {
                            Weft.sleep(Duration.ofMillis(20));
                        }
                    }
                });
            } catch (Exception e) {
                failed.set(e);
                throw e;
            } finally {
                bound.countDown();
            }
        }

        @Override
        void release() {
            // serve() closes the server when it sees running() turn false
        }
    }

    /** The requester: connects from the calling task; its methods run in tasks of that runtime. */
    static final class Client implements IpcRequester {
        private final RpcClient rpc;
        private final byte[] message;
        /** The request of calls made by the calling task itself, one at a time. */
        private final MemorySegment request;
        /** Requests in order: a Long not yet sent (the newest, while it is the only one), or the task of a call in flight. */
        private final ArrayDeque<Object> outstanding = new ArrayDeque<>();

        Client(IpcContender c, Path dir, int size) throws IOException {
            if (Task.current() == null) {
                throw new IllegalStateException("the " + c.id() + " requester runs in a Weft task");
            }
            rpc = RpcClient.connect(dir.resolve(SOCKET), options(c));
            message = IpcRequester.template(size);
            request = MemorySegment.ofArray(message.clone());
        }

        @Override
        public void send(long seq) {
            // A request with another behind it cannot wait for receive(): start it now.
            if (outstanding.peekLast() instanceof Long waiting) {
                outstanding.pollLast();
                outstanding.addLast(Weft.spawnLocal(() -> call(waiting, MemorySegment.ofArray(message.clone()))));
            }
            outstanding.addLast(seq);
        }

        @Override
        public long receive() throws IOException {
            Object head = outstanding.pollFirst();
            if (head == null) {
                throw new IllegalStateException("receive() with no request outstanding");
            }
            if (head instanceof Long seq) {
                return call(seq, request);
            }
            try {
                return (Long) ((Task<?>) head).join();
            } catch (RuntimeException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException("an RPC call failed: " + e, e);
            }
        }

        /** Sends {@code req} (its first bytes overwritten with {@code seq}) and returns the response's sequence number. */
        private long call(long seq, MemorySegment req) throws IOException {
            req.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, seq);
            MemorySegment resp = rpc.call(METHOD, req, Deadline.after(CALL_LIMIT));
            return resp.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        }

        @Override
        public String info() {
            return "calls from one task; with more than one outstanding, a task each on the same loop";
        }

        @Override
        public void close() {
            for (Object o : outstanding) {
                if (o instanceof Task<?> t) {
                    t.cancel();
                }
            }
            rpc.close();
        }
    }
}
