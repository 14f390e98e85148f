package io.weft;

import io.weft.internal.wait.Op;
import io.weft.internal.wait.Waits;
import io.weft.internal.wait.Failures;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;

/**
 * Runs code that would stall a loop (JDBC, {@code java.io} files, {@code InetAddress}
 * lookups, CPU-heavy work) on the runtime's bounded pool of platform threads, while the
 * calling task parks.
 *
 * <pre>{@code
 * byte[] data = Blocking.call(() -> Files.readAllBytes(path));
 * }</pre>
 *
 * <p>Cancelling the task (or interrupting it) interrupts the pool thread running the call,
 * and the task then waits for the call to return before it sees
 * {@link CancellationException}: nothing is left running behind the task's back. Outside
 * a Weft task the call simply runs on the caller's thread.
 *
 * <p>The exception is {@link #callOrAbandon}, for calls that may ignore interrupts and
 * whose result is worthless once the caller has given up (a host name lookup): the task
 * stops waiting at once, and the call is left to end on its own.
 */
public final class Blocking {
    private Blocking() {
    }

    /**
     * Runs {@code c} on the blocking pool and returns its result; what it throws is
     * rethrown as is.
     *
     * @throws CancellationException if the task was cancelled or interrupted before {@code c} returned
     */
    public static <T> T call(Callable<T> c) throws Exception {
        return call(c, true, Deadline.NONE);
    }

    /**
     * Runs {@code c} on the blocking pool like {@link #call}, but never interrupts it: for
     * calls that an interrupt would damage, such as I/O on a {@link java.nio.channels.FileChannel},
     * which closes the channel when its thread is interrupted. Cancelling the task, or
     * {@code deadline} passing, withdraws the call if it has not started; once it has, the
     * task waits for it and gets its outcome, and the cancellation is seen by the task's
     * next wait.
     *
     * @throws CancellationException     if the task was cancelled or interrupted before {@code c} started
     * @throws DeadlineExceededException if {@code deadline} passed before {@code c} started
     */
    public static <T> T callUninterruptibly(Callable<T> c, Deadline deadline) throws Exception {
        return call(c, false, deadline);
    }

    /**
     * Runs {@code c} on the blocking pool and waits for it until {@code deadline}, or until
     * the task is cancelled or interrupted; then gives up on it: the pool thread running it
     * is interrupted, the caller gets the exception at once, and whatever {@code c} later
     * returns or throws is dropped. Nothing waits for an abandoned call, neither the task
     * nor {@link Runtime#shutdown}; until it ends it keeps its pool thread busy. For calls
     * that may ignore interrupts and whose outcome is useless once the caller has given up,
     * such as {@code InetAddress.getAllByName}. Outside a Weft task {@code c} runs on the
     * caller's thread, without a deadline.
     *
     * @throws DeadlineExceededException if {@code deadline} passed before {@code c} returned
     * @throws CancellationException     if the task was cancelled or interrupted before {@code c} returned
     */
    public static <T> T callOrAbandon(Callable<T> c, Deadline deadline) throws Exception {
        Runtime rt = Runtime.current();
        if (rt == null) {
            return c.call();
        }
        Call<T> op = submit(rt, c, Call.ABANDON, deadline);
        Waits.await(op, deadline.nanoTime(), false);
        // Read the cancellation first: an abandoned call may still write its outcome later.
        if (op.result() == Op.CANCELLED && op.cancelReason() != 0) {
            throw Failures.cancelled(op.cancelReason(), "blocking call, abandoned before it returned");
        }
        return op.outcome();
    }

    private static <T> Call<T> submit(Runtime rt, Callable<T> c, int mode, Deadline deadline) {
        int early = Waits.reasonNotToStart(deadline.nanoTime());
        if (early != 0) {
            throw Failures.cancelled(early, "blocking call, before it was submitted");
        }
        Call<T> op = new Call<>(c, mode);
        rt.blockingPool().execute(op);
        return op;
    }

    private static <T> T call(Callable<T> c, boolean interruptible, Deadline deadline) throws Exception {
        Runtime rt = Runtime.current();
        if (rt == null) {
            return c.call();
        }
        Call<T> op = submit(rt, c, interruptible ? Call.INTERRUPT : Call.WAIT, deadline);
        Waits.await(op, deadline.nanoTime(), false);
        if (op.error != null) {
            if (op.cancelReason() != 0 && interruptible) {
                CancellationException ce = new CancellationException("cancelled while the blocking call ran");
                ce.initCause(op.error);
                throw ce;
            }
            if (op.error instanceof Exception e) {
                throw e;
            }
            throw (Error) op.error;
        }
        if (op.result() == Op.CANCELLED && op.cancelReason() != 0) {
            throw Failures.cancelled(op.cancelReason(), "blocking call, before it ran");
        }
        return op.value;
    }

    /** Like {@link #call} for code that returns nothing. */
    public static void run(ThrowingRunnable r) throws Exception {
        call(Runtime.asCallable(r));
    }

    /*
     * The pool thread and a canceller race on `runner`:
     *
     *   runner       meaning
     *   null         queued, not started
     *   a Thread     running on that pool thread; a canceller interrupts it
     *   FINISHED     the call returned (or was withdrawn); nobody interrupts any more
     *
     * run() claims null -> thread by CAS; onCancel() claims null -> FINISHED by CAS and, if
     * it wins, completes the op itself (the call will never run). Interrupting and finishing
     * both hold the op's monitor, so an interrupt can never land on the pool thread after it
     * has moved on to someone else's call.
     */
    private static final class Call<T> extends Op implements Runnable {
        private static final Object FINISHED = new Object();
        private static final VarHandle RUNNER;

        static {
            try {
                RUNNER = MethodHandles.lookup().findVarHandle(Call.class, "runner", Object.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** call: a cancel interrupts a started call, and the waiter waits for it. */
        static final int INTERRUPT = 0;
        /** callUninterruptibly: a cancel only withdraws a call not yet started. */
        static final int WAIT = 1;
        /** callOrAbandon: a cancel interrupts a started call and stops waiting for it. */
        static final int ABANDON = 2;

        private final Callable<T> callable;
        private final int mode;
        @SuppressWarnings("unused")
        private volatile Object runner;
        private T value;
        private Throwable error;

        Call(Callable<T> callable, int mode) {
            this.callable = callable;
            this.mode = mode;
        }

        /** The call's value, or what it threw; only once the op completed with 0. */
        T outcome() throws Exception {
            if (error instanceof Exception e) {
                throw e;
            }
            if (error != null) {
                throw (Error) error;
            }
            return value;
        }

        @Override
        public void run() {
            if (!RUNNER.compareAndSet(this, null, Thread.currentThread())) {
                return;
            }
            T v = null;
            Throwable err = null;
            try {
                v = callable.call();
            } catch (Throwable t) {
                err = t;
            }
            synchronized (this) {
                runner = FINISHED;
                Thread.interrupted(); // an interrupt meant for this call must not reach the next one
            }
            value = v;
            error = err;
            complete(0);
        }

        @Override
        protected void onCancel(int reason) {
            if (RUNNER.compareAndSet(this, null, FINISHED)) {
                complete(CANCELLED);
                return;
            }
            if (mode == WAIT) {
                return; // run() completes the op when the call returns
            }
            synchronized (this) {
                if (runner instanceof Thread t) {
                    t.interrupt();
                }
            }
            if (mode == ABANDON) {
                complete(CANCELLED);
            }
        }
    }
}
