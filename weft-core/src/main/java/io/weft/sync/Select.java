package io.weft.sync;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.net.SocketStream;
import io.weft.internal.wait.Op;
import io.weft.internal.wait.SelectHooks;
import io.weft.internal.wait.Waits;
import io.weft.internal.wait.Failures;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Waits for the first of several things: a value from a channel, room in a channel for a
 * value, a task's end, a socket becoming readable or writable, or a timeout. Exactly one case fires and its handler's result is
 * returned; the others are withdrawn, and a case that did not fire took nothing (no value
 * is received from a channel, nor sent to one, by a case that lost).
 *
 * <pre>{@code
 * Select<String> s = new Select<String>()
 *         .onReceive(orders, o -> "order " + o)
 *         .onSend(audit, event, () -> "audited")
 *         .onDone(worker, t -> "worker ended")
 *         .onTimeout(Duration.ofSeconds(1), () -> "idle");
 * while (running) {
 *     log(s.select());      // a Select may be used again; onTimeout restarts each time
 * }
 * }</pre>
 *
 * <p>When several cases are ready at once, one is picked at random, so that a busy
 * channel does not starve the others; {@link #biased()} picks the first in the order the
 * cases were added instead.
 *
 * <p>A receive case on a closed, drained channel fires: its {@code ifClosed} handler
 * runs, or without one {@link #select()} throws {@link ChannelClosedException}. A send case
 * on a closed channel fires too, and {@link #select()} throws. The timeout case fires when
 * its time has passed and nothing else was ready, so {@code onTimeout(Duration.ZERO, ...)}
 * makes a select that never waits. Cancellation of the task (or an interrupt) throws
 * {@link CancellationException}; a select that has no timeout case otherwise waits as long
 * as it takes. Works the same from platform threads and across event loops.
 *
 * <p>A Select is used by one thread at a time; the handlers run on it, after the other
 * cases have been withdrawn.
 */
/*
 * Overview
 *
 * One op, `sel` (a Waits.Signal), is the selector: its single CAS (Op.complete) is the
 * claim, and its result is the index of the case that fired, its attachment the value
 * received (or Waiter.CLOSED). Every channel case puts a Waiter(sel, index) in its
 * channel; a channel that matches such a waiter claims it with Waiter.fire, i.e. with
 * sel's CAS, before it takes or gives the value. A case that loses the CAS moves nothing.
 *
 * select():
 *   1. lock every channel of the select at once, in Channel.id order (so two selects over
 *      the same channels cannot deadlock), deduplicated
 *   2. check the cases for readiness, from a random start: the first ready one does its
 *      transfer (claiming the counterpart waiter, if any, through that waiter's CAS) and
 *      completes sel. Nobody else can complete sel yet: none of its waiters are queued
 *      anywhere and no canceller knows it, so that completion cannot fail.
 *   3. if none was ready: queue a Waiter in every channel case, still under all the locks,
 *      so the invariants of each channel (no live sender waits beside a live receiver)
 *      hold: nothing that was ready in step 2 can be missed.
 *   4. unlock; register the task cases (a Forward op among the task's joiners: the task's
 *      end completes it, and its onDone completes sel); park on sel until it is done, with
 *      the earliest timeout as deadline. A cancel or a timeout completes sel with
 *      CANCELLED through Waits.Signal.onCancel; a channel that then tries to claim one of
 *      sel's waiters loses the CAS and leaves its value where it was.
 *   5. withdraw every waiter and forward (one lock at a time), then run the handler of
 *      the case that fired, or the timeout handler, or throw the cancellation.
 *
 * Rejected: arming the cases one by one, each under its own lock only (no lock sets).
 * Then a case checked after an earlier case was already queued can find its channel
 * ready while sel is being claimed elsewhere, and matching it with a waiter of another
 * select needs both selectors claimed atomically: a two-phase claim state in every op.
 * Go's runtime makes the same choice (sellock over all channels of the select).
 */
public final class Select<R> {

    private final List<Case<R>> cases = new ArrayList<>();
    private boolean biased;
    private Duration timeout;
    private Deadline deadline;
    private Supplier<? extends R> onTimeout;

    /** A select with no cases yet. */
    public Select() {
    }

    /**
     * Fires when {@code channel} has a value, which this case then takes and passes to
     * {@code handler}. If the channel is closed and drained, {@link #select()} throws
     * {@link ChannelClosedException}.
     */
    public <T> Select<R> onReceive(Channel<T> channel, Function<? super T, ? extends R> handler) {
        cases.add(new ReceiveCase<>(Objects.requireNonNull(channel), Objects.requireNonNull(handler), null));
        return this;
    }

    /** Like {@link #onReceive(Channel, Function)}; a closed, drained channel fires {@code ifClosed}. */
    public <T> Select<R> onReceive(Channel<T> channel, Function<? super T, ? extends R> handler,
                                   Supplier<? extends R> ifClosed) {
        cases.add(new ReceiveCase<>(Objects.requireNonNull(channel), Objects.requireNonNull(handler),
                Objects.requireNonNull(ifClosed)));
        return this;
    }

    /**
     * Fires when {@code channel} accepts {@code value} (a receiver takes it, or the buffer
     * has room); then {@code handler} runs. If the channel is closed, {@link #select()}
     * throws {@link ChannelClosedException}.
     */
    public <T> Select<R> onSend(Channel<T> channel, T value, Supplier<? extends R> handler) {
        cases.add(new SendCase<>(Objects.requireNonNull(channel), Objects.requireNonNull(value), Objects.requireNonNull(handler)));
        return this;
    }

    /** Fires when {@code task} has ended (in any way); {@code handler} gets the task, to join or inspect. */
    public <T> Select<R> onDone(Task<T> task, Function<? super Task<T>, ? extends R> handler) {
        cases.add(new DoneCase<>(Objects.requireNonNull(task), Objects.requireNonNull(handler)));
        return this;
    }

    /**
     * Fires when a read from {@code stream} would not wait: bytes, the end of the stream
     * or an error are pending. Nothing is read; {@code handler} usually reads. A select with
     * socket cases must run in a Weft task.
     */
    public Select<R> onReadable(SocketStream stream, Supplier<? extends R> handler) {
        cases.add(new SocketCase<>(SelectHooks.of(stream, SelectHooks.Event.READABLE), Objects.requireNonNull(handler)));
        return this;
    }

    /**
     * Fires when a write to {@code stream} would not wait: its send buffer has room, or an
     * error is pending. A select with socket cases must run in a Weft task.
     */
    public Select<R> onWritable(SocketStream stream, Supplier<? extends R> handler) {
        cases.add(new SocketCase<>(SelectHooks.of(stream, SelectHooks.Event.WRITABLE), Objects.requireNonNull(handler)));
        return this;
    }

    /**
     * Fires if nothing else has by {@code timeout} after {@link #select()} starts. One
     * timeout per select: this replaces an earlier {@code onTimeout} or {@code onDeadline}.
     */
    public Select<R> onTimeout(Duration timeout, Supplier<? extends R> handler) {
        this.timeout = Objects.requireNonNull(timeout);
        this.deadline = null;
        this.onTimeout = Objects.requireNonNull(handler);
        return this;
    }

    /** Fires if nothing else has by {@code deadline}; replaces an earlier timeout. */
    public Select<R> onDeadline(Deadline deadline, Supplier<? extends R> handler) {
        this.deadline = Objects.requireNonNull(deadline);
        this.timeout = null;
        this.onTimeout = Objects.requireNonNull(handler);
        return this;
    }

    /** Among cases ready at once, pick the first added rather than a random one. */
    public Select<R> biased() {
        this.biased = true;
        return this;
    }

    /**
     * Waits until one case fires and returns its handler's result.
     *
     * @throws ChannelClosedException a receive case without {@code ifClosed}, or a send case, met a closed channel
     * @throws CancellationException  the task was cancelled or the thread interrupted; no case fired
     * @throws IllegalStateException  there are no cases
     */
    public R select() {
        if (cases.isEmpty() && onTimeout == null) {
            throw new IllegalStateException("a select needs at least one case");
        }
        Parking.checkStart("Select");
        Deadline until = onTimeout == null ? Deadline.NONE : deadline != null ? deadline : Deadline.after(timeout);
        int n = cases.size();
        Waits.Signal sel = new Waits.Signal();
        Object[] armed = armChannels(sel);
        try {
            for (int i = 0; i < n && !sel.isDone(); i++) {
                armed[i] = armed[i] != null ? armed[i] : cases.get(i).register(sel, i);
            }
            if (!sel.isDone()) {
                Waits.await(sel, until.nanoTime(), false);
            }
        } finally {
            withdrawAll(armed);
        }
        return outcome(sel);
    }

    /**
     * Steps 1 to 3 of the overview: with every channel locked, fires the first ready case
     * (completing {@code sel}), or else queues a waiter for {@code sel} in every channel
     * case. Returns what {@link #withdrawAll} needs, one slot per case.
     */
    Object[] armChannels(Waits.Signal sel) {
        int n = cases.size();
        Object[] armed = new Object[n];
        Channel<?>[] channels = lockOrder();
        lockAll(channels);
        try {
            int start = biased || n == 0 ? 0 : ThreadLocalRandom.current().nextInt(n);
            for (int k = 0; k < n && !sel.isDone(); k++) {
                int i = (start + k) % n;
                cases.get(i).tryNowLocked(sel, i);
            }
            if (!sel.isDone()) {
                for (int i = 0; i < n; i++) {
                    armed[i] = cases.get(i).enqueueLocked(sel, i);
                }
            }
        } finally {
            unlockAll(channels);
        }
        return armed;
    }

    /** Withdraws every waiter and registration that {@code armed} holds. */
    void withdrawAll(Object[] armed) {
        for (int i = 0; i < armed.length; i++) {
            if (armed[i] != null) {
                cases.get(i).withdraw(armed[i]);
            }
        }
    }

    /**
     * Step 5 of the overview, once {@code sel} is done and every case withdrawn: runs the
     * handler of the case that fired, or the timeout handler, or throws the cancellation.
     */
    R outcome(Waits.Signal sel) {
        if (sel.wasCancelled()) {
            if (sel.cancelReason() == Op.CANCEL_TIMEOUT && onTimeout != null) {
                return onTimeout.get();
            }
            throw Parking.cancelled(sel.cancelReason(), "Select");
        }
        return cases.get((int) sel.result()).fired(sel.attachment());
    }

    private Channel<?>[] lockOrder() {
        Channel<?>[] all = cases.stream().map(Case::channel).filter(Objects::nonNull).distinct()
                .toArray(Channel<?>[]::new);
        Arrays.sort(all, Comparator.comparingLong(c -> c.id));
        return all;
    }

    private static void lockAll(Channel<?>[] channels) {
        int locked = 0;
        try {
            for (Channel<?> c : channels) {
                c.lock.lock();
                locked++;
            }
        } catch (Throwable t) {
            for (int i = locked - 1; i >= 0; i--) {
                channels[i].lock.unlock();
            }
            throw t;
        }
    }

    private static void unlockAll(Channel<?>[] channels) {
        for (int i = channels.length - 1; i >= 0; i--) {
            channels[i].lock.unlock();
        }
    }

    /** Completes {@code sel} during the readiness check, where nobody else can reach it. */
    private static void fireSelf(Waits.Signal sel, int index, Object attachment) {
        boolean won = sel.complete(index, attachment);
        assert won : "a selector completed before its waiters were queued";
    }

    /** One case. The *Locked methods run with every channel of the select locked. */
    private abstract static sealed class Case<R> permits ReceiveCase, SendCase, DoneCase, SocketCase {
        /** The channel this case works on, or null. */
        Channel<?> channel() {
            return null;
        }

        /** If ready, does the transfer and completes {@code sel} with {@code index}. */
        abstract void tryNowLocked(Waits.Signal sel, int index);

        /** Queues a waiter for {@code sel}; returns what {@link #withdraw} needs, or null. */
        Object enqueueLocked(Waits.Signal sel, int index) {
            return null;
        }

        /**
         * Arms a case that waits outside the channel locks (a task's end, a socket);
         * returns what {@link #withdraw} needs, or null. May complete {@code sel} at once.
         */
        Object register(Waits.Signal sel, int index) {
            return null;
        }

        /** Takes back what {@link #enqueueLocked} or a registration left behind. */
        abstract void withdraw(Object armed);

        /** Runs the handler for this case, which fired with {@code attachment}. */
        abstract R fired(Object attachment);
    }

    private static final class ReceiveCase<T, R> extends Case<R> {
        final Channel<T> ch;
        final Function<? super T, ? extends R> handler;
        final Supplier<? extends R> ifClosed;

        ReceiveCase(Channel<T> ch, Function<? super T, ? extends R> handler, Supplier<? extends R> ifClosed) {
            this.ch = ch;
            this.handler = handler;
            this.ifClosed = ifClosed;
        }

        @Override
        Channel<?> channel() {
            return ch;
        }

        @Override
        void tryNowLocked(Waits.Signal sel, int index) {
            Object v = ch.pollLocked();
            if (v != Channel.EMPTY) {
                fireSelf(sel, index, v);
            }
        }

        @Override
        Object enqueueLocked(Waits.Signal sel, int index) {
            Waiter w = new Waiter(sel, index, null, 0);
            ch.enqueueReceiverLocked(w);
            return w;
        }

        @Override
        void withdraw(Object armed) {
            ch.withdraw((Waiter) armed);
        }

        @Override
        @SuppressWarnings("unchecked")
        R fired(Object attachment) {
            if (attachment == Waiter.CLOSED) {
                if (ifClosed == null) {
                    throw Channel.closedForReceive();
                }
                return ifClosed.get();
            }
            return handler.apply((T) attachment);
        }
    }

    private static final class SendCase<T, R> extends Case<R> {
        final Channel<T> ch;
        final T value;
        final Supplier<? extends R> handler;

        SendCase(Channel<T> ch, T value, Supplier<? extends R> handler) {
            this.ch = ch;
            this.value = value;
            this.handler = handler;
        }

        @Override
        Channel<?> channel() {
            return ch;
        }

        @Override
        void tryNowLocked(Waits.Signal sel, int index) {
            if (ch.isClosedLocked()) {
                fireSelf(sel, index, Waiter.CLOSED);
            } else if (ch.offerLocked(value)) {
                fireSelf(sel, index, null);
            }
        }

        @Override
        Object enqueueLocked(Waits.Signal sel, int index) {
            Waiter w = new Waiter(sel, index, value, 0);
            ch.enqueueSenderLocked(w);
            return w;
        }

        @Override
        void withdraw(Object armed) {
            ch.withdraw((Waiter) armed);
        }

        @Override
        R fired(Object attachment) {
            if (attachment == Waiter.CLOSED) {
                throw Channel.closedForSend();
            }
            return handler.get();
        }
    }

    private static final class DoneCase<T, R> extends Case<R> {
        final Task<T> task;
        final SelectHooks.Source ended;
        final Function<? super Task<T>, ? extends R> handler;

        DoneCase(Task<T> task, Function<? super Task<T>, ? extends R> handler) {
            this.task = task;
            this.ended = SelectHooks.of(task, SelectHooks.Event.DONE);
            this.handler = handler;
        }

        @Override
        void tryNowLocked(Waits.Signal sel, int index) {
            if (task.isDone()) {
                fireSelf(sel, index, null);
            }
        }

        /** Joins the task (see {@code Task}'s select hook); fires {@code sel} now if the task has already ended. */
        @Override
        Object register(Waits.Signal sel, int index) {
            return ended.arm(sel, index);
        }

        @Override
        void withdraw(Object armed) {
            ended.withdraw((Op) armed);
        }

        @Override
        R fired(Object attachment) {
            return handler.apply(task);
        }
    }

    /** Waits for a socket's readiness through the stream's select hook (a poll on the selecting task's loop). */
    private static final class SocketCase<R> extends Case<R> {
        final SelectHooks.Source ready;
        final Supplier<? extends R> handler;

        SocketCase(SelectHooks.Source ready, Supplier<? extends R> handler) {
            this.ready = ready;
            this.handler = handler;
        }

        @Override
        void tryNowLocked(Waits.Signal sel, int index) {
        }

        @Override
        Object register(Waits.Signal sel, int index) {
            return ready.arm(sel, index);
        }

        @Override
        void withdraw(Object armed) {
            ready.withdraw((Op) armed);
        }

        @Override
        R fired(Object attachment) {
            return handler.get();
        }
    }
}
