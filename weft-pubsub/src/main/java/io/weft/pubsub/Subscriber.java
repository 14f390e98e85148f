package io.weft.pubsub;

import io.weft.Deadline;
import io.weft.DeadlineExceededException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32C;

import static io.weft.pubsub.ChannelLayout.*;

/**
 * Reads the messages of one channel in order: {@link #next} gives the next one as a
 * read-only view of its slot; {@link Message#close()} gives the slot back. It may hold up
 * to {@link SubscriberOptions#maxHeld()} messages at once.
 *
 * <p>An unreliable subscriber may miss messages that publishers overwrote before it came
 * to them; {@link #dropped()} counts them exactly (from the gaps between ordinals). A
 * reliable one misses none from reliable publishers. Not for concurrent use by several
 * threads or tasks at once.
 */
/*
 * Overview
 *
 * cursor: the next ordinal wanted, kept here and mirrored in the subscriber's entry, where
 * reliable publishers read it. next(): if the tail has reached the cursor, find the slot
 * with the lowest ordinal >= cursor (first guess: the slot after the last one read), take
 * it (set this entry's bit in holders, then check that ctl still says PUBLISHED with that
 * ordinal), and move the cursor past it. A slot being taken by a publisher (CLAIMING) is
 * looked at again: it may be given back. If no slot holds anything at or past the cursor
 * while the tail is past it, those messages were overwritten: the cursor jumps past the
 * tail and they count as dropped.
 */
public final class Subscriber extends Endpoint {

    private final SubscriberOptions options;
    private final long bit;
    private final long entry;
    private final CRC32C crc = new CRC32C();
    private long cursor;
    private int lastSlot = -1;
    private int held;
    private long dropped;
    /** False until the first message: what came before it is not a drop. */
    private boolean started;

    Subscriber(PubSubClient client, String name, SubscriberOptions options, PubSubClient.Response r) throws IOException {
        super(client, name, options.waitStrategy(), r);
        this.options = options;
        this.bit = 1L << index;
        this.entry = subOffset(index);
        this.cursor = Math.max(1, (long) LONG.getVolatile(control, entry + SUB_CURSOR));
    }

    /**
     * The next message, waiting until the deadline for one.
     *
     * @throws DeadlineExceededException if none came before the deadline
     * @throws ServerGoneException       if the server went away
     * @throws ChecksumException         if the message fails its checksum (when verifying, without deliverBad)
     * @throws IllegalStateException     if this subscriber holds {@code maxHeld} messages already
     */
    public Message next(Deadline deadline) throws IOException {
        checkOpen();
        if (held >= options.maxHeld()) {
            throw new IllegalStateException("this subscriber of channel " + name + " holds " + held + " messages, its maxHeld: close one first");
        }
        while (true) {
            Message m = tryNext();
            if (m != null) {
                return m;
            }
            await(() -> tail() >= cursor, deadline, "message");
        }
    }

    /** The next message if there is one now, else null. */
    public Message poll() throws IOException {
        checkOpen();
        if (held >= options.maxHeld()) {
            throw new IllegalStateException("this subscriber of channel " + name + " holds " + held + " messages, its maxHeld: close one first");
        }
        return tryNext();
    }

    private Message tryNext() throws IOException {
        Backoff backoff = new Backoff();
        while (true) {
            long tail = tail();
            if (tail < cursor) {
                return null;
            }
            if (tail >= ORDINAL_LIMIT) {
                throw new ChannelCorruptedException("channel " + name + ": the newest ordinal reads " + tail + "; a process wrote into the channel's memory");
            }
            int slot = find();
            if (slot < 0) {
                // everything from the cursor to the tail was overwritten before we came to it
                skipTo(tail + 1, true);
                return null;
            }
            long c = slotCtl(slot);
            if (state(c) == PUBLISHED && ordinal(c) >= cursor) {
                Message m = take(slot, c);
                if (m != null) {
                    return m;
                }
            }
            // a publisher is taking that slot (it may give it back), or it changed under us
            if (!backoff.pause()) {
                throw new ChannelCorruptedException("channel " + name + ": slot " + slot + " stayed between states for over 2 s; "
                        + "a process wrote into the channel's memory or hangs");
            }
            checkOpen();
        }
    }

