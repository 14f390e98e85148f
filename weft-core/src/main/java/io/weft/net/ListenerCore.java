package io.weft.net;

import io.weft.Deadline;
import io.weft.Runtime;
import io.weft.Task;
import io.weft.ThrowingRunnable;
import io.weft.Weft;
import io.weft.internal.backend.AcceptFailure;
import io.weft.internal.backend.NetOps;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.loop.EventLoop;
import io.weft.internal.wait.Failures;

import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The accepting half that every listener shares ({@link TcpListener}, {@link UnixListener},
 * {@link VsockListener}): the accept loop, with its retry of aborted connections and its
 * back-off when descriptors run out, and the running of acceptor tasks for {@code serve}.
 *
 * @param <S> the stream type the listener hands out
 */
final class ListenerCore<S> {

    private static final System.Logger LOG = System.getLogger(ListenerCore.class.getName());

    static {
        // accept's EMFILE path needs these classes, and loading a class from a directory
        // on the class path needs a free descriptor: load them while there is one.
        AcceptFailure.of(0);
        Weft.isCancelled();
    }

    /** Makes the listener's stream of an accepted socket. */
    @FunctionalInterface
    interface Wrap<S> {
        S of(SocketHandle accepted) throws IOException;
    }

    /** Waits for one connection (an acceptor's accept). */
    @FunctionalInterface
    interface Accept<S> {
        S accept() throws IOException;
    }

    /** Handles one accepted connection in its own task. */
    @FunctionalInterface
    interface Handler<S> {
        void handle(S connection) throws Exception;
    }

    /** What runs on each accepting loop. */
    @FunctionalInterface
    interface Body<A> {
        void run(A acceptor) throws Exception;
    }

    private final String kind;
    /** The bound address, for messages. */
    private final Object local;
    private final Wrap<S> wrap;
    private final Listener listener;
    private final LongAdder fdLimitBackoffs = new LongAdder();
    private final AtomicBoolean serving = new AtomicBoolean();
    private volatile boolean warnedFdLimit;
    /**
     * Tests only: asked before each accept; a non-zero errno is taken as that accept's
     * failure, as if the kernel had returned it, without waiting for a connection.
     */
    private volatile IntSupplier injectedErrno;

    /**
     * @param kind the listener's type, for "must be called from a Weft task" messages
     * @param local the bound address, for messages
     * @param listener the listener this accepts for, closed when serving ends
     */
    ListenerCore(String kind, Object local, Wrap<S> wrap, Listener listener) {
        this.kind = kind;
        this.local = local;
        this.wrap = wrap;
        this.listener = listener;
    }

    /**
     * Waits until {@code deadline} for a connection on {@code socket}. Passes over
     * connections the peer aborted before they were taken (ECONNABORTED); when the process
     * or the kernel runs out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM),
     * logs once, sleeps (10 ms doubling to 1 s; the loop keeps serving other tasks) and
     * tries again.
     */
    S accept(SocketHandle socket, Deadline deadline) throws IOException {
        EventLoop loop = NetIo.loop(kind + ".accept");
        Duration backoff = Duration.ofMillis(10);
        while (true) {
            int errno;
            IOException failure;
            IntSupplier inject = injectedErrno;
            int injected = inject == null ? 0 : inject.getAsInt();
            if (injected != 0) {
                errno = injected;
                failure = AcceptFailure.exception(injected, local);
            } else {
                NetOps.Accept op = new NetOps.Accept(socket);
                try {
                    NetIo.run(loop, op, deadline.nanoTime(), "accept on", local);
                    return wrap.of((SocketHandle) op.attachment());
                } catch (IOException e) {
                    errno = op.isDone() && op.result() < 0 ? (int) -op.result() : 0;
                    failure = e;
                }
            }
            AcceptFailure meaning = AcceptFailure.of(errno);
            if (meaning == AcceptFailure.ABORTED) {
                continue; // the peer gave up before we accepted it; wait for the next one
            }
            if (meaning != AcceptFailure.OUT_OF_RESOURCES) {
                throw failure;
            }
            fdLimitBackoffs.increment();
            if (!warnedFdLimit) {
                warnedFdLimit = true;
                LOG.log(System.Logger.Level.WARNING, "accept on " + local + " hit " + AcceptFailure.errnoName(errno)
                        + "; backing off and retrying (logged once per listener)");
            }
            Weft.sleep(Deadline.after(backoff).min(deadline));
            if (deadline.hasPassed()) {
                throw Failures.timedOut(Failures.SOCKET, "accept on", local + " (out of file descriptors: " + AcceptFailure.errnoName(errno) + ")");
            }
            backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : backoff.multipliedBy(2);
        }
    }

    /** How often accept has backed off for lack of file descriptors. */
    long fdLimitBackoffs() {
        return fdLimitBackoffs.sum();
    }

