package io.weft.pubsub;

import io.weft.Deadline;
import io.weft.DeadlineExceededException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32C;

import static io.weft.pubsub.ChannelLayout.*;

/**
 * Publishes messages on one channel: {@link #claim} a slot, write the message into its
 * segment in place, then {@link Slot#publish}. One slot at a time per publisher.
 *
 * <p>An unreliable publisher never waits: it takes the oldest slot that no subscriber
 * holds. A reliable one also leaves alone every message a reliable subscriber has not read
 * yet, and {@link #claim} waits (up to its deadline) for such a slot to come free. A
 * reliable publisher announces itself with an activation message when it is made.
 *
 * <p>Not for concurrent use by several threads or tasks at once; make a publisher each.
 */
/*
 * Overview
 *
 * claim: look at the slot after the last one used (the oldest, in the steady state),
 * else scan for a free slot, else the published one with the lowest ordinal that may be
 * taken (no holder; for a reliable publisher, every reliable subscriber's cursor past it).
 * Taking a published slot: CAS ctl to CLAIMING, then look at holders; a holder seen means
 * back off (CAS it back to PUBLISHED) and try another (see ChannelLayout).
 *
 * publish: under the channel's publish lock (a word holding the publisher entry + 1, so
 * that the server can release it for a publisher that died), ordinal = tail + 1, ctl
 * becomes (ordinal, PUBLISHED), then tail = ordinal; ordinals are thus dense and in
 * publication order across publishers. Then every subscriber's bell is rung.
 *
 * Retirement: messages published with it enabled are remembered here; one is retired once
 * its slot no longer holds it, or no subscriber holds it and every subscriber's cursor is
 * past it. Each is reported once.
 */
public final class Publisher extends Endpoint {

    /** Rounds an unreliable claim retries while subscribers race it for every candidate. */
    private static final int UNRELIABLE_ROUNDS = 100_000;

    private final PublisherOptions options;
    private final boolean reliable;
    private final int buffer;
    private final MemorySegment payloads;
    private final int capacity;
    private final CRC32C crc = new CRC32C();
    private int lastSlot = -1;
    /** Times mayClaim was asked, for its periodic full scan. */
    private int readyPolls;
    private Slot claimed;
    private boolean retirement;
    private final ArrayDeque<long[]> unretired = new ArrayDeque<>();
    private final ArrayDeque<Long> retired = new ArrayDeque<>();

    Publisher(PubSubClient client, String name, PublisherOptions options, PubSubClient.Response r) throws IOException {
        super(client, name, options.waitStrategy(), r);
        this.options = options;
        this.reliable = options.reliable();
        this.buffer = bufferCount() - 1;
        this.payloads = buffer(buffer);
        this.capacity = slotSize(buffer);
        if (capacity < options.slotSize()) {
            throw new Wire.ProtocolException("the server gave channel " + name + " slots of " + capacity + " bytes for a publisher that asked for " + options.slotSize());
        }
    }

    /** The reliable publisher's announcement: an empty message flagged as activation. */
    void activate() throws IOException {
        if (reliable) {
            Slot s = claim(Deadline.after(PubSubClient.REQUEST_TIMEOUT));
            s.publish(0, FLAG_ACTIVATION);
        }
    }

    /** Bytes a message may have on this publisher's slots. */
    public int capacity() {
        return capacity;
    }

