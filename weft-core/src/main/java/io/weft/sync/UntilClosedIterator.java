package io.weft.sync;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/**
 * Iterates over what a receive returns until it returns {@link Waiter#CLOSED}. Shared by
 * {@link Channel} and {@link BroadcastChannel.Receiver}: {@code hasNext()} waits for the
 * next value (and may throw {@link java.util.concurrent.CancellationException}).
 */
final class UntilClosedIterator<T> implements Iterator<T> {

    /** Waits for the next value or {@link Waiter#CLOSED}. */
    private final Supplier<Object> receiveOrClosed;
    /** A value received by hasNext() and not yet handed out by next(), or null. */
    private Object pending;

    UntilClosedIterator(Supplier<Object> receiveOrClosed) {
        this.receiveOrClosed = receiveOrClosed;
    }

    @Override
    public boolean hasNext() {
        if (pending == null) {
            pending = receiveOrClosed.get();
        }
        return pending != Waiter.CLOSED;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException("channel closed");
        }
        T v = (T) pending;
        pending = null;
        return v;
    }
}
