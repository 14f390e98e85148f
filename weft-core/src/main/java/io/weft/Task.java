package io.weft;

import io.weft.internal.loop.TaskContext;
import io.weft.internal.wait.Op;
import io.weft.internal.wait.SelectHooks;
import io.weft.internal.wait.Waits;
import io.weft.internal.wait.Failures;

import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A lightweight task: a virtual thread run by one of the runtime's event loops. Made by
 * {@link Weft#spawn}, {@link Runtime#spawn} or {@link Scope#spawn}.
 *
 * <pre>{@code
 * Task<Integer> t = Weft.spawn(() -> compute());
 * int v = t.join();                 // waits; a failure arrives as CompletionException
 * }</pre>
 *
 * <p>{@link #join()} follows {@link CompletableFuture#join()}: it returns the result,
 * throws {@link CompletionException} whose cause is what the task threw, or
 * {@link CancellationException} if the task was cancelled. Joining is itself a Weft
 * wait: it can be cancelled and given a deadline.
 *
 * <p>{@link #cancel()} asks the task to stop: its current (or next) Weft wait throws
 * {@link CancellationException}, and its thread is interrupted so that
 * {@code java.util.concurrent} waits and {@code Thread.sleep} end too. The task is done
 * only when its code has returned; a task that ignores cancellation keeps running.
 */
public final class Task<T> {

    private static final System.Logger LOG = System.getLogger(Task.class.getName());
    /** Reports the failures of tasks that became unreachable unobserved (see the class doc). */
    private static final Cleaner UNOBSERVED = Cleaner.create(r -> Thread.ofPlatform().daemon(true)
            .name("weft-unobserved-failures").inheritInheritableThreadLocals(false).unstarted(r));

    /** A task's life. */
    public enum State {
        /** Started and not yet finished. */
        RUNNING,
        /** Returned a value. */
        SUCCEEDED,
        /** Threw an exception without having been cancelled. */
        FAILED,
        /** Was cancelled and ended by throwing (usually {@link CancellationException}). */
        CANCELLED
    }

    static {
        SelectHooks.install(Task.class, (task, event) -> {
            if (event != SelectHooks.Event.DONE) {
                throw new IllegalArgumentException("a task has no " + event + " event");
            }
            return new SelectJoin(task);
        });
    }

    private final Runtime runtime;
    private final TaskContext context;
    private final Callable<T> body;
    private final Scope scope;
    private final String name;
    private Thread thread;

    // Guarded by `this`: the outcome and the joiners waiting for it.
    private State state = State.RUNNING;
    private T value;
    private Throwable failure;
    private List<Op> joiners;
    private CompletableFuture<T> future;
    /** Set while the task has failed and nobody has observed the failure. */
    private UnobservedFailure unobserved;

    Task(Runtime runtime, io.weft.internal.loop.EventLoop loop, Callable<T> body, Scope scope, String name) {
        this.runtime = runtime;
        this.context = new Context(loop, this);
        this.body = body;
        this.scope = scope;
        this.name = name;
    }

    void start(ThreadFactory factory) {
        Thread t = factory.newThread(this::run);
        t.setName(name);
        this.thread = t;
        t.start();
    }

    /** The task running on this thread, or null if the caller is not a Weft task. */
    public static Task<?> current() {
        return TaskContext.current() instanceof Context c ? c.task : null;
    }

    TaskContext context() {
        return context;
    }

    Scope scope() {
        return scope;
    }

    Runtime runtime() {
        return runtime;
    }

    /** The task's virtual thread. */
    public Thread thread() {
        return thread;
    }

    public String name() {
        return name;
    }

    /** The index of the loop this task belongs to. */
    public int loopIndex() {
        return context.loop().index();
    }

    private void run() {
        context.bind();
        T v = null;
        Throwable err = null;
        try {
            v = body.call();
        } catch (Throwable t) {
            err = t;
        } finally {
            context.unbind();
        }
        finish(v, err);
    }

    private void finish(T v, Throwable err) {
        List<Op> toWake;
        CompletableFuture<T> f;
        synchronized (this) {
            if (err == null) {
                state = State.SUCCEEDED;
                value = v;
            } else {
                state = context.isCancelRequested() ? State.CANCELLED : State.FAILED;
                failure = err;
            }
            toWake = joiners;
            joiners = null;
            f = future;
            if (toWake == null && f == null && scope == null && state == State.FAILED) {
                // Nobody is waiting and no scope will report it. Not logged yet: a join a
                // moment later is common, and then there is nothing to report.
                unobserved = new UnobservedFailure(runtime, name, err);
                unobserved.cleanable = UNOBSERVED.register(this, unobserved);
                runtime.failedUnobserved(unobserved);
            }
        }
        if (toWake != null) {
            for (Op op : toWake) {
                op.complete(0);
            }
        }
        if (f != null) {
            complete(f);
        }
        runtime.taskEnded(this);
        if (scope != null) {
            scope.childEnded(this);
        }
    }

    /**
     * Asks the task to stop. Returns at once; {@link #join()} waits for the task to end.
     * Idempotent; no effect on a task that has finished.
     */
    public void cancel() {
        if (isDone()) {
            return;
        }
        context.requestCancel();
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /** True if {@link #cancel()} was called (the task may still be running). */
    public boolean isCancelRequested() {
        return context.isCancelRequested();
    }

    public synchronized State state() {
        return state;
    }

    public synchronized boolean isDone() {
        return state != State.RUNNING;
    }

    /**
     * Waits for the task to end and returns its result.
     *
     * @throws CompletionException   if the task failed; the cause is what it threw
     * @throws CancellationException if the task was cancelled, or if the caller was
     *                               cancelled or interrupted while waiting (then the task
     *                               keeps running)
     */
    public T join() {
        return join(Deadline.NONE);
    }

    /**
     * Like {@link #join()}, waiting at most {@code timeout}.
     *
     * @throws DeadlineExceededException if the task has not ended in time (it keeps running)
     */
    public T join(Duration timeout) {
        return join(Deadline.after(timeout));
    }

    /** Like {@link #join()}, waiting until {@code deadline}. */
    public T join(Deadline deadline) {
        awaitDone(deadline);
        return outcome();
    }

    /** Waits for the task to end without looking at its outcome. */
    void awaitDone(Deadline deadline) {
        if (thread == Thread.currentThread()) {
            throw new IllegalStateException("a task cannot join itself");
        }
        Waits.Signal op = new JoinOp();
        if (!addJoiner(op)) {
            return;
        }
        Waits.await(op, deadline.nanoTime(), false);
        if (op.wasCancelled()) {
            throw Failures.cancelled(op.cancelReason(), "join of task '" + name + "'");
        }
    }

    /** Adds {@code op}, to be completed with 0 when the task ends; false if it has ended. */
    private synchronized boolean addJoiner(Op op) {
        if (state != State.RUNNING) {
            return false;
        }
        if (joiners == null) {
            joiners = new ArrayList<>(2);
        }
        joiners.add(op);
        return true;
    }

    private synchronized void removeJoiner(Op op) {
        if (joiners != null) {
            joiners.remove(op);
        }
    }

    /** The loop layer's view of a task, which leads back to the task. */
    private static final class Context extends TaskContext {
        final Task<?> task;

        Context(io.weft.internal.loop.EventLoop loop, Task<?> task) {
            super(loop);
            this.task = task;
        }
    }

    /** How a select waits for a task's end: a Forward op among its joiners. */
    private static final class SelectJoin implements SelectHooks.Source {
        private final Task<?> task;

        SelectJoin(Task<?> task) {
            this.task = task;
        }

        @Override
        public Op arm(Op sel, int index) {
            SelectHooks.Forward f = new SelectHooks.Forward(sel, index);
            if (task.addJoiner(f)) {
                return f;
            }
            sel.complete(index, null);
            return null;
        }

        @Override
        public void withdraw(Op armed) {
            task.removeJoiner(armed);
        }
    }

    /** A join that withdraws itself from the joiner list when cancelled. */
    private final class JoinOp extends Waits.Signal {
        @Override
        protected void onCancel(int reason) {
            removeJoiner(this);
            complete(CANCELLED);
        }
    }

    /** Someone looked at the outcome: a failure is theirs to report now. Holds the monitor. */
    private void observed() {
        UnobservedFailure u = unobserved;
        if (u != null) {
            unobserved = null;
            u.withdraw();
        }
    }

    private synchronized T outcome() {
        observed();
        return switch (state) {
            case SUCCEEDED -> value;
            case FAILED -> throw new CompletionException("task '" + name + "' failed: " + failure, failure);
            case CANCELLED -> {
                CancellationException ce = new CancellationException("task '" + name + "' was cancelled");
                if (!(failure instanceof CancellationException)) {
                    ce.initCause(failure);
                }
                throw ce;
            }
            case RUNNING -> throw new IllegalStateException("task '" + name + "' is still running");
        };
    }

    /** What the task threw, once it is done; null if it succeeded or is running. */
    public synchronized Throwable failure() {
        observed();
        return failure;
    }

    /** A future completed when the task ends; cancelling the future cancels the task. */
    public CompletableFuture<T> toCompletableFuture() {
        CompletableFuture<T> f;
        boolean done;
        synchronized (this) {
            if (future == null) {
                future = new CompletableFuture<>() {
                    @Override
                    public boolean cancel(boolean mayInterruptIfRunning) {
                        Task.this.cancel();
                        return super.cancel(mayInterruptIfRunning);
                    }
                };
            }
            f = future;
            done = state != State.RUNNING;
            observed();
        }
        if (done) {
            complete(f);
        }
        return f;
    }

    private void complete(CompletableFuture<T> f) {
        State s;
        T v;
        Throwable err;
        synchronized (this) {
            s = state;
            v = value;
            err = failure;
        }
        switch (s) {
            case SUCCEEDED -> f.complete(v);
            case FAILED -> f.completeExceptionally(err);
            case CANCELLED -> f.completeExceptionally(new CancellationException("task '" + name + "' was cancelled"));
            case RUNNING -> { }
        }
    }

    @Override
    public String toString() {
        return "Task[" + name + ", " + state() + "]";
    }

    /**
     * The failure of a task nobody has observed yet. It must not refer to the task, or the
     * task could never become unreachable; the first of withdraw() and report() wins.
     */
    static final class UnobservedFailure implements Runnable {
        private final Runtime runtime;
        private final String name;
        private final Throwable failure;
        private final AtomicBoolean settled = new AtomicBoolean();
        private Cleaner.Cleanable cleanable;

        UnobservedFailure(Runtime runtime, String name, Throwable failure) {
            this.runtime = runtime;
            this.name = name;
            this.failure = failure;
        }

        /** The failure was observed: nothing to report. */
        void withdraw() {
            if (settled.compareAndSet(false, true)) {
                runtime.failureObserved(this);
                cleanable.clean();
            }
        }

        /** Logs the failure, unless it was observed or reported already. */
        void report() {
            if (settled.compareAndSet(false, true)) {
                runtime.failureObserved(this);
                LOG.log(System.Logger.Level.WARNING, "task '" + name + "' failed and nothing observed its failure", failure);
            }
        }

        /** The cleaner's action: the task became unreachable. */
        @Override
        public void run() {
            report();
        }
    }
}
