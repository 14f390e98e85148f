package io.weft.internal.loop;

import io.weft.internal.backend.Backend;
import io.weft.internal.backend.BackendProvider;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.IoOp;
import io.weft.internal.backend.LoopContext;
import io.weft.internal.linux.Affinity;
import io.weft.internal.wait.Op;
import io.weft.internal.wait.WaitLoop;
import io.weft.internal.wait.Waits;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

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
 *   2. run up to RUNS_PER_POLL runnables, alternating between `local` (loop work and
 *      pinned tasks) and `runq` (tasks that may migrate), so I/O is polled between bursts
 *      of task switches
 *   3. fire expired timers
 *   4. timeout = 0 if anything is runnable, else until the next timer
 *   5. if timeout > 0: try to steal once; then, if the spin budget is not 0, spin (below)
 *   6. if still idle: publish ASLEEP in `wake`, then re-check the inbox and runq
 *   7. backend.poll(timeout): blocks; completions unpark tasks into the run queues
 *   8. store AWAKE
 *
 * Spin before sleep. Waking a loop that blocked in the kernel costs the waker a syscall
 * and the sleeper 45-60 µs on a virtual machine (the vCPU itself must be woken). So an
 * idle loop first busy-polls for up to `spinBudget`: its inbox and runq, the other
 * loops' runqs (to steal), and, on io_uring, the completion queue and the
 * IORING_SQ_TASKRUN flag (no syscall); a backend that cannot be peeked gets a poll(0)
 * every SPIN_POLL_NANOS. Queued SQEs are handed to the kernel before the spin starts.
 *
 * The budget adapts, within [0, idleSpin]. It doubles when a spin ended with work handed
 * over by another thread (inbox, runq, a steal), and halves when it ran out, or ended
 * only because I/O completed (I/O needs no spin: the kernel wakes a blocked loop as
 * cheaply as a spinning one, and spinning through a steady trickle of I/O would burn the
 * CPU it is meant to save); below SPIN_FLOOR_NANOS it is 0 and the loop goes straight to
 * sleep. It grows back when a sleep ends, sooner than idleSpin, with work from another
 * thread: a spin of twice that sleep would have caught it. So an idle runtime spins a few
 * times, fruitlessly, then only sleeps; a runtime whose loops hand work to each other
 * spins and rarely sleeps.
 *
 * Wake-up protocol (steps 5-8 against execute()): the state word `wake` (WakeState) is
 * AWAKE, SPINNING or ASLEEP. A producer on another thread
 *
 *   inbox.offer(r)                     loop: wake = SPINNING     (volatile store)
 *   if (wake == ASLEEP                       spin: while !inbox.isEmpty() ... (loads)
 *       && CAS(ASLEEP -> AWAKE))             wake = ASLEEP        (volatile store)
 *       backend.wakeup()                     if (!inbox.isEmpty()) (volatile load)
 *                                               wake = AWAKE; don't block
 *
 * A producer that finds AWAKE or SPINNING writes nothing: the loop will see its runnable,
 * in the turn it is running or in its spin, or else in the re-check after ASLEEP. The
 * re-check is what makes this safe: both sides store then load with volatile
 * (sequentially consistent) accesses, so at least one sees the other: either the loop
 * sees the new runnable and does not block, or the producer sees ASLEEP and wakes it. The
 * spin adds no new case: everything it misses is caught by that re-check. The CAS makes
 * concurrent producers write the eventfd once per sleep. A wakeup that arrives after the
 * loop woke for another reason makes the next poll return at once; that costs one empty
 * turn, never a lost task. This is Netty's nextWakeupNanos protocol with the deadline
 * dropped (our timers live in this loop, so nobody else needs to know when it will wake)
 * and a spinning state added. WakeStateLincheckTest model-checks it; WakeupStressTest
 * races it on every backend.
 *
 * Work stealing. A task started by spawn (not spawnOn or spawnLocal: those are pinned) has
 * its TaskContext as its virtual thread's scheduler. Whenever it becomes runnable it goes
 * to `runq`, a concurrent queue, of the loop it last ran on; pinned tasks and the loop's
 * own work go to `local` and the inbox as before and never leave. An idle loop (once when
 * it goes idle, then during its spin) picks a random other loop and, if that one has
 * queued tasks, takes half of them (rounded up) into its own runq, as Go and tokio do.
 * A victim's single queued task is taken only if the victim has been in one runnable for
 * STEAL_ONE_AFTER_NANOS: otherwise it is about to run it itself, and a parent that just
 * spawned a child and joins it would otherwise pay a cross-core wake-up for the join. A
 * loop that queues a second runnable task while no loop spins wakes one sleeping loop to
 * come and steal (one eventfd write per sleep; none while any loop spins).
 *
 * Where a stolen task's I/O goes. A continuation simply runs on the thief's thread, and
 * from then on the task belongs to the thief: current() is the loop whose thread carries
 * the task, so its next ops are submitted to the thief's backend, on the thief's thread,
 * with no cross-thread hop. An op always completes on the loop it was submitted to; the
 * completion unparks the task, which is queued on the loop the task last ran on, which is
 * that same loop unless the task was stolen while the op was in flight (only a select
 * with socket cases leaves ops in flight while it runs; their cancellation hops to their
 * own loop through Backend.cancel). Handles work from any loop already (a socket
 * accepted on one loop is served by a task on another): epoll registers an fd with
 * each loop's epoll that waits on it, io_uring names it in any ring. The exception is a
 * listener: io_uring keeps its multishot accept's queue in one ring, so a listener's
 * accepts always go to the loop of its first accept (SocketHandle.acceptLoop), wherever
 * the accepting task runs. Loop-confined state a task touches after a wait (a timer it
 * armed) is reached through its own loop (cancelTimer).
 *
 * Rejected: dispatching a resumption to the loop that completed the op or that unparked
 * the task (Go's ready() does). A channel send from a task on loop A would then pull the
 * receiver off loop B; tasks would follow whoever last woke them rather than their I/O,
 * and stealing already moves work where loops are idle.
 *
 * The loop never blocks except in backend.poll, and never takes a lock a task may hold.
 *
 * Rejected: waking on every cross-thread submission (one eventfd write per unpark costs a
 * syscall even when the loop is busy), and a lock-protected queue (a loop blocked on a
 * lock held by a descheduled producer stalls every task on it).
 */
public final class EventLoop implements LoopContext, WaitLoop<TimerQueue.Timer>, WakeState.Work {

    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());

    /** The loop of the current thread: set on task threads, inherited by virtual threads they start. */
    private static final InheritableThreadLocal<EventLoop> CURRENT = new InheritableThreadLocal<>();

    /**
     * The default most time an idle loop busy-polls before it blocks: about what waking a
     * blocked loop costs on a virtual machine (45-60 µs). Spinning at most as long as the
     * sleep it may save costs at most twice the best choice made in hindsight, and the
     * adaptive budget spins far less where spins do not pay off.
     */
    public static final long DEFAULT_IDLE_SPIN_NANOS = 50_000;
    /** How long a victim must have been in one runnable before its only queued task may be stolen. */
    static final long STEAL_ONE_AFTER_NANOS = 20_000;
    private static final EventLoop[] NO_SIBLINGS = new EventLoop[0];
    /** A budget below this is not worth a spin: it becomes 0. */
    static final long SPIN_FLOOR_NANOS = 1_000;
    /** How often a spin calls poll(0) on a backend whose completions cannot be peeked. */
    static final long SPIN_POLL_NANOS = 10_000;

    private static final VarHandle RUN_START;
    /**
     * {@code Thread.currentCarrierThread()}, or null where java.lang is not open to us (then
     * tasks run on the JDK's scheduler, never on a loop's thread, and nothing needs it).
     */
    private static final MethodHandle CURRENT_CARRIER;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RUN_START = l.findVarHandle(EventLoop.class, "runStart", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        MethodHandle carrier;
        try {
            carrier = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup())
                    .findStatic(Thread.class, "currentCarrierThread", MethodType.methodType(Thread.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            carrier = null;
        }
        CURRENT_CARRIER = carrier;
        // No loop exists before this class is initialized, and a task binds its loop (bindCurrent) first thing.
        Waits.install(EventLoop::current, TaskContext::current);
    }

    /** A loop's platform thread; it knows its loop, so a task can find the loop that carries it. */
    private static final class LoopThread extends Thread {
        final EventLoop loop;

        LoopThread(EventLoop loop, String name) {
            super(null, loop::run, name, 0, false);
            this.loop = loop;
            setDaemon(true);
        }
    }

    /** The platform thread that runs the caller: the carrier for a virtual thread, where that can be seen. */
    private static Thread carrier() {
        Thread t = Thread.currentThread();
        if (t.isVirtual() && CURRENT_CARRIER != null) {
            try {
                return (Thread) CURRENT_CARRIER.invokeExact();
            } catch (Throwable e) {
                throw new IllegalStateException("Thread.currentCarrierThread failed", e);
            }
        }
        return t;
    }

    /**
     * AWAKE while the loop runs, SPINNING while it busy-polls, ASLEEP from just before it
     * re-checks the inbox until it returns from backend.poll. A producer that CASes
     * ASLEEP -> AWAKE owns the one backend.wakeup() for that sleep. See the overview.
     */
    private final WakeState wake = new WakeState();
    /** The most a spin may last (0: never spin); fixed. */
    private final long maxSpinNanos;
    /** What the next spin may last, in [0, maxSpinNanos]; loop thread only. */
    private long spinBudget;
    /**
     * Set by a producer that had to wake this loop from a sleep; read and cleared by the
     * loop after the sleep (afterSleep). Only a hint for the spin budget: a stale value
     * costs one budget adjustment.
     */
    private volatile boolean wokenByProducer;
    // Loop thread only; read by tests and benchmarks with a stale value at worst.
    private long spins;
    private long spinsPaid;

    /**
     * System.nanoTime() when the loop started the runnable it is running now, or 0 between
     * runnables. Written by the loop with setOpaque, read by the watchdog with getOpaque: a
     * slightly stale value only delays a stall warning.
     */
    @SuppressWarnings("unused")
    private long runStart;

    private final int index;
    private final String name;
    /** The CPU this loop's thread is pinned to, or -1. */
    private final int cpu;
    private final boolean customScheduler;
    private final BackendProvider provider;
    /** Made on the loop thread (io_uring's SINGLE_ISSUER wants its ring set up there); see the constructor. */
    private Backend backend;
    private final boolean nativeDeadlines;
    private final TimerQueue timers;
    private final ArrayDeque<Runnable> local = new ArrayDeque<>(256);
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    /** Runnable tasks that may migrate: pushed by any thread, polled by this loop and by thieves. */
    private final ConcurrentLinkedQueue<TaskContext> runq = new ConcurrentLinkedQueue<>();
    /** About runq.size() (CLQ's own size() walks the queue): incremented after each offer, decremented after each poll. */
    private final AtomicInteger runqSize = new AtomicInteger();
    /** Every loop of the runtime, this one included; set once by the runtime before tasks start. */
    private volatile EventLoop[] siblings = NO_SIBLINGS;
    /** True if this loop steals: tasks run on the loops and there is another loop. */
    private volatile boolean stealing;
    /** xorshift state for picking a victim; loop thread only. */
    private int random;
    /** Tasks this loop stole; loop thread only (read by tests with a stale value at worst). */
    private long stolen;
    private final Thread thread;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private Throwable startFailure;
    private volatile boolean stopping;
    private final LoopOwner runtime;

    /**
     * Makes and starts a loop.
     *
     * @param customScheduler true if tasks' virtual threads run on this loop's thread
     * @param runtime         the runtime this loop belongs to, for {@link #runtime()}
     */
    public EventLoop(int index, String name, BackendProvider provider, boolean customScheduler,
                     NanoClock clock, LoopOwner runtime) throws IOException {
        this(index, name, provider, customScheduler, clock, runtime, DEFAULT_IDLE_SPIN_NANOS);
    }

    /**
     * Makes and starts a loop.
     *
     * @param idleSpinNanos the most an idle loop busy-polls before it blocks; 0 never spins
     */
    public EventLoop(int index, String name, BackendProvider provider, boolean customScheduler,
                     NanoClock clock, LoopOwner runtime, long idleSpinNanos) throws IOException {
        this(index, name, provider, customScheduler, clock, runtime, idleSpinNanos, -1);
    }

    /**
     * Makes and starts a loop.
     *
     * @param idleSpinNanos the most an idle loop busy-polls before it blocks; 0 never spins
     * @param cpu           the CPU the loop's thread is pinned to (sched_setaffinity), or -1 for none
     * @throws IOException  if the backend cannot be opened or the thread cannot be pinned
     */
    public EventLoop(int index, String name, BackendProvider provider, boolean customScheduler,
                     NanoClock clock, LoopOwner runtime, long idleSpinNanos, int cpu) throws IOException {
        this.cpu = cpu;
        if (idleSpinNanos < 0) {
            throw new IllegalArgumentException("idle spin must not be negative: " + idleSpinNanos);
        }
        this.maxSpinNanos = idleSpinNanos;
        this.spinBudget = idleSpinNanos;
        this.index = index;
        this.name = name;
        this.provider = provider;
        this.customScheduler = customScheduler;
        this.runtime = runtime;
        this.timers = new TimerQueue(clock);
        this.nativeDeadlines = provider.capabilities().contains(Capability.NATIVE_DEADLINES);
        this.thread = new LoopThread(this, name);
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

    /** The CPU this loop's thread is pinned to, or -1 if it is not pinned. */
    public int cpu() {
        return cpu;
    }

    public Thread thread() {
        return thread;
    }

    /** The runtime this loop belongs to (null for a loop made on its own, as tests do). */
    public LoopOwner runtime() {
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

    /**
     * The loop of the calling thread, or null: for a task running on a loop's thread, that
     * loop (where it runs now); else the loop the task, or the task that started this
     * virtual thread, was bound to.
     */
    public static EventLoop current() {
        if (Thread.currentThread().isVirtual() && CURRENT_CARRIER != null
                && carrier() instanceof LoopThread lt) {
            return lt.loop;
        }
        return CURRENT.get();
    }

    /**
     * The loop whose thread runs the caller: a task mounted on it, or the loop thread
     * itself. Null elsewhere, including for tasks on the JDK's default scheduler.
     */
    public static EventLoop carrierLoop() {
        return carrier() instanceof LoopThread lt ? lt.loop : null;
    }

    static void bindCurrent(EventLoop loop) {
        CURRENT.set(loop);
    }

    /**
     * True on the loop thread, and on a task mounted on it. In the default-scheduler mode
     * tasks run on the JDK's pool, so only the loop thread itself counts.
     */
    @Override // LoopContext and WaitLoop
    public boolean inLoop() {
        Thread t = Thread.currentThread();
        if (t == thread) {
            return true;
        }
        if (!customScheduler || !t.isVirtual()) {
            return false;
        }
        return CURRENT_CARRIER != null ? carrier() == thread : CURRENT.get() == this;
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
        if (wake.claimWakeup()) {
            wokenByProducer = true;
            backend.wakeup();
        }
    }

    /** The wake-up state: {@link WakeState#AWAKE}, {@code SPINNING} or {@code ASLEEP}. Any thread. */
    public int wakeState() {
        return wake.get();
    }

    /** How many times this loop busy-polled while idle, and how many of those spins found work from another thread. */
    public long[] spinCounts() {
        return new long[] {spins, spinsPaid};
    }

    /** Work the loop must not sleep through; see {@link WakeState#trySleep}. Loop thread. */
    @Override
    public boolean pending() {
        return !inbox.isEmpty() || !runq.isEmpty() || stopping;
    }

    /**
     * Makes this loop one of {@code all} (which includes it), so that it steals from the
     * others when idle if {@code steal}, provided tasks run on the loops. Called once, before tasks start.
     */
    public void joinSiblings(EventLoop[] all, boolean steal) {
        random = 0x9E3779B9 * (index + 1);
        siblings = all;
        stealing = steal && stealingSupported() && customScheduler && CURRENT_CARRIER != null && all.length > 1;
    }

    /**
     * Whether this loop's backend lets a stolen task's I/O run here. Not on nio: a
     * channel registered with one loop's Selector and then used from another loop's
     * deadlocked a loop once in the JDK's deregistration (StealingStressTest, nio).
     */
    public boolean stealingSupported() {
        return !"nio".equals(provider.name());
    }

    /** How many tasks this loop has stolen from others. */
    public long stolenCount() {
        return stolen;
    }

    /**
     * Queues a runnable task that may migrate (see the overview). Any thread: from another
     * thread it wakes this loop if asleep; from this loop's thread, with a second task
     * waiting, it wakes a sleeping loop to steal, unless one is spinning already.
     */
    void schedule(TaskContext task) {
        runq.offer(task);
        int queued = runqSize.incrementAndGet();
        if (Thread.currentThread() != thread) {
            wakeup();
        } else if (queued >= 2 && stealing) {
            wakeAThief();
        }
    }

    private void wakeAThief() {
        EventLoop[] all = siblings;
        for (EventLoop l : all) {
            if (l != this && l.wake.get() == WakeState.SPINNING) {
                return;
            }
        }
        for (int k = 1; k < all.length; k++) {
            EventLoop l = all[(index + k) % all.length];
            if (l != this && !l.stopping && l.wake.claimWakeup()) {
                l.backend.wakeup();
                return;
            }
        }
    }

    private TaskContext pollRunq() {
        TaskContext t = runq.poll();
        if (t != null) {
            runqSize.decrementAndGet();
        }
        return t;
    }

    /**
     * Takes half (rounded up) of a random other loop's queued tasks into this loop's runq.
     * Loop thread only.
     *
     * @return true if it took any
     */
    private boolean trySteal() {
        EventLoop[] all = siblings;
        int n = all.length;
        int r = random;
        r ^= r << 13;
        r ^= r >>> 17;
        r ^= r << 5;
        random = r;
        int start = Math.floorMod(r, n);
        for (int k = 0; k < n; k++) {
            EventLoop victim = all[(start + k) % n];
            if (victim == this || victim.stopping) {
                continue;
            }
            int size = victim.runqSize.get();
            if (size <= 0) {
                continue;
            }
            if (size == 1) {
                long since = victim.runStart();
                if (since == 0 || System.nanoTime() - since < STEAL_ONE_AFTER_NANOS) {
                    continue;
                }
            }
            int want = size - size / 2;
            int got = 0;
            while (got < want) {
                TaskContext t = victim.pollRunq();
                if (t == null) {
                    break;
                }
                t.movedTo(this);
                runq.offer(t);
                runqSize.incrementAndGet();
                got++;
            }
            if (got > 0) {
                stolen += got;
                return true;
            }
        }
        return false;
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

    /**
     * Submits {@code op} to this loop's backend and waits until it is done: the backend
     * enforces {@code deadline} itself where it can ({@code NATIVE_DEADLINES}), else a loop
     * timer or a timed park does. The caller reads the outcome from the op.
     */
    public void submitAndAwait(IoOp op, long deadline) {
        boolean nativeDeadline = deadline != Waits.NONE && nativeDeadlines();
        if (nativeDeadline) {
            op.setDeadline(deadline);
        }
        submit(op);
        Waits.await(op, deadline, nativeDeadline);
    }

    /** The timers; loop thread only. */
    public TimerQueue timers() {
        assert inLoop();
        return timers;
    }

    @Override
    public long nanoTime() {
        return timers().clock().nanoTime();
    }

    @Override
    public TimerQueue.Timer timerAt(long deadline, Runnable action) {
        return timers().schedule(deadline, action);
    }

    /** Runs {@code action} on the loop at {@code deadline}; any thread. */
    @Override
    public void scheduleFromAnyThread(long deadline, Runnable action) {
        runOnLoop(() -> timers.schedule(deadline, action));
    }

    /** Cancels {@code op} with {@code reason} at {@code deadline}; loop thread only. Returns the timer. */
    @Override
    public TimerQueue.Timer cancelAt(long deadline, Op op, int reason) {
        assert inLoop();
        return timers.schedule(deadline, () -> op.requestCancel(reason));
    }

    // ---- the loop -------------------------------------------------------------------

    private void run() {
        try {
            if (cpu >= 0) {
                Affinity.pinCurrentThread(cpu);
            }
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
                if (stopping && local.isEmpty() && inbox.isEmpty() && runq.isEmpty()) {
                    break;
                }
                long timeout = 0;
                if (local.isEmpty() && runq.isEmpty()) {
                    long next = timers.nextDeadline();
                    timeout = next == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, next - timers.clock().nanoTime());
                    if (timeout > 0 && stealing && !stopping && trySteal()) {
                        timeout = 0;
                    }
                    if (timeout > 0 && spinBudget > 0) {
                        timeout = spin(timeout);
                    }
                    if (timeout > 0 && !wake.trySleep(this)) {
                        timeout = 0;
                    }
                }
                if (timeout > 0) {
                    long slept = System.nanoTime();
                    backend.poll(timeout);
                    wake.awake();
                    afterSleep(System.nanoTime() - slept);
                } else {
                    backend.poll(0);
                    wake.awake();
                }
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
     * Busy-polls for up to the spin budget (and never past {@code timeout}) while idle, and
     * adapts the budget (see the overview).
     *
     * @return 0 if the loop has work now, else what is left of {@code timeout}
     */
    private long spin(long timeout) {
        spins++;
        wake.spinning();
        if (backend.hasUnsubmitted()) {
            // Hand queued SQEs to the kernel first, or their I/O would wait for the spin.
            backend.poll(0);
            if (!local.isEmpty() || !runq.isEmpty()) {
                spinBudget = halved(spinBudget);
                return 0;
            }
        }
        boolean peek = backend.canPeekCompletions();
        long start = System.nanoTime();
        long limit = Math.min(spinBudget, timeout);
        long lastPoll = start;
        for (int i = 1; ; i++) {
            if (pending()) {
                spinsPaid++;
                spinBudget = Math.min(maxSpinNanos, spinBudget * 2);
                return 0;
            }
            if (peek && backend.completionsReady()) {
                spinBudget = halved(spinBudget);
                return 0;
            }
            if ((i & 7) == 0 && stealing && trySteal()) {
                spinsPaid++;
                spinBudget = Math.min(maxSpinNanos, spinBudget * 2);
                return 0;
            }
            if ((i & 15) == 0) {
                long now = System.nanoTime();
                if (now - start >= limit) {
                    spinBudget = halved(spinBudget);
                    return timeout == Long.MAX_VALUE ? timeout : Math.max(0, timeout - (now - start));
                }
                if (!peek && now - lastPoll >= SPIN_POLL_NANOS) {
                    lastPoll = now;
                    backend.poll(0);
                    if (!local.isEmpty() || !runq.isEmpty()) {
                        // I/O completed (its tasks were queued by this thread): not a hand-off
                        spinBudget = halved(spinBudget);
                        return 0;
                    }
                }
            }
            Thread.onSpinWait();
        }
    }

    private static long halved(long budget) {
        long b = budget / 2;
        return b < SPIN_FLOOR_NANOS ? 0 : b;
    }

    /**
     * After a sleep of {@code sleptNanos}: if another thread's wake-up ended it sooner than
     * the most a spin may last, a spin of twice that long would have caught the hand-off
     * without the wake-up, so the budget grows back to at least that. A sleep ended by I/O
     * alone does not count.
     */
    private void afterSleep(long sleptNanos) {
        boolean woken = wokenByProducer;
        if (woken) {
            wokenByProducer = false;
        }
        if (woken && maxSpinNanos > 0 && sleptNanos < maxSpinNanos) {
            spinBudget = Math.min(maxSpinNanos, Math.max(Math.max(spinBudget * 2, 2 * sleptNanos), SPIN_FLOOR_NANOS));
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
            // Alternate, so neither pinned work nor migrating tasks can starve the other.
            Runnable r;
            if ((ran & 1) == 0) {
                r = local.pollFirst();
                if (r == null) {
                    r = pollRunq();
                }
            } else {
                r = pollRunq();
                if (r == null) {
                    r = local.pollFirst();
                }
            }
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

    /**
     * Cancels {@code timer}, which the caller armed on this loop's queue; from a task that
     * has since moved to another loop, by a hop to this one. Any thread.
     */
    @Override
    public void cancelTimer(TimerQueue.Timer timer) {
        if (inLoop()) {
            timers.cancel(timer);
        } else {
            execute(() -> timers.cancel(timer));
        }
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