    /**
     * A slot to write the next message into.
     *
     * @throws DeadlineExceededException if no slot came free before the deadline (reliable publishers only)
     * @throws ServerGoneException       if the server went away
     * @throws IllegalStateException     if this publisher holds a claimed slot already
     */
    public Slot claim(Deadline deadline) throws IOException {
        checkOpen();
        if (claimed != null) {
            throw new IllegalStateException("this publisher of channel " + name + " holds a claimed slot: publish or abandon it first");
        }
        for (int round = 0; ; round++) {
            int s = tryClaim();
            if (s >= 0) {
                lastSlot = s;
                long at = payloadOffset(buffer, s);
                claimed = new Slot(this, s, payloads.asSlice(at, capacity), payloads.asSlice(at + capacity, metadataLength));
                return claimed;
            }
            if (reliable) {
                await(this::mayClaim, deadline, "free slot");
            } else if (round >= UNRELIABLE_ROUNDS) {
                throw new ChannelCorruptedException("channel " + name + ": no slot could be taken in " + UNRELIABLE_ROUNDS
                        + " tries, although the server keeps a slot free for every lease; a process wrote into the channel's memory");
            } else if ((round & 63) == 63) {
                checkOpen();
                if (deadline.hasPassed()) {
                    throw new DeadlineExceededException("no free slot on channel " + name + " before the deadline");
                }
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * The reliable claim's wait condition. A spinning strategy asks it in a hot loop: it
     * looks at the next slot only, and scans them all every 64th time, so that the scan's
     * loads do not keep pulling the slot table's cache lines away from the subscribers.
     * The sleeping strategies ask it before each sleep: it always scans, or a free slot
     * elsewhere could be missed with nobody left to ring.
     */
    private boolean mayClaim() {
        if (!waitStrategy.runsInTasks() && (++readyPolls & 63) != 0) {
            int next = lastSlot + 1 == slotCount ? 0 : lastSlot + 1;
            long c = slotCtl(next);
            return state(c) == FREE || (state(c) == PUBLISHED && mayTake(next, ordinal(c)));
        }
        return findCandidate() >= 0;
    }

    /** Takes a slot; its index, or -1 if none could be taken now. */
    private int tryClaim() {
        for (int attempt = 0; attempt < 4; attempt++) {
            int s = findCandidate();
            if (s < 0) {
                return -1;
            }
            if (take(s)) {
                return s;
            }
        }
        return -1;
    }

    /** A slot that looks free to take, or -1. */
    private int findCandidate() {
        int next = lastSlot + 1 == slotCount ? 0 : lastSlot + 1;
        long c = slotCtl(next);
        if (state(c) == FREE || (state(c) == PUBLISHED && mayTake(next, ordinal(c)))) {
            if (state(c) == FREE || isOldest(ordinal(c))) {
                return next;
            }
        }
        int best = -1;
        long bestOrdinal = Long.MAX_VALUE;
        for (int s = 0; s < slotCount; s++) {
            c = slotCtl(s);
            if (state(c) == FREE) {
                return s;
            }
            if (state(c) == PUBLISHED && ordinal(c) < bestOrdinal && mayTake(s, ordinal(c))) {
                best = s;
                bestOrdinal = ordinal(c);
            }
        }
        return best;
    }

    /** True if {@code ordinal} is as old as a channel full of consecutive messages makes the oldest. */
    private boolean isOldest(long ordinal) {
        return ordinal <= tail() - slotCount + 1;
    }

    /** No subscriber holds it now, and (reliable) every reliable subscriber has passed it. */
    private boolean mayTake(int slot, long ordinal) {
        if ((long) LONG.getVolatile(control, slotOffset(slot) + SLOT_HOLDERS) != 0) {
            return false;
        }
        if (!reliable) {
            return true;
        }
        long mask = (long) LONG.getVolatile(control, SUB_MASK_OFFSET);
        while (mask != 0) {
            int i = Long.numberOfTrailingZeros(mask);
            mask &= mask - 1;
            long e = subOffset(i);
            if ((int) INT.getVolatile(control, e + SUB_KIND) == KIND_RELIABLE && (long) LONG.getVolatile(control, e + SUB_CURSOR) <= ordinal) {
                return false;
            }
        }
        return true;
    }

    private boolean take(int s) {
        long at = slotOffset(s) + SLOT_CTL;
        long c = (long) LONG.getVolatile(control, at);
        if (state(c) == FREE) {
            return LONG.compareAndSet(control, at, c, ctl(0, index, CLAIMED));
        }
        if (state(c) != PUBLISHED) {
            return false;
        }
        long taking = ctl(ordinal(c), index, CLAIMING);
        if (!LONG.compareAndSet(control, at, c, taking)) {
            return false;
        }
        if ((long) LONG.getVolatile(control, slotOffset(s) + SLOT_HOLDERS) != 0) {
            LONG.compareAndSet(control, at, taking, c); // a subscriber is taking it: leave it to them
            return false;
        }
        return LONG.compareAndSet(control, at, taking, ctl(0, index, CLAIMED));
    }

    /** Called by {@link Slot#publish}: makes the claimed slot's message visible. */
    long publish(Slot slot, int length, int flags) throws IOException {
        checkOpen();
        if (slot != claimed) {
            throw new IllegalStateException("this slot was published or abandoned already");
        }
        if (length < 0 || length > capacity) {
            throw new IllegalArgumentException("message length " + length + " outside 0 to " + capacity + " (the slot size)");
        }
        long e = slotOffset(slot.index);
        int f = flags;
        if (options.checksum()) {
            crc.reset();
            crc.update(slot.segment().asSlice(0, length).asByteBuffer());
            crc.update(slot.metadata().asByteBuffer());
            control.set(ValueLayout.JAVA_INT, e + SLOT_CHECKSUM, (int) crc.getValue());
            f |= FLAG_CHECKSUM;
        }
        control.set(ValueLayout.JAVA_INT, e + SLOT_LENGTH_FIELD, length);
        control.set(ValueLayout.JAVA_INT, e + SLOT_BUFFER, buffer);
        control.set(ValueLayout.JAVA_INT, e + SLOT_FLAGS, f);
        control.set(ValueLayout.JAVA_LONG, e + SLOT_TIMESTAMP, System.nanoTime());
        try {
            lock();
        } catch (IOException | RuntimeException ex) {
            abandon(slot);
            throw ex;
        }
        long ordinal;
        try {
            long tail = tail();
            if (tail < 0 || tail >= ORDINAL_LIMIT - 1) {
                abandon(slot);
                throw new ChannelCorruptedException("channel " + name + ": the newest ordinal reads " + tail + "; a process wrote into the channel's memory");
            }
            ordinal = tail + 1;
            LONG.setVolatile(control, e + SLOT_CTL, ctl(ordinal, index, PUBLISHED));
            LONG.setVolatile(control, TAIL_OFFSET, ordinal);
        } finally {
            INT.setVolatile(control, LOCK_OFFSET, 0);
        }
        claimed = null;
        if (retirement && (flags & FLAG_ACTIVATION) == 0) {
            unretired.add(new long[] {slot.index, ordinal});
        }
        ringSubscribers();
        return ordinal;
    }

    private void lock() throws IOException {
        Backoff backoff = new Backoff();
        while (!INT.compareAndSet(control, LOCK_OFFSET, 0, index + 1)) {
            if (!backoff.pause()) {
                throw new ChannelCorruptedException("channel " + name + ": the publish lock has been held (by entry "
                        + ((int) INT.getVolatile(control, LOCK_OFFSET) - 1) + ") for over 2 s; a process wrote into the channel's memory or hangs");
            }
        }
    }

    /** Called by {@link Slot#abandon}: gives the slot back unpublished. */
    void abandon(Slot slot) {
        if (slot != claimed) {
            return;
        }
        claimed = null;
        long at = slotOffset(slot.index) + SLOT_CTL;
        LONG.compareAndSet(control, at, ctl(0, index, CLAIMED), ctl(0, 0, FREE));
        ringPublishers();
    }

    /** Publishes a copy of {@code message}, waiting for a slot without a deadline (reliable publishers). */
    public long publish(byte[] message) throws IOException {
        return publish(ByteBuffer.wrap(message));
    }

    /** Publishes a copy of {@code message}'s remaining bytes (which it consumes). */
    public long publish(ByteBuffer message) throws IOException {
        if (message.remaining() > capacity) {
            throw new IllegalArgumentException("a message of " + message.remaining() + " bytes does not fit slots of " + capacity);
        }
        Slot s = claim(Deadline.NONE);
        int n = message.remaining();
        MemorySegment.copy(MemorySegment.ofBuffer(message), 0, s.segment(), 0, n);
        message.position(message.limit());
        return s.publish(n);
    }

    /**
     * Remembers the messages published from now on, so that {@link #pollRetired} and
     * {@link #awaitRetired} report each once every subscriber is done with it (the publisher
     * may then reuse whatever the message refers to).
     */
    public void trackRetirement() {
        retirement = true;
    }

    /** Ordinals of this publisher's messages retired since the last call, oldest first. */
    public List<Long> pollRetired() {
        collectRetired();
        List<Long> out = new ArrayList<>(retired);
        retired.clear();
        return out;
    }

    /**
     * Waits for the next retired message and returns its ordinal.
     *
     * @throws DeadlineExceededException if none retired before the deadline
     */
    public long awaitRetired(Deadline deadline) throws IOException {
        while (true) {
            collectRetired();
            Long r = retired.poll();
            if (r != null) {
                return r;
            }
            if (unretired.isEmpty()) {
                throw new IllegalStateException("no message of this publisher awaits retirement (call trackRetirement before publishing)");
            }
            await(this::anyRetired, deadline, "retired message");
        }
    }

    private boolean anyRetired() {
        for (long[] u : unretired) {
            if (isRetired((int) u[0], u[1])) {
                return true;
            }
        }
        return false;
    }

    private void collectRetired() {
        for (Iterator<long[]> it = unretired.iterator(); it.hasNext(); ) {
            long[] u = it.next();
            if (isRetired((int) u[0], u[1])) {
                it.remove();
                retired.add(u[1]);
            }
        }
    }

    private boolean isRetired(int slot, long ordinal) {
        long c = slotCtl(slot);
        if (ordinal(c) != ordinal) {
            return true; // the slot holds another message now
        }
        if (state(c) != PUBLISHED || (long) LONG.getVolatile(control, slotOffset(slot) + SLOT_HOLDERS) != 0) {
            return false;
        }
        long mask = (long) LONG.getVolatile(control, SUB_MASK_OFFSET);
        while (mask != 0) {
            int i = Long.numberOfTrailingZeros(mask);
            mask &= mask - 1;
            if ((long) LONG.getVolatile(control, subOffset(i) + SUB_CURSOR) <= ordinal) {
                return false;
            }
        }
        return true;
    }

    @Override
    String kind() {
        return "publisher";
    }

    /** Gives back a claimed slot and leaves the channel. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        if (claimed != null) {
            abandon(claimed);
        }
        closed = true;
        wake();
        closeEntry(Wire.OP_CLOSE_PUBLISHER);
    }
}
