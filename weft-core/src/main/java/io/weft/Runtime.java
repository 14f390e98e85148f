package io.weft;

import io.weft.internal.backend.BackendUnavailableException;
import io.weft.internal.backend.Backends;
import io.weft.internal.loop.EventLoop;
import io.weft.internal.loop.LoopOwner;
import io.weft.internal.loop.NanoClock;
import io.weft.internal.loop.VirtualThreads;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A set of event loops that run tasks, with a blocking pool and a stall watchdog.
 * {@link Weft#run} makes one for the length of a main task; applications that manage the
 * lifetime themselves build one:
 *
 * <pre>{@code
 * try (Runtime rt = Runtime.builder().loops(2).backend("auto").build()) {
 *     Task<?> server = rt.spawn(() -> serve(port));
 *     ...
 * }   // close(): waits for tasks up to the shutdown timeout, then cancels and joins the rest
 * }</pre>
 *
 * <p>System properties give the defaults: {@code weft.loops} (one loop per available
 * processor), {@code weft.backend} ({@code auto}), {@code weft.scheduler}
 * ({@code auto}: the loops if the JDK allows, else the JDK's default scheduler).
 */
public final class Runtime implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Runtime.class.getName());
    private static final AtomicInteger RUNTIME_IDS = new AtomicInteger();

    private final String name;
    /** This runtime as its loops know it. */
    private final Owner owner = new Owner();
    private final EventLoop[] loops;
    private final SchedulerMode mode;
    private final String schedulerReason;
    private final String backendName;
    private final String backendReason;
    /** One per loop. Factories, not builders: a builder is not safe to share between threads. */
    private final ThreadFactory[] threadFactories;
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final AtomicLong taskIds = new AtomicLong();
    private final Set<Task<?>> live = ConcurrentHashMap.newKeySet();
    /** Failures of ended tasks that nobody has observed yet; reported at shutdown. */
    private final Set<Task.UnobservedFailure> unobserved = ConcurrentHashMap.newKeySet();
    private final Object liveLock = new Object();
    private final BlockingPool blocking;
    private final Watchdog watchdog;
    private final Duration shutdownTimeout;
    private volatile boolean closing;
    private volatile boolean closed;

    private Runtime(Builder b) {
        this.name = b.name != null ? b.name : "weft-" + RUNTIME_IDS.incrementAndGet();
        this.shutdownTimeout = b.shutdownTimeout;
        Backends.Choice choice;
        try {
            choice = Backends.choose(b.backend);
        } catch (BackendUnavailableException e) {
            throw new UnsupportedOperationException("backend '" + b.backend + "' is unavailable: " + e.getMessage(), e);
        }
        this.backendName = choice.provider().name();
        this.backendReason = choice.reason();

        String sched = b.scheduler;
        String why;
        SchedulerMode m;
        switch (sched) {
            case "default" -> {
                m = SchedulerMode.DEFAULT;
                why = "requested (weft.scheduler=default)";
            }
            case "loops", "auto" -> {
                if (VirtualThreads.customSchedulerAvailable()) {
                    m = SchedulerMode.LOOPS;
                    why = null;
                } else if (sched.equals("loops")) {
                    throw new UnsupportedOperationException("scheduler 'loops' is unavailable: " + VirtualThreads.reason());
                } else {
                    m = SchedulerMode.DEFAULT;
                    why = VirtualThreads.reason();
                }
            }
            default -> throw new IllegalArgumentException("unknown scheduler '" + sched + "': expected auto, loops or default");
        }
        this.mode = m;
        this.schedulerReason = why;

        JdkPoller.warmUp();
        int n = b.loops;
        int[] cpus = b.pinCpus == null ? null : loopCpus(b.pinCpus, n);
        this.loops = new EventLoop[n];
        this.threadFactories = new ThreadFactory[n];
        try {
            for (int i = 0; i < n; i++) {
                loops[i] = new EventLoop(i, name + "-loop-" + i, choice.provider(), mode == SchedulerMode.LOOPS,
                        NanoClock.SYSTEM, owner, b.idleSpin.toNanos(), cpus == null ? -1 : cpus[i]);
                threadFactories[i] = (mode == SchedulerMode.LOOPS ? VirtualThreads.builder(loops[i]) : Thread.ofVirtual()).factory();
            }
        } catch (IOException e) {
            for (EventLoop l : loops) {
                if (l != null) {
                    l.stop();
                }
            }
            throw new UncheckedIOException("cannot start runtime " + name, e);
        }
        for (EventLoop l : loops) {
            l.joinSiblings(loops, b.workStealing);
        }
        this.blocking = new BlockingPool(name, b.blockingThreads);
        this.watchdog = b.stallThreshold.isZero() ? null : new Watchdog(this, b.stallThreshold, b.onStall);
        // One line says what runs and why; it is a warning when Weft had to settle for the
        // default scheduler rather than being asked for it.
        boolean degraded = mode == SchedulerMode.DEFAULT && !sched.equals("default");
        LOG.log(degraded ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                "{0}: {1} loop(s), backend {2} ({3}), scheduler {4}{5}",
                name, n, backendName, backendReason, mode,
                schedulerReason == null ? "" : " (" + schedulerReason + ")");
    }

    /** The CPU of each of {@code n} loops for {@link Builder#pinLoops(int...)}. */
    private static int[] loopCpus(int[] requested, int n) {
        if (requested.length > 0) {
            if (requested.length < n) {
                throw new IllegalArgumentException("pinLoops names " + requested.length + " CPU(s) for " + n + " loops");
            }
            return java.util.Arrays.copyOf(requested, n);
        }
        java.util.BitSet allowed;
        try {
            allowed = io.weft.internal.linux.Affinity.currentThreadCpus();
        } catch (IOException | RuntimeException | LinkageError e) {
            throw new UnsupportedOperationException("pinLoops needs sched_getaffinity (Linux): " + e, e);
        }
        int[] all = allowed.stream().toArray();
        if (all.length == 0) {
            throw new UnsupportedOperationException("pinLoops: sched_getaffinity reported no CPU");
        }
        int[] cpus = new int[n];
        for (int i = 0; i < n; i++) {
            cpus[i] = all[i % all.length];
        }
        return cpus;
    }

    /** A builder with the defaults from system properties. */
    public static Builder builder() {
        return new Builder();
    }

    /** The runtime of the calling task, or null if the caller is not in one. */
    public static Runtime current() {
        EventLoop l = EventLoop.current();
        return l != null && l.runtime() instanceof Owner o ? o.runtime() : null;
    }

    /** What this runtime's loops hold as their owner. */
    private final class Owner implements LoopOwner {
        Runtime runtime() {
            return Runtime.this;
        }
    }

    // ---- spawning ---------------------------------------------------------------------

    /**
     * Starts a task: from one of this runtime's tasks (with tasks on the loops), on the
     * caller's loop; from anywhere else, on the next loop in turn. Any thread.
     */
    public <T> Task<T> spawn(Callable<T> body) {
        return spawnOn(-1, body, null);
    }

    /** Starts a task that returns nothing; placed as by {@link #spawn(Callable)}. */
    public Task<Void> spawn(ThrowingRunnable body) {
        return spawn(asCallable(body));
    }

    /**
     * Starts a task on loop {@code loop} (0 to {@link #loopCount()} - 1), where it stays:
     * unlike a task from {@link #spawn(Callable)}, it is never stolen by another loop.
     */
    public <T> Task<T> spawnOn(int loop, Callable<T> body) {
        if (loop < 0 || loop >= loops.length) {
            throw new IllegalArgumentException("loop " + loop + " out of range 0.." + (loops.length - 1));
        }
        return spawnOn(loop, body, null);
    }

    /** Starts a task that returns nothing on loop {@code loop}. */
    public Task<Void> spawnOn(int loop, ThrowingRunnable body) {
        return spawnOn(loop, asCallable(body));
    }

    static Callable<Void> asCallable(ThrowingRunnable body) {
        return () -> {
            body.run();
            return null;
        };
    }

    <T> Task<T> spawnOn(int loop, Callable<T> body, Scope scope) {
        if (closed) {
            throw new IllegalStateException("runtime " + name + " is closed");
        }
        int i = loop >= 0 ? loop : placeNew();
        Task<T> t = new Task<>(this, loops[i], body, scope, name + "-task-" + taskIds.incrementAndGet());
        live.add(t);
        if (scope != null) {
            scope.adopt(t);
        }
        // A task placed by the runtime may be stolen by an idle loop: its scheduler is its own
        // context, which queues it on the loop it last ran on. One given a loop stays there.
        t.start(loop < 0 && mode == SchedulerMode.LOOPS ? VirtualThreads.builder(t.context()).factory() : threadFactories[i]);
        return t;
    }

    /**
     * Where a task started without a loop goes: on the caller's own loop when the caller
     * runs on one of ours (a task spawning a task: the child shares the parent's caches and
     * needs no cross-core wake-up; an idle loop steals it if this one stays busy), else
     * the next loop in turn.
     */
    private int placeNew() {
        EventLoop here = EventLoop.carrierLoop();
        if (here != null && here.runtime() == owner) {
            return here.index();
        }
        return Math.floorMod(nextLoop.getAndIncrement(), loops.length);
    }

    int currentLoopIndexOr(int fallback) {
        EventLoop l = EventLoop.current();
        return l != null && l.runtime() == owner ? l.index() : fallback;
    }

    void taskEnded(Task<?> t) {
        live.remove(t);
        if (live.isEmpty()) {
            synchronized (liveLock) {
                liveLock.notifyAll();
            }
        }
    }

    void failedUnobserved(Task.UnobservedFailure f) {
        unobserved.add(f);
    }

    void failureObserved(Task.UnobservedFailure f) {
        unobserved.remove(f);
    }

    // ---- introspection ----------------------------------------------------------------

    public String name() {
        return name;
    }

    /** The backend in use: {@code io_uring}, {@code epoll} or {@code nio}. */
    public String backend() {
        return backendName;
    }

    /** Why this backend: {@code requested}, or for auto, which ones were passed over and why. */
    public String backendReason() {
        return backendReason;
    }

    public SchedulerMode schedulerMode() {
        return mode;
    }

    /** Why the scheduler mode is {@link SchedulerMode#DEFAULT}, or null when it is LOOPS. */
    public String schedulerReason() {
        return schedulerReason;
    }

    public int loopCount() {
        return loops.length;
    }

    /** The number of tasks started and not yet ended. */
    public int liveTasks() {
        return live.size();
    }

    List<Task<?>> liveTaskList() {
        return new ArrayList<>(live);
    }

    EventLoop loop(int i) {
        return loops[i];
    }

    BlockingPool blockingPool() {
        return blocking;
    }

    /** The stall watchdog, or null when it is off. */
    Watchdog watchdog() {
        return watchdog;
    }

    // ---- shutdown ---------------------------------------------------------------------

    /**
     * Shuts down gracefully: waits up to the builder's shutdown timeout for tasks to end,
     * cancels those still running and waits for them, then stops the loops. Must not be
     * called from one of this runtime's tasks.
     */
    @Override
    public void close() {
        shutdown(shutdownTimeout);
    }

    /**
     * Waits up to {@code grace} for tasks to end on their own, then cancels the rest and
     * waits for them (up to the shutdown timeout), then stops the loops and the blocking
     * pool, and logs the failures of tasks that nobody observed (see {@link Task}). Work
     * abandoned on the blocking pool ({@link Blocking#callOrAbandon}) is not waited for.
     * Idempotent.
     */
    public void shutdown(Duration grace) {
        if (current() == this) {
            throw new IllegalStateException("a runtime cannot be shut down from one of its own tasks");
        }
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        awaitNoTasks(Deadline.after(grace));
        List<Task<?>> rest = liveTaskList();
        for (Task<?> t : rest) {
            t.cancel();
        }
        if (!awaitNoTasks(Deadline.after(shutdownTimeout))) {
            LOG.log(System.Logger.Level.WARNING, "{0}: {1} task(s) ignored cancellation and are abandoned: {2}",
                    name, live.size(), live);
        }
        closed = true;
        if (watchdog != null) {
            watchdog.stop();
        }
        for (EventLoop l : loops) {
            l.stop();
        }
        boolean interrupted = false;
        for (EventLoop l : loops) {
            try {
                l.awaitTermination(10_000);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        blocking.shutdown();
        // Failures of tasks still reachable that nobody observed: the last chance to tell.
        for (Task.UnobservedFailure f : List.copyOf(unobserved)) {
            f.report();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean awaitNoTasks(Deadline d) {
        synchronized (liveLock) {
            while (!live.isEmpty()) {
                long ms = d.remaining().toMillis();
                if (d.hasPassed() || ms <= 0) {
                    return live.isEmpty();
                }
                try {
                    liveLock.wait(Math.min(ms, 100));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return live.isEmpty();
                }
            }
            return true;
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "Runtime[" + name + ", " + loops.length + " loops, " + backendName + ", " + mode + "]";
    }

    /** Options for a {@link Runtime}. */
    public static final class Builder {
        private int loops = Integer.getInteger("weft.loops", java.lang.Runtime.getRuntime().availableProcessors());
        private String backend = System.getProperty("weft.backend", "auto");
        private String scheduler = System.getProperty("weft.scheduler", "auto");
        private Duration stallThreshold = Duration.ofMillis(Long.getLong("weft.stallThresholdMillis", 100));
        private Consumer<StallReport> onStall;
        private int blockingThreads = Integer.getInteger("weft.blockingThreads",
                Math.max(16, 4 * java.lang.Runtime.getRuntime().availableProcessors()));
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private int[] pinCpus;
        private boolean workStealing = Boolean.getBoolean("weft.workStealing");
        private Duration idleSpin = Duration.ofNanos(1000 * Long.getLong("weft.idleSpinMicros",
                EventLoop.DEFAULT_IDLE_SPIN_NANOS / 1000));
        private String name;

        private Builder() {
        }

        /** The number of event loops (default: available processors, or {@code -Dweft.loops}). */
        public Builder loops(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("loops must be at least 1: " + n);
            }
            this.loops = n;
            return this;
        }

        /** {@code auto}, {@code io_uring}, {@code epoll} or {@code nio} (default {@code -Dweft.backend}, else auto). */
        public Builder backend(String name) {
            this.backend = name;
            return this;
        }

        /** {@code auto}, {@code loops} or {@code default} (default {@code -Dweft.scheduler}, else auto). */
        public Builder scheduler(String mode) {
            this.scheduler = mode;
            return this;
        }

        /** How long one task may keep a loop busy before the watchdog warns (default 100 ms; zero turns it off). */
        public Builder stallThreshold(Duration d) {
            this.stallThreshold = d;
            return this;
        }

        /** Receives stall reports instead of the default log warning. */
        public Builder onStall(Consumer<StallReport> listener) {
            this.onStall = listener;
            return this;
        }

        /** The most platform threads {@link Blocking} may use at once. */
        public Builder blockingThreads(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("blockingThreads must be at least 1: " + n);
            }
            this.blockingThreads = n;
            return this;
        }

        /** How long {@link Runtime#close()} waits for tasks, and then for cancelled tasks (default 10 s). */
        public Builder shutdownTimeout(Duration d) {
            this.shutdownTimeout = d;
            return this;
        }

        /**
         * The most time an idle loop busy-polls its queues (and, on io_uring, its completion
         * queue) before it blocks in the kernel (default 50 µs, or {@code -Dweft.idleSpinMicros}).
         * Waking a blocked loop costs the thread that hands it work a syscall and the loop
         * tens of microseconds; a spinning loop picks the work up at once. Each loop adapts
         * its spin within this bound: it spins less, down to not at all, while spins find
         * nothing, so an idle runtime does not burn CPU. {@link Duration#ZERO} never spins.
         */
        public Builder idleSpin(Duration d) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("idleSpin must not be negative: " + d);
            }
            this.idleSpin = d;
            return this;
        }

        /**
         * Lets an idle loop take queued tasks from a busy one: half of a random loop's
         * queue. Tasks started by {@code spawnOn} or {@code spawnLocal} are never moved; a
         * moved task's later I/O goes to the loop it runs on. Off by default (or
         * {@code -Dweft.workStealing=true}) while it is new: on the nio backend it
         * deadlocked a loop once in the JDK's Selector deregistration, so there it is
         * ignored.
         */
        public Builder workStealing(boolean on) {
            this.workStealing = on;
            return this;
        }

        /**
         * Pins each loop's thread to one CPU (sched_setaffinity). With no arguments, loop
         * {@code i} goes on the {@code i}-th CPU this process may use (wrapping around when
         * there are more loops than CPUs); otherwise loop {@code i} on {@code cpus[i]},
         * which must name a CPU for every loop. Off by default: a pinned loop cannot move
         * away from a core that other work keeps busy. The build fails with a message
         * naming the CPU if the kernel refuses one.
         */
        public Builder pinLoops(int... cpus) {
            for (int c : cpus) {
                if (c < 0) {
                    throw new IllegalArgumentException("CPU numbers are not negative: " + c);
                }
            }
            this.pinCpus = cpus.clone();
            return this;
        }

        /** A name for threads and logs. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Starts the runtime.
         *
         * @throws UnsupportedOperationException if the requested backend or scheduler cannot
         *         run here; the message says why (for {@code auto} this cannot happen: nio runs everywhere)
         * @throws java.io.UncheckedIOException if a loop's backend fails to open
         */
        public Runtime build() {
            return new Runtime(this);
        }
    }
}
