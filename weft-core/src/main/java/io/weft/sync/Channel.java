package io.weft.sync;

import io.weft.Deadline;
import io.weft.internal.wait.Waits;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A queue that tasks (and platform threads) hand values through, many senders to many
 * receivers, waiting when it is full or empty.
 *
 * <pre>{@code
 * Channel<Job> jobs = Channel.bounded(64);
 * Weft.spawn(() -> {
 *     for (Job j : source) jobs.send(j);       // waits while 64 are queued
 *     jobs.close();
 * });
 * for (Job j : jobs) handle(j);                // ends once closed and drained
 * }</pre>
 *
 * <p>Kinds: {@link #bounded(int)} holds up to n values; {@link #rendezvous()} holds none,
 * so a send waits until a receiver takes the value; {@link #unbounded()} never makes a
 * sender wait.
 *
 * <p>Waiting is FIFO-fair: blocked senders are served in the order they blocked, and so are
 * blocked receivers. Values are received in the order their sends completed.
 *
 * <p>Every blocking method is a Weft wait: the {@link Duration} and {@link Deadline} forms
 * throw {@link io.weft.DeadlineExceededException} when time runs out, and a cancelled task
 * or an interrupted thread gets {@link CancellationException} (the interrupt status is
 * kept). A cancelled or timed-out send did not deliver its value; a receive that was
 * cancelled took nothing. When a hand-over and a cancellation race, the hand-over wins:
 * the call returns normally and the cancellation shows at the task's next wait. A blocking
 * call in a task that is already cancelled throws at once, even if it could have finished.
 *
 * <p>{@link #trySend} and {@link #tryReceive} never wait and never look at cancellation:
 * they return {@code false} or {@code null} when they would have to wait. Use a
 * {@link Select} with {@link Select#onTimeout} for "wait up to d, else" without an exception.
 *
 * <p>{@link #close()}: further sends, and sends still waiting, throw
 * {@link ChannelClosedException} (their values are not in the channel); receivers first get
 * every value already accepted, then {@link ChannelClosedException}, and iteration ends.
 *
 * <p>Null values are not allowed. Channels can be cases of a {@link Select}.
 */
/*
 * Overview
 *
 * State, all under `lock`: `buffer` (accepted values), `senders` (blocked senders, each
 * Waiter carrying its value), `receivers` (blocked receivers), `closed`. Invariants, for
 * live waiters (dead ones may linger until their thread withdraws them):
 *   - live receivers wait only while the buffer is empty and no live sender waits;
 *   - live senders wait only while the buffer is full (for a rendezvous: always full).
 *
 * send(v):
 *   1. lock; closed -> throw
 *   2. take receivers from the front until one is claimed: fire(v) is the receiver's op CAS,
 *      which hands v over in the same step; a dead receiver fails the CAS and is dropped
 *   3. else if the buffer has room: append v
 *   4. else: enqueue a Waiter(op, v) in `senders`; unlock; park (Parking.await)
 * receive():
 *   1. lock; if the buffer has a value: take it, then refill from the first sender that
 *      can be claimed (fire(null) claims it, its value moves into the buffer)
 *   2. else take senders from the front until one is claimed; its value is ours
 *   3. else closed -> throw (drained); else enqueue a Waiter in `receivers`; unlock; park
 * A waiter is claimed only through its op's single CAS (Waiter.fire), so a value goes to
 * exactly one party: to a receiver that was cancelled a moment too late (it keeps it), or
 * to nobody-yet (the sender was cancelled before being claimed, and still holds it).
 *
 * Select uses the *Locked methods with every channel of the select locked at once, in `id`
 * order (see Select).
 *
 * Rejected: a lock-free queue of waiters (Kotlin's segment-based channel). It is faster
 * under contention but much harder to keep FIFO-fair, closeable and select-able in one
 * small class; a ReentrantLock held for a few field writes does not pin virtual threads in
 * JDK 25 and never parks inside the critical section.
 */
public final class Channel<T> implements Iterable<T> {

    private static final AtomicLong IDS = new AtomicLong();

    /** Result of {@link #pollLocked()} when no value is there and the channel is open. */
    static final Object EMPTY = new Object();

    /** Fixes the order in which a select locks several channels (no deadlock between selects). */
    final long id = IDS.incrementAndGet();
    final ReentrantLock lock = new ReentrantLock();

    private final int capacity;
    private final ArrayDeque<T> buffer;
    private final WaitQueue senders = new WaitQueue();
    private final WaitQueue receivers = new WaitQueue();
    private boolean closed;

    private Channel(int capacity) {
        this.capacity = capacity;
        this.buffer = new ArrayDeque<>(Math.min(capacity, 16));
    }

    /** A channel that holds up to {@code capacity} values; {@code 0} makes a rendezvous channel. */
    public static <T> Channel<T> bounded(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0: " + capacity);
        }
        return new Channel<>(capacity);
    }

    /** A channel whose sends never wait (memory is the only bound). */
    public static <T> Channel<T> unbounded() {
        return new Channel<>(Integer.MAX_VALUE);
    }

    /** A channel that holds nothing: each send waits for a receiver to take its value. */
    public static <T> Channel<T> rendezvous() {
        return new Channel<>(0);
    }

    /** The capacity: 0 for rendezvous, {@link Integer#MAX_VALUE} for unbounded. */
    public int capacity() {
        return capacity;
    }

    // ---- sending ------------------------------------------------------------------------

    /**
     * Sends {@code value}, waiting while the channel is full (for a rendezvous channel:
     * until a receiver takes it).
     *
     * @throws ChannelClosedException the channel is or was meanwhile closed; the value was not sent
     * @throws CancellationException  the task was cancelled or the thread interrupted; not sent
     */
    public void send(T value) {
        send(value, Deadline.NONE);
    }

    /** Like {@link #send(Object)}, waiting at most {@code timeout}. */
    public void send(T value, Duration timeout) {
        send(value, Deadline.after(timeout));
    }

    /**
     * Like {@link #send(Object)}, waiting until {@code deadline}.
     *
     * @throws io.weft.DeadlineExceededException the deadline passed first; the value was not sent
     */
    public void send(T value, Deadline deadline) {
        Objects.requireNonNull(value, "value");
        Parking.checkStart("Channel.send");
        Waiter w = offerOrEnqueue(value);
        if (w == null) {
            return;
        }
        Parking.await(w.op, deadline);
        finishSend(w);
    }

    /**
     * The first half of a send: hands {@code value} over or buffers it now (null), or
     * queues a waiting sender with it and returns that waiter, whose op the caller then
     * waits for.
     */
    Waiter offerOrEnqueue(Object value) {
        lock.lock();
        try {
            if (offerLocked(value)) {
                return null;
            }
            Waiter w = new Waiter(new Waits.Signal(), 0, value, 0);
            senders.add(w);
            return w;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The second half of a send, once {@code w}'s op is done: returns if a receiver or the
     * buffer took the value; withdraws the waiter and throws if the wait was cancelled;
     * throws if the channel closed.
     */
    void finishSend(Waiter w) {
        if (w.op.wasCancelled()) {
            withdraw(w);
            throw Parking.cancelled(w.op.cancelReason(), "Channel.send");
        }
        if (w.op.attachment() == Waiter.CLOSED) {
            throw closedForSend();
        }
    }

    /**
     * Sends {@code value} if that needs no wait: a receiver is waiting or the buffer has room.
     *
     * @return false if the channel is full
     * @throws ChannelClosedException the channel is closed
     */
    public boolean trySend(T value) {
        Objects.requireNonNull(value, "value");
        lock.lock();
        try {
            return offerLocked(value);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lock held. Hands {@code value} to the first receiver that can be claimed, or appends
     * it to the buffer. False if neither is possible (the caller may wait).
     */
    boolean offerLocked(Object value) {
        assert lock.isHeldByCurrentThread();
        if (closed) {
            throw closedForSend();
        }
        Waiter r;
        while ((r = receivers.poll()) != null) {
            if (r.fire(value)) {
                return true;
            }
        }
        if (buffer.size() < capacity) {
            buffer.addLast(cast(value));
            return true;
        }
        return false;
    }

    // ---- receiving ----------------------------------------------------------------------

    /**
     * Takes the next value, waiting while the channel is empty.
     *
     * @throws ChannelClosedException the channel is closed and every value sent before has been received
     * @throws CancellationException  the task was cancelled or the thread interrupted; nothing was taken
     */
    public T receive() {
        return receive(Deadline.NONE);
    }

    /** Like {@link #receive()}, waiting at most {@code timeout}. */
    public T receive(Duration timeout) {
        return receive(Deadline.after(timeout));
    }

    /**
     * Like {@link #receive()}, waiting until {@code deadline}.
     *
     * @throws io.weft.DeadlineExceededException the deadline passed first; nothing was taken
     */
    public T receive(Deadline deadline) {
        Object v = receiveOrClosed(deadline);
        if (v == Waiter.CLOSED) {
            throw closedForReceive();
        }
        return cast(v);
    }

    /**
     * Takes a value if one is there now.
     *
     * @return the value, or null if the channel is empty
     * @throws ChannelClosedException the channel is closed and drained
     */
    public T tryReceive() {
        Object v;
        lock.lock();
        try {
            v = pollLocked();
        } finally {
            lock.unlock();
        }
        if (v == Waiter.CLOSED) {
            throw closedForReceive();
        }
        return v == EMPTY ? null : cast(v);
    }

    /** A value, or {@link Waiter#CLOSED}; the shared body of receive and iteration. */
    private Object receiveOrClosed(Deadline deadline) {
        Parking.checkStart("Channel.receive");
        Object v = pollOrEnqueue();
        if (!(v instanceof Waiter w)) {
            return v;
        }
        Parking.await(w.op, deadline);
        return finishReceive(w);
    }

    /**
     * The first half of a receive: a value (or {@link Waiter#CLOSED}) if one can be taken
     * now; else queues a waiting receiver and returns that {@link Waiter} (never a user
     * value: the class is private to this package), whose op the caller then waits for.
     */
    Object pollOrEnqueue() {
        lock.lock();
        try {
            Object v = pollLocked();
            if (v != EMPTY) {
                return v;
            }
            Waiter w = new Waiter(new Waits.Signal(), 0, null, 0);
            receivers.add(w);
            return w;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The second half of a receive, once {@code w}'s op is done: the value (or
     * {@link Waiter#CLOSED}) it was handed; withdraws the waiter and throws if the wait
     * was cancelled, in which case it took nothing.
     */
    Object finishReceive(Waiter w) {
        if (w.op.wasCancelled()) {
            withdraw(w);
            throw Parking.cancelled(w.op.cancelReason(), "Channel.receive");
        }
        return w.op.attachment();
    }

    /**
     * Lock held. Takes the next value: from the buffer (then refilling it from a waiting
     * sender), or straight from a waiting sender. Returns {@link #EMPTY} if there is none,
     * {@link Waiter#CLOSED} if there is none and never will be.
     */
    Object pollLocked() {
        assert lock.isHeldByCurrentThread();
        T v = buffer.pollFirst();
        if (v != null) {
            Waiter s;
            while (buffer.size() < capacity && (s = senders.poll()) != null) {
                if (s.fire(null)) {
                    buffer.addLast(cast(s.item));
                }
            }
            return v;
        }
        Waiter s;
        while ((s = senders.poll()) != null) {
            if (s.fire(null)) {
                return s.item;
            }
        }
        return closed ? Waiter.CLOSED : EMPTY;
    }

    // ---- waiters, for this class and Select ---------------------------------------------

    /** Lock held. Parks {@code w} as a receiver; the caller has seen {@link #pollLocked()} return EMPTY. */
    void enqueueReceiverLocked(Waiter w) {
        assert lock.isHeldByCurrentThread();
        receivers.add(w);
    }

    /** Lock held. Parks {@code w} as a sender; the caller has seen {@link #offerLocked} return false. */
    void enqueueSenderLocked(Waiter w) {
        assert lock.isHeldByCurrentThread();
        senders.add(w);
    }

    /** Unlinks a waiter that can no longer be claimed (its op is done). Any thread but a loop's. */
    void withdraw(Waiter w) {
        lock.lock();
        try {
            if (w.queue != null) {
                w.queue.remove(w);
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- closing ------------------------------------------------------------------------

    /**
     * Closes the channel. Values already sent stay receivable; blocked and later sends throw
     * {@link ChannelClosedException}; receivers get it once the channel is drained.
     *
     * @return true if this call closed it, false if it was already closed
     */
    public boolean close() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            // Live receivers wait only on an empty buffer, so nothing is left for them.
            receivers.drain(r -> r.fire(Waiter.CLOSED));
            senders.drain(s -> s.fire(Waiter.CLOSED));
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Lock held. */
    boolean isClosedLocked() {
        assert lock.isHeldByCurrentThread();
        return closed;
    }

    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** The number of values accepted and not yet received (not counting blocked senders). */
    public int size() {
        lock.lock();
        try {
            return buffer.size();
        } finally {
            lock.unlock();
        }
    }

    // ---- iteration ----------------------------------------------------------------------

    /**
     * Receives values until the channel is closed and drained. {@code hasNext()} waits for
     * the next value and may throw {@link CancellationException}. Several iterators (in
     * several tasks) share out the values: each value goes to one of them.
     */
    @Override
    public Iterator<T> iterator() {
        return new UntilClosedIterator<>(() -> receiveOrClosed(Deadline.NONE));
    }

    static ChannelClosedException closedForSend() {
        return new ChannelClosedException("send on a closed channel");
    }

    static ChannelClosedException closedForReceive() {
        return new ChannelClosedException("receive on a closed channel: no values left");
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    @Override
    public String toString() {
        String kind = capacity == 0 ? "rendezvous" : capacity == Integer.MAX_VALUE ? "unbounded" : "bounded(" + capacity + ")";
        lock.lock();
        try {
            return "Channel[" + kind + ", " + buffer.size() + " buffered, " + senders.size() + " senders waiting, "
                    + receivers.size() + " receivers waiting" + (closed ? ", closed]" : "]");
        } finally {
            lock.unlock();
        }
    }
}
