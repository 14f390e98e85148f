package io.weft.sync;

/**
 * A FIFO of {@link Waiter}s, doubly linked through the waiters themselves so that a
 * withdrawn waiter leaves in O(1). Not thread-safe: guarded by its owner's lock.
 *
 * <p>Waiters whose op is already done (cancelled, or a select that fired elsewhere) may
 * still be linked until their thread withdraws them; {@link #pollLive()} and
 * {@link #peekLive()} drop them on the way.
 */
final class WaitQueue {
    private Waiter head;
    private Waiter tail;
    private int size;

    void add(Waiter w) {
        assert w.queue == null;
        w.queue = this;
        w.prev = tail;
        w.next = null;
        if (tail == null) {
            head = w;
        } else {
            tail.next = w;
        }
        tail = w;
        size++;
    }

    /** Unlinks {@code w} if it is in this queue; true if it was. */
    boolean remove(Waiter w) {
        if (w.queue != this) {
            return false;
        }
        if (w.prev == null) {
            head = w.next;
        } else {
            w.prev.next = w.next;
        }
        if (w.next == null) {
            tail = w.prev;
        } else {
            w.next.prev = w.prev;
        }
        w.prev = null;
        w.next = null;
        w.queue = null;
        size--;
        return true;
    }

    /** Unlinks and returns the first waiter, live or not; null if empty. */
    Waiter poll() {
        Waiter w = head;
        if (w != null) {
            remove(w);
        }
        return w;
    }

    /** Drops dead waiters from the front and returns the first live one, still linked; or null. */
    Waiter peekLive() {
        Waiter w;
        while ((w = head) != null && !w.isLive()) {
            remove(w);
        }
        return w;
    }

    /** True if no live waiter is queued; drops dead ones from the front. */
    boolean hasNoLive() {
        return peekLive() == null;
    }

    /** The number of linked waiters, dead ones included. */
    int size() {
        return size;
    }

    /** Unlinks every waiter and passes each to {@code action} in order. */
    void drain(java.util.function.Consumer<Waiter> action) {
        Waiter w;
        while ((w = poll()) != null) {
            action.accept(w);
        }
    }
}
