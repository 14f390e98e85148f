package io.weft.internal.loop;

import io.weft.internal.backend.Backend;
import io.weft.internal.backend.BackendProvider;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.IoOp;
import io.weft.internal.backend.LoopContext;
import io.weft.internal.backend.Op;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

/**
 * One event loop: a platform thread that runs tasks (as the scheduler of their virtual
 * threads), fires timers, and blocks in its backend while nothing is runnable.
 *
 * <p>Thread confinement: the run queue, the timers and the backend belong to the loop
 * thread (and to the tasks mounted on it, which run on that thread). {@link #execute}
 * and {@link #wakeup()} may be called from any thread.
 */
/*
 * Overview
 *
 * One turn of the loop:
 *
 *   1. move the inbox (other threads' submissions) to the local run queue
 *   2. run the runnables that were queued at the start of the turn (newer ones wait for
 *      the next turn, so I/O is polled between bursts of task switches)
 *   3. fire expired timers
 *   4. timeout = 0 if anything is runnable, else until the next timer
 *   5. if timeout > 0: publish ASLEEP in `wakeState`, then re-check the inbox
 *   6. backend.poll(timeout): blocks; completions unpark tasks into the run queue
 *   7. store AWAKE
 *
 * Wake-up protocol (steps 5-7 against execute()): a producer on another thread
 *
 *   inbox.offer(r)                          loop: wakeState = ASLEEP   (volatile store)
 *   if (wakeState == ASLEEP                       if (!inbox.isEmpty()) (volatile load)
 *       && CAS(ASLEEP -> AWAKE))                     don't block
 *       backend.wakeup()
 *
 * Both sides store then load with volatile (sequentially consistent) accesses, so at
 * least one sees the other: either the loop sees the new runnable and does not block, or
 * the producer sees ASLEEP and wakes it. The CAS makes concurrent producers write the
 * eventfd once per sleep. A wakeup that arrives after the loop woke for another reason
 * makes the next poll return at once; that costs one empty turn, never a lost task. This
 * is Netty's nextWakeupNanos protocol with the deadline dropped: our timers live in this
 * loop, so nobody else needs to know when it will wake.
 *
 * The loop never blocks except in backend.poll, and never takes a lock a task may hold.
 *
 * Rejected: waking on every cross-thread submission (one eventfd write per unpark costs a
 * syscall even when the loop is busy), and a lock-protected queue (a loop blocked on a
 * lock held by a descheduled producer stalls every task on it).
 */
public final class EventLoop implements LoopContext {

    private static final System.Logger LOG = System.getLogger("io.weft");

    /** The loop of the current thread: set on task threads, inherited by virtual threads they start. */
    private static final InheritableThreadLocal<EventLoop> CURRENT = new InheritableThreadLocal<>();

    private static final int AWAKE = 0;
    private static final int ASLEEP = 1;
    private static final VarHandle WAKE_STATE;
    private static final VarHandle RUN_START;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            WAKE_STATE = l.findVarHandle(EventLoop.class, "wakeState", int.class);
            RUN_START = l.findVarHandle(EventLoop.class, "runStart", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * AWAKE while the loop runs; ASLEEP from just before it re-checks the inbox until it
     * returns from backend.poll. A producer that CASes ASLEEP -> AWAKE owns the one
     * backend.wakeup() for that sleep. Volatile accesses only: see the overview.
     */
    @SuppressWarnings("unused")
    private volatile int wakeState;

    /**
     * System.nanoTime() when the loop started the runnable it is running now, or 0 between
     * runnables. Written by the loop with setOpaque, read by the watchdog with getOpaque: a
     * slightly stale value only delays a stall warning.
     */
    @SuppressWarnings("unused")
    private long runStart;

    private final int index;
    private final String name;
    private final boolean customScheduler;
    private final BackendProvider provider;
    /** Made on the loop thread (io_uring's SINGLE_ISSUER wants its ring set up there); see the constructor. */
    private Backend backend;
    private final boolean nativeDeadlines;
    private final TimerQueue timers;
    private final ArrayDeque<Runnable> local = new ArrayDeque<>(256);
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private Throwable startFailure;
    private volatile boolean stopping;
    private final Object runtime;

    /**
     * Makes and starts a loop.
     *
     * @param customScheduler true if tasks' virtual threads run on this loop's thread
     * @param runtime         the public runtime object, for {@link #runtime()}
     */
    public EventLoop(int index, String name, BackendProvider provider, boolean customScheduler,
                     NanoClock clock, Object runtime) throws IOException {
        this.index = index;
        this.name = name;
        this.provider = provider;
        this.customScheduler = customScheduler;
        this.runtime = runtime;
        this.timers = new TimerQueue(clock);
        this.nativeDeadlines = provider.capabilities().contains(Capability.NATIVE_DEADLINES);
        this.thread = Thread.ofPlatform().name(name).daemon(true).inheritInheritableThreadLocals(false)
                .unstarted(this::run);
        thread.start();
        // The loop thread opens the backend and counts `started` down; the latch orders its
        // write of `backend` (or `startFailure`) before our reads.
        try {
            started.await();
        } catch (InterruptedException e) {
            stop();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + name, e);
        }
        if (startFailure != null) {
            throw startFailure instanceof IOException io ? io
                    : new IOException("cannot start backend " + provider.name() + " on " + name + ": " + startFailure, startFailure);
        }
    }

