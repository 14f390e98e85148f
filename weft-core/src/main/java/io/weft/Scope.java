package io.weft;

import io.weft.internal.loop.EventLoop;
import io.weft.internal.wait.Waits;
import io.weft.internal.wait.Failures;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/**
 * Structured concurrency: tasks spawned in a scope never outlive it.
 *
 * <pre>{@code
 * try (Scope scope = Scope.open().withTimeout(Duration.ofSeconds(2))) {
 *     Task<User>  user  = scope.spawn(() -> fetchUser(id));
 *     Task<Order> order = scope.spawn(() -> fetchOrder(id));
 *     scope.join();                       // both done, or the first failure, or the deadline
 *     return new Page(user.join(), order.join());
 * }
 * }</pre>
 *
 * <p>{@link #join()} waits for every child. Under {@link Policy#FAIL_FAST} (the default)
 * the first child to fail cancels its siblings, and join throws
 * {@link CompletionException} with that failure as the cause. Under
 * {@link Policy#COLLECT_ALL} every child runs to its end and join throws with the first
 * failure as the cause and the others suppressed. When the scope's deadline passes, every
 * child is cancelled and join throws {@link DeadlineExceededException}; when the task that
 * owns the scope is cancelled, join cancels the children, waits for them and throws
 * {@link CancellationException}. {@link #close()} cancels whatever is still running and
 * waits for it. Scopes nest: a child may open its own.
 *
 * <p>Only the task that opened the scope may join or close it; any thread may cancel it
 * or move its deadline earlier. A child's failure is the owner's to see through
 * {@link #join()}; failures that no join reported when the scope is closed are logged,
 * one warning each, so that closing without a join loses none silently.
 */
/*
 * Overview
 *
 * State, under the scope's monitor: live children, failures, `cancelled`, `timedOut`, and
 * at most one waiting join op (only the owner joins). childEnded() records the outcome,
 * cancels siblings on a fail-fast failure, and completes the join op when nothing is left
 * running or a fail-fast failure needs attention. The deadline is a timer on the owner's
 * loop that calls expire(): mark timedOut, cancel everything.
 *
 * join() in steps:
 *   1. wait (cancellable) until no child runs, or a fail-fast failure, or the deadline
 *   2. if the owner was cancelled meanwhile: cancel all children
 *   3. wait, not cancellable, until no child runs: no child outlives the scope
 *   4. report: owner cancelled > deadline > failures
 */