    /** The slot with the lowest ordinal at or past the cursor (published or being taken), or -1. */
    private int find() {
        int guess = lastSlot + 1 == slotCount ? 0 : lastSlot + 1;
        long c = slotCtl(guess);
        if (ordinal(c) == cursor && (state(c) == PUBLISHED || state(c) == CLAIMING)) {
            return guess;
        }
        int best = -1;
        long bestOrdinal = Long.MAX_VALUE;
        for (int s = 0; s < slotCount; s++) {
            c = slotCtl(s);
            long o = ordinal(c);
            if ((state(c) == PUBLISHED || state(c) == CLAIMING) && o >= cursor && o < bestOrdinal) {
                best = s;
                bestOrdinal = o;
            }
        }
        return best;
    }

    private Message take(int slot, long c) throws IOException {
        long holders = slotOffset(slot) + SLOT_HOLDERS;
        LONG.getAndBitwiseOr(control, holders, bit);
        if (slotCtl(slot) != c) {
            LONG.getAndBitwiseAnd(control, holders, ~bit);
            return null;
        }
        long ordinal = ordinal(c);
        skipTo(ordinal + 1, started);
        started = true;
        lastSlot = slot;
        held++;
        Message m;
        try {
            m = read(slot, ordinal);
        } catch (IOException | RuntimeException e) {
            release(slot);
            throw e;
        }
        if (m.isActivation() && !options.includeActivation()) {
            m.close();
            return null;
        }
        if (!m.checksumOk() && !options.deliverBad()) {
            m.close();
            throw new ChecksumException("message " + ordinal + " of channel " + name + " does not match its CRC32C: it was changed after it was published");
        }
        return m;
    }

    /** Moves the cursor to {@code next}; the ordinals skipped count as dropped if {@code count}. */
    private void skipTo(long next, boolean count) {
        if (count && next > cursor + 1) {
            dropped += next - cursor - 1;
            LONG.setOpaque(control, entry + SUB_DROPPED, dropped);
        }
        if (next > cursor) {
            cursor = next;
            LONG.setVolatile(control, entry + SUB_CURSOR, cursor);
            ringPublishers();
        }
    }

    private Message read(int slot, long ordinal) throws IOException {
        long e = slotOffset(slot);
        int length = control.get(ValueLayout.JAVA_INT, e + SLOT_LENGTH_FIELD);
        int b = control.get(ValueLayout.JAVA_INT, e + SLOT_BUFFER);
        int flags = control.get(ValueLayout.JAVA_INT, e + SLOT_FLAGS);
        long timestamp = control.get(ValueLayout.JAVA_LONG, e + SLOT_TIMESTAMP);
        int checksum = control.get(ValueLayout.JAVA_INT, e + SLOT_CHECKSUM);
        MemorySegment buffer = buffer(b);
        int size = slotSize(b);
        if (length < 0 || length > size) {
            throw new ChannelCorruptedException("channel " + name + ": message " + ordinal + " says it is " + length
                    + " bytes long, in slots of " + size + "; a process wrote into the channel's memory");
        }
        long at = payloadOffset(b, slot);
        MemorySegment payload = buffer.asSlice(at, length).asReadOnly();
        MemorySegment metadata = buffer.asSlice(at + size, metadataLength).asReadOnly();
        boolean ok = true;
        if (options.verifyChecksum() && (flags & FLAG_CHECKSUM) != 0) {
            crc.reset();
            crc.update(payload.asByteBuffer());
            crc.update(metadata.asByteBuffer());
            ok = (int) crc.getValue() == checksum;
        }
        return new Message(this, slot, ordinal, timestamp, payload, metadata, (flags & FLAG_ACTIVATION) != 0, ok);
    }

    /** Called by {@link Message#close()}. */
    void release(int slot) {
        if (closed) {
            return; // the server released everything this subscriber held when it left
        }
        LONG.getAndBitwiseAnd(control, slotOffset(slot) + SLOT_HOLDERS, ~bit);
        held--;
        ringPublishers();
    }

    /** Skips to the newest message: the next {@link #next} returns it (or a later one). Skipped messages are not counted as dropped. */
    public void newest() {
        long tail = tail();
        if (tail >= 1 && tail < ORDINAL_LIMIT && tail > cursor) {
            started = false;
            skipTo(tail, false);
        }
    }

    /** Messages this subscriber missed because publishers overwrote them first, counted from ordinal gaps. */
    public long dropped() {
        return dropped;
    }

    /** Messages held now (taken and not closed). */
    public int held() {
        return held;
    }

    @Override
    String kind() {
        return "subscriber";
    }

    /** Leaves the channel; messages still held become unreadable. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        wake();
        closeEntry(Wire.OP_CLOSE_SUBSCRIBER);
    }
}
