package io.weft.pubsub;

import java.lang.foreign.MemorySegment;

/**
 * One message as a subscriber holds it: a read-only view of the publisher's slot, valid
 * until {@link #close()}, which lets publishers reuse the slot.
 */
public final class Message implements AutoCloseable {

    private final Subscriber subscriber;
    private final int slot;
    private final long ordinal;
    private final long timestamp;
    private final MemorySegment segment;
    private final MemorySegment metadata;
    private final boolean activation;
    private final boolean checksumOk;
    private boolean closed;

    Message(Subscriber subscriber, int slot, long ordinal, long timestamp, MemorySegment segment, MemorySegment metadata,
            boolean activation, boolean checksumOk) {
        this.subscriber = subscriber;
        this.slot = slot;
        this.ordinal = ordinal;
        this.timestamp = timestamp;
        this.segment = segment;
        this.metadata = metadata;
        this.activation = activation;
        this.checksumOk = checksumOk;
    }

    /** The message's bytes, read-only, in place in shared memory. */
    public MemorySegment segment() {
        return segment;
    }

    /** The per-message metadata bytes, read-only (empty if the channel has none). */
    public MemorySegment metadata() {
        return metadata;
    }

    /** The message's position in the channel: 1 for the first, one more for each after. */
    public long ordinal() {
        return ordinal;
    }

    /** When it was published: {@link System#nanoTime()} in the publisher (CLOCK_MONOTONIC, the same in every process). */
    public long timestamp() {
        return timestamp;
    }

    /** The bytes as a new array. */
    public byte[] toArray() {
        return segment.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    /** True for a reliable publisher's activation message (empty), delivered only to subscribers that ask for them. */
    public boolean isActivation() {
        return activation;
    }

    /** False if the subscriber verifies checksums and this message failed its check. */
    public boolean checksumOk() {
        return checksumOk;
    }

    /** Gives the slot back. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            subscriber.release(slot);
        }
    }
}