public final class Scope implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Scope.class.getName());

    /** What a child's failure does to its siblings. */
    public enum Policy {
        /** The first failure cancels the other children. */
        FAIL_FAST,
        /** Children run to their end; join reports every failure. */
        COLLECT_ALL
    }

    private final Runtime runtime;
    private final Policy policy;
    private final Thread owner;
    /** The owner's loop, which runs the deadline's timer. */
    private final EventLoop loop;
    private final List<Task<?>> children = new ArrayList<>();
    private final List<Throwable> failures = new ArrayList<>();
    /** How many of {@code failures} a join has reported to the owner. */
    private int failuresReported;
    private int live;
    private boolean cancelled;
    private boolean timedOut;
    private boolean closed;
    private Deadline deadline = Deadline.NONE;
    private Waits.Signal waiter;

    private Scope(Runtime runtime, Policy policy) {
        this.runtime = runtime;
        this.policy = policy;
        this.owner = Thread.currentThread();
        this.loop = EventLoop.current();
    }

    /** Opens a fail-fast scope. Must be called from a Weft task. */
    public static Scope open() {
        return open(Policy.FAIL_FAST);
    }

    /** Opens a scope with {@code policy}. Must be called from a Weft task. */
    public static Scope open(Policy policy) {
        return new Scope(Failures.inTask(Runtime.current(), "Scope.open"), policy);
    }

    /** Cancels every child when {@code timeout} has passed; see {@link #withDeadline}. */
    public Scope withTimeout(Duration timeout) {
        return withDeadline(Deadline.after(timeout));
    }

    /**
     * Cancels every child at {@code d}; {@link #join()} then throws
     * {@link DeadlineExceededException}. Only one deadline: a second call may only make it earlier.
     */
    public Scope withDeadline(Deadline d) {
        synchronized (this) {
            if (d.compareTo(deadline) >= 0) {
                return this;
            }
            deadline = d;
        }
        Deadline armed = d;
        loop.scheduleFromAnyThread(d.nanoTime(), () -> expire(armed));
        return this;
    }

    private void expire(Deadline armed) {
        List<Task<?>> toCancel;
        synchronized (this) {
            if (deadline != armed || closed || (live == 0 && waiter == null)) {
                return;
            }
            timedOut = true;
            toCancel = new ArrayList<>(children);
        }
        toCancel.forEach(Task::cancel);
        wakeOwner();
    }

    /** Starts a child task, placed as by {@link Runtime#spawn(Callable)}. */
    public <T> Task<T> spawn(Callable<T> body) {
        return spawnOn(-1, body);
    }

    /** Starts a child task that returns nothing. */
    public Task<Void> spawn(ThrowingRunnable body) {
        return spawn(Runtime.asCallable(body));
    }

    /** Starts a child task on the caller's loop. */
    public <T> Task<T> spawnLocal(Callable<T> body) {
        return spawnOn(runtime.currentLoopIndexOr(-1), body);
    }

    /** Starts a child task that returns nothing on the caller's loop. */
    public Task<Void> spawnLocal(ThrowingRunnable body) {
        return spawnLocal(Runtime.asCallable(body));
    }

    private <T> Task<T> spawnOn(int loop, Callable<T> body) {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("scope is closed");
            }
            if (cancelled || timedOut) {
                throw new CancellationException("scope is cancelled");
            }
            if (deadline.hasPassed()) {
                // The deadline's timer may have found no child to cancel and let it be; a
                // child started now would run past the deadline unbounded.
                timedOut = true;
                throw new CancellationException("scope's deadline has passed");
            }
            live++;
        }
        try {
            return runtime.spawnOn(loop, body, this);
        } catch (RuntimeException e) {
            synchronized (this) {
                live--;
            }
            throw e;
        }
    }

    /** Called by the runtime before the child starts, so its end always finds it here. */
    synchronized void adopt(Task<?> t) {
        children.add(t);
        if (cancelled || timedOut) {
            t.cancel(); // cancelled between spawnOn's check and now: the cancel missed this child
        }
    }

    void childEnded(Task<?> t) {
        boolean cancelOthers = false;
        Waits.Signal w = null;
        List<Task<?>> siblings = null;
        synchronized (this) {
            live--;
            children.remove(t);
            if (t.state() == Task.State.FAILED) {
                failures.add(t.failure());
                if (policy == Policy.FAIL_FAST && !cancelled) {
                    cancelled = true;
                    cancelOthers = true;
                    siblings = new ArrayList<>(children);
                }
            }
            if (live == 0 || cancelOthers) {
                w = waiter;
            }
        }
        if (cancelOthers) {
            siblings.forEach(Task::cancel);
        }
        if (w != null) {
            w.complete(0);
        }
    }

    private void wakeOwner() {
        Waits.Signal w;
        synchronized (this) {
            w = waiter;
        }
        if (w != null) {
            w.complete(0);
        }
    }

    /** Cancels every child still running. Returns at once. */
    public void cancel() {
        List<Task<?>> toCancel;
        synchronized (this) {
            cancelled = true;
            toCancel = new ArrayList<>(children);
        }
        toCancel.forEach(Task::cancel);
    }

    /**
     * Waits for every child; see the class description for what it throws.
     *
     * @throws CompletionException       a child failed (cause: the first failure)
     * @throws DeadlineExceededException the scope's deadline passed
     * @throws CancellationException     the owner task was cancelled while joining
     */
    public void join() {
        checkOwner();
        boolean ownerCancelled = false;
        // 1. wait until done, a fail-fast failure, or the deadline
        while (true) {
            Waits.Signal op;
            synchronized (this) {
                if (live == 0 || timedOut || (policy == Policy.FAIL_FAST && !failures.isEmpty())) {
                    break;
                }
                op = new Waits.Signal();
                waiter = op;
            }
            Waits.await(op, Waits.NONE, false);
            synchronized (this) {
                waiter = null;
            }
            if (op.wasCancelled()) {
                ownerCancelled = true;
                break;
            }
        }
        // 2-3. cancel if needed, then wait for every child whatever happens
        if (ownerCancelled) {
            cancel();
        }
        awaitAllUninterruptibly();
        // 4. report
        synchronized (this) {
            failuresReported = failures.size();
            if (ownerCancelled) {
                throw new CancellationException("the task that owns this scope was cancelled");
            }
            if (timedOut) {
                DeadlineExceededException e = new DeadlineExceededException("scope deadline passed; its tasks were cancelled");
                failures.forEach(e::addSuppressed);
                throw e;
            }
            if (!failures.isEmpty()) {
                Throwable first = failures.getFirst();
                CompletionException e = new CompletionException("a task in the scope failed: " + first, first);
                failures.stream().skip(1).forEach(e::addSuppressed);
                throw e;
            }
        }
    }

    private void awaitAllUninterruptibly() {
        while (true) {
            Waits.Signal op;
            synchronized (this) {
                if (live == 0) {
                    return;
                }
                op = new Waits.Signal();
                waiter = op;
            }
            Waits.awaitUninterruptibly(op);
            synchronized (this) {
                waiter = null;
            }
        }
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("only the thread that opened the scope may join or close it");
        }
    }

    /** The number of children still running. */
    public synchronized int liveChildren() {
        return live;
    }

    /** Cancels the children still running and waits for them. Idempotent. */
    @Override
    public void close() {
        checkOwner();
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        cancel();
        awaitAllUninterruptibly();
        List<Throwable> unreported;
        synchronized (this) {
            closed = true;
            unreported = List.copyOf(failures.subList(failuresReported, failures.size()));
            failuresReported = failures.size();
        }
        for (Throwable t : unreported) {
            LOG.log(System.Logger.Level.WARNING, "a task in a scope failed, and the scope was closed without a join to report it", t);
        }
    }
}
