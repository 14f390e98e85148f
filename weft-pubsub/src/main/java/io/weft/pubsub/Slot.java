package io.weft.pubsub;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A claimed slot: write the message into {@link #segment()} (and the metadata into
 * {@link #metadata()}), then {@link #publish(int)} it. Closing a slot that was not
 * published gives it back unpublished.
 */
public final class Slot implements AutoCloseable {

    private final Publisher publisher;
    final int index;
    private final MemorySegment segment;
    private final MemorySegment metadata;

    Slot(Publisher publisher, int index, MemorySegment segment, MemorySegment metadata) {
        this.publisher = publisher;
        this.index = index;
        this.segment = segment;
        this.metadata = metadata;
    }

    /** The slot's memory, shared with every subscriber: write the message here. */
    public MemorySegment segment() {
        return segment;
    }

    /** The channel's per-message metadata bytes (empty if the channel has none). */
    public MemorySegment metadata() {
        return metadata;
    }

    /**
     * Publishes the first {@code length} bytes of the segment and wakes the subscribers.
     *
     * @return the message's ordinal
     */
    public long publish(int length) throws IOException {
        return publisher.publish(this, length, 0);
    }

    long publish(int length, int flags) throws IOException {
        return publisher.publish(this, length, flags);
    }

    /** Gives the slot back without publishing; nothing if it was published. */
    public void abandon() {
        publisher.abandon(this);
    }

    @Override
    public void close() {
        abandon();
    }
}