    /** Tests only: see {@link #injectedErrno}; null to stop. */
    void injectErrno(IntSupplier errnos) {
        injectedErrno = errnos;
    }

    /** Claims the listener for serving; once per listener. */
    void beginServing() {
        if (!serving.compareAndSet(false, true)) {
            throw new IllegalStateException(listener + " is already serving");
        }
    }

    /**
     * Accepts with {@code accept} until the listener is closed, starting each connection
     * with {@code start} in a task that runs {@code handler} and then closes it. Returns
     * when accept fails because the listener was closed; other failures are thrown.
     */
    <T extends AutoCloseable> void serveLoop(Accept<T> accept, Starter start, Handler<T> handler) throws IOException {
        while (true) {
            T conn;
            try {
                conn = accept.accept();
            } catch (SocketException e) {
                if (listener.isClosed()) {
                    return;
                }
                throw e;
            }
            start.start(() -> {
                try (conn) {
                    handler.handle(conn);
                }
            });
        }
    }

    /** The listener itself, as {@link #runAcceptors} needs it. */
    interface Listener extends AutoCloseable {
        boolean isClosed();

        @Override
        void close() throws IOException;
    }

    private void closeQuietly() {
        try {
            listener.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing " + listener + ": " + e);
        }
    }

    /**
     * Runs {@code body} once per acceptor, in a task on {@code loops.get(i)} for
     * {@code acceptors.get(i)}, and waits until every run has ended. When one run ends, for
     * any reason, the listener is closed, which ends the others' accepts: a socket nobody
     * accepts on would strand the connections the kernel gives it. Cancelling the caller
     * closes the listener and cancels the runs.
     *
     * @throws IOException the first failure of a run (wrapped if it was no exception this
     *                     method may throw)
     */
    <A> void runAcceptors(Runtime rt, List<A> acceptors, List<Integer> loops, Body<A> body)
            throws IOException {
        List<Task<Void>> runs = new ArrayList<>();
        // The first failure, recorded before it closes the listener: the others' accepts
        // then fail too, only because of it.
        AtomicReference<Throwable> first = new AtomicReference<>();
        try {
            for (int i = 0; i < acceptors.size(); i++) {
                A a = acceptors.get(i);
                runs.add(rt.spawnOn(loops.get(i), () -> {
                    try {
                        body.run(a);
                    } catch (Throwable t) {
                        first.compareAndSet(null, t);
                    } finally {
                        closeQuietly();
                    }
                }));
            }
            for (Task<Void> run : runs) {
                run.join();
            }
        } finally {
            // Also when the caller was cancelled while waiting: closing ends the runs' accepts,
            // cancelling ends whatever else they wait for (a free connection slot, say).
            closeQuietly();
            for (Task<Void> run : runs) {
                if (!run.isDone()) {
                    run.cancel();
                }
            }
        }
        Throwable failure = first.get();
        if (failure instanceof IOException io) {
            throw io;
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IOException("accepting on " + local + " failed", failure);
        }
    }

    /**
     * Starts connections' tasks for one acceptor and keeps each on its loop: on the
     * acceptor's loop, or with hand-off on the next loop in turn. Used by the acceptor's own
     * run only (it is not thread-safe).
     */
    static final class Starter {
        private final Runtime runtime;
        private final int loop;
        private final boolean handOff;
        private int next;

        Starter(Runtime runtime, int loop, boolean handOff) {
            this.runtime = runtime;
            this.loop = loop;
            this.handOff = handOff;
            this.next = loop;
        }

        Task<Void> start(ThrowingRunnable connection) {
            int target = loop;
            if (handOff) {
                next = (next + 1) % runtime.loopCount();
                target = next;
            }
            return runtime.spawnOn(target, connection);
        }
    }

    /**
     * The caller's loop index in {@code rt}, or 0 if the caller runs on another runtime.
     * {@code here} is the caller's loop, so it belongs to the caller's runtime.
     */
    static int homeLoop(Runtime rt, EventLoop here) {
        return Runtime.current() == rt ? here.index() : 0;
    }

    /**
     * Serves a single-socket listener (Unix, vsock): one acceptor on the caller's loop that
     * hands each connection to the next loop in turn, as {@link TcpListener.Spread#HAND_OFF}.
     */
    <T extends AutoCloseable> void serveHandOff(Accept<T> accept, Handler<T> handler) throws IOException {
        Runtime rt = Weft.runtime();
        EventLoop here = NetIo.loop(kind + ".serve");
        beginServing();
        int home = homeLoop(rt, here);
        Starter start = new Starter(rt, home, true);
        runAcceptors(rt, List.of(start), List.of(home), s -> serveLoop(accept, s, handler));
    }
}