    // ---- identity -------------------------------------------------------------------

    @Override
    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    public Thread thread() {
        return thread;
    }

    public Object runtime() {
        return runtime;
    }

    public BackendProvider provider() {
        return provider;
    }

    public Backend backend() {
        return backend;
    }

    /** True if tasks of this loop run on its thread (not on the JDK's default scheduler). */
    public boolean customScheduler() {
        return customScheduler;
    }

    /** The loop of the calling thread (a task, or a virtual thread a task started), or null. */
    public static EventLoop current() {
        return CURRENT.get();
    }

    static void bindCurrent(EventLoop loop) {
        CURRENT.set(loop);
    }

    /**
     * True on the loop thread, and on a task mounted on it. In the default-scheduler mode
     * tasks run on the JDK's pool, so only the loop thread itself counts.
     */
    @Override
    public boolean inLoop() {
        Thread t = Thread.currentThread();
        return t == thread || (customScheduler && t.isVirtual() && CURRENT.get() == this);
    }

    // ---- run queue ------------------------------------------------------------------

    /**
     * Queues {@code r}. On the loop's own carrier (which includes a virtual thread on it
     * unparking another: the JDK switches to the carrier's identity first) it goes to the
     * owner-only deque; from any other thread to the inbox, waking the loop if asleep.
     */
    @Override
    public void execute(Runnable r) {
        if (Thread.currentThread() == thread) {
            local.addLast(r);
            return;
        }
        inbox.offer(r);
        wakeup();
    }

    /** Wakes the loop if it is asleep (see the wake-up protocol). Any thread. */
    public void wakeup() {
        if ((int) WAKE_STATE.getVolatile(this) == ASLEEP && WAKE_STATE.compareAndSet(this, ASLEEP, AWAKE)) {
            backend.wakeup();
        }
    }

    // ---- ops and timers ---------------------------------------------------------------

    /** Submits {@code op} to this loop's backend, from any thread. */
    public void submit(IoOp op) {
        if (inLoop()) {
            op.submitTo(backend);
        } else {
            execute(() -> op.submitTo(backend));
        }
    }

    /** True if the backend enforces {@link IoOp#deadline} itself. */
    public boolean nativeDeadlines() {
        return nativeDeadlines;
    }

    /** The timers; loop thread only. */
    public TimerQueue timers() {
        assert inLoop();
        return timers;
    }

    /** Runs {@code action} on the loop at {@code deadline}; any thread. */
    public void scheduleFromAnyThread(long deadline, Runnable action) {
        runOnLoop(() -> timers.schedule(deadline, action));
    }

    /** Cancels {@code op} with {@code reason} at {@code deadline}; loop thread only. Returns the timer. */
    public TimerQueue.Timer cancelAt(long deadline, Op op, int reason) {
        assert inLoop();
        return timers.schedule(deadline, () -> op.requestCancel(reason));
    }

    // ---- the loop -------------------------------------------------------------------

    private void run() {
        try {
            backend = provider.open(this);
        } catch (Throwable t) {
            startFailure = t;
            started.countDown();
            terminated.countDown();
            return;
        }
        started.countDown();
        try {
            while (true) {
                runQueued();
                timers.fireExpired();
                if (stopping && local.isEmpty() && inbox.isEmpty()) {
                    break;
                }
                long timeout = 0;
                if (local.isEmpty()) {
                    long next = timers.nextDeadline();
                    timeout = next == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, next - timers.clock().nanoTime());
                    if (timeout > 0) {
                        WAKE_STATE.setVolatile(this, ASLEEP);
                        if (!inbox.isEmpty() || stopping) {
                            timeout = 0;
                        }
                    }
                }
                backend.poll(timeout);
                WAKE_STATE.setVolatile(this, AWAKE);
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "event loop " + name + " died", t);
        } finally {
            try {
                backend.close();
            } finally {
                terminated.countDown();
            }
        }
    }

    /**
     * How many runnables a turn may run before the loop polls for I/O again. Tasks that
     * hand work to each other on one loop (a ping-pong) would otherwise pay one
     * zero-timeout poll syscall per hand-off; a bound keeps I/O from starving behind a
     * busy run queue. Tokio uses 61 for the same trade-off.
     */
    private static final int RUNS_PER_POLL = 64;

    private void runQueued() {
        for (int moved = 0; moved < 65536; moved++) {
            Runnable r = inbox.poll();
            if (r == null) {
                break;
            }
            local.addLast(r);
        }
        for (int ran = 0; ran < RUNS_PER_POLL; ran++) {
            Runnable r = local.pollFirst();
            if (r == null) {
                return;
            }
            RUN_START.setOpaque(this, System.nanoTime());
            try {
                r.run();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "uncaught in event loop " + name, t);
            } finally {
                RUN_START.setOpaque(this, 0L);
            }
        }
    }

    /** When the current runnable started, or 0 if none is running. Any thread (watchdog). */
    public long runStart() {
        return (long) RUN_START.getOpaque(this);
    }

    /** Asks the loop to stop once its queues are empty; any thread. */
    public void stop() {
        stopping = true;
        execute(() -> { });
    }

    /** Waits for the loop thread to end. */
    public boolean awaitTermination(long millis) throws InterruptedException {
        return terminated.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public String toString() {
        return name + "[" + provider.name() + "]";
    }
}
