package io.weft.sync;

import io.weft.Deadline;
import io.weft.internal.wait.Waits;

import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A channel whose every message goes to every receiver. Each {@link #subscribe()} makes a
 * {@link Receiver} that sees the messages sent after it subscribed, in order.
 *
 * <pre>{@code
 * BroadcastChannel<Quote> quotes = BroadcastChannel.withCapacity(1024);
 * BroadcastChannel.Receiver<Quote> mine = quotes.subscribe();
 * Weft.spawn(() -> feed.forEach(quotes::send));
 * while (true) {
 *     try {
 *         show(mine.receive());
 *     } catch (LaggedException e) {
 *         log("skipped " + e.missed());    // and go on from the oldest kept
 *     }
 * }
 * }</pre>
 *
 * <p>The channel keeps the last {@code capacity} messages. Sending never waits: a slow
 * receiver does not hold back the sender or the others. A receiver that falls more than
 * {@code capacity} messages behind gets {@link LaggedException} with the number it missed,
 * and then continues from the oldest message kept.
 *
 * <p>{@link #close()}: sends throw {@link ChannelClosedException}; each receiver gets the
 * messages it has not yet seen, then {@link ChannelClosedException} (iteration ends).
 * Receiving is a Weft wait, with timeouts ({@link io.weft.DeadlineExceededException}) and
 * cancellation ({@link java.util.concurrent.CancellationException}); a cancelled receive
 * leaves the receiver's position where it was.
 */
/*
 * Overview
 *
 * State under `lock`: `ring` (capacity slots), `tail` (sequence number of the next
 * message; message s lives in ring[s % capacity]), `closed`, `waiters` (receivers with
 * nothing left to read). A receiver's position `next` is a sequence number; the oldest
 * kept is max(0, tail - capacity).
 *
 *   send(v):    ring[tail % capacity] = v; tail++; fire every waiter
 *   receive():  loop: if next < oldest: missed = oldest - next; next = oldest; throw Lagged
 *                     if next < tail: return ring[next++ % capacity]
 *                     if closed: throw closed
 *                     queue a waiter; unlock; park; lock again and retry
 *
 * A wake-up carries nothing: the receiver reads under the lock after waking, so a wake
 * that loses to a cancellation loses nothing, and the position moves only under the lock.
 *
 * Rejected: one queue per receiver (a Channel each): every send would copy to each, and
 * a slow receiver would either block the sender or need its own drop policy. One ring
 * with a position per receiver is tokio's broadcast design.
 */
public final class BroadcastChannel<T> {

    private final ReentrantLock lock = new ReentrantLock();
    private final WaitQueue waiters = new WaitQueue();
    private final Object[] ring;
    private long tail;
    private int receivers;
    private boolean closed;

    private BroadcastChannel(int capacity) {
        this.ring = new Object[capacity];
    }

    /** A broadcast channel that keeps the last {@code capacity} messages (at least 1). */
    public static <T> BroadcastChannel<T> withCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        return new BroadcastChannel<>(capacity);
    }

    public int capacity() {
        return ring.length;
    }

    /**
     * Sends {@code message} to every receiver. Never waits.
     *
     * @return the number of receivers subscribed now (0: nobody will see it)
     * @throws ChannelClosedException the channel is closed
     */
    public int send(T message) {
        Objects.requireNonNull(message, "message");
        lock.lock();
        try {
            if (closed) {
                throw Channel.closedForSend();
            }
            ring[(int) (tail % ring.length)] = message;
            tail++;
            waiters.drain(w -> w.fire(null));
            return receivers;
        } finally {
            lock.unlock();
        }
    }

    /** A receiver that will see every message sent from now on. */
    public Receiver<T> subscribe() {
        lock.lock();
        try {
            receivers++;
            return new Receiver<>(this, tail);
        } finally {
            lock.unlock();
        }
    }

    /** Closes the channel; receivers still get what they have not seen. True if this call closed it. */
    public boolean close() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            waiters.drain(w -> w.fire(null));
            return true;
        } finally {
            lock.unlock();
        }
    }

    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** The number of subscribed receivers. */
    public int receiverCount() {
        lock.lock();
        try {
            return receivers;
        } finally {
            lock.unlock();
        }
    }

    /**
     * One subscription. Used by one thread at a time; {@link #close()} unsubscribes.
     * Iterating it receives until the channel is closed; a lag during iteration throws
     * {@link LaggedException} from {@code hasNext()}, and iterating on continues.
     */
    public static final class Receiver<T> implements AutoCloseable, Iterable<T> {
        private final BroadcastChannel<T> ch;
        /** Sequence number of the next message to read. Guarded by ch.lock. */
        private long next;
        private boolean unsubscribed;

        private Receiver(BroadcastChannel<T> ch, long next) {
            this.ch = ch;
            this.next = next;
        }

        /**
         * Returns the next message, waiting for one.
         *
         * @throws LaggedException        messages were missed; the next call continues from the oldest kept
         * @throws ChannelClosedException the channel is closed and this receiver has seen everything
         */
        public T receive() {
            return receive(Deadline.NONE);
        }

        public T receive(Duration timeout) {
            return receive(Deadline.after(timeout));
        }

        /** Like {@link #receive()}, waiting until {@code deadline}. */
        public T receive(Deadline deadline) {
            Object m = receiveOrClosed(deadline);
            if (m == Waiter.CLOSED) {
                throw Channel.closedForReceive();
            }
            return cast(m);
        }

        /**
         * The next message if there is one now, else null.
         *
         * @throws LaggedException        messages were missed
         * @throws ChannelClosedException the channel is closed and this receiver has seen everything
         */
        public T tryReceive() {
            ch.lock.lock();
            try {
                Object m = nextLocked();
                if (m == Waiter.CLOSED) {
                    throw Channel.closedForReceive();
                }
                return cast(m);
            } finally {
                ch.lock.unlock();
            }
        }

        private Object receiveOrClosed(Deadline deadline) {
            Parking.checkStart("BroadcastChannel.receive");
            while (true) {
                Waiter w;
                ch.lock.lock();
                try {
                    Object m = nextLocked();
                    if (m != null) {
                        return m;
                    }
                    w = new Waiter(new Waits.Signal(), 0, null, 0);
                    ch.waiters.add(w);
                } finally {
                    ch.lock.unlock();
                }
                if (!Parking.await(w.op, deadline)) {
                    Parking.locked(ch.lock, () -> ch.waiters.remove(w));
                    throw Parking.cancelled(w.op.cancelReason(), "BroadcastChannel.receive");
                }
            }
        }

        /** Lock held: the next message, {@link Waiter#CLOSED}, or null if none yet. */
        private Object nextLocked() {
            if (unsubscribed) {
                throw new IllegalStateException("receiver is closed");
            }
            long oldest = Math.max(0, ch.tail - ch.ring.length);
            if (next < oldest) {
                long missed = oldest - next;
                next = oldest;
                throw new LaggedException(missed);
            }
            if (next < ch.tail) {
                return ch.ring[(int) (next++ % ch.ring.length)];
            }
            return ch.closed ? Waiter.CLOSED : null;
        }

        /** Messages sent and not yet received by this receiver (kept or missed). */
        public long backlog() {
            ch.lock.lock();
            try {
                return ch.tail - next;
            } finally {
                ch.lock.unlock();
            }
        }

        /** Unsubscribes. Idempotent. */
        @Override
        public void close() {
            ch.lock.lock();
            try {
                if (!unsubscribed) {
                    unsubscribed = true;
                    ch.receivers--;
                }
            } finally {
                ch.lock.unlock();
            }
        }

        @Override
        public Iterator<T> iterator() {
            return new UntilClosedIterator<>(() -> receiveOrClosed(Deadline.NONE));
        }

        @SuppressWarnings("unchecked")
        private static <T> T cast(Object o) {
            return (T) o;
        }
    }
}
