package io.weft.pubsub;

/**
 * A value in a channel's shared memory is out of range: a process with the memory mapped
 * wrote garbage into it. The channel is unusable for the endpoint that saw it; nothing
 * outside the channel is affected.
 */
public final class ChannelCorruptedException extends PubSubException {
    public ChannelCorruptedException(String message) {
        super(message);
    }
}
