package io.weft.sync;

/**
 * The channel was closed: thrown to a sender (its value was not accepted), and to a
 * receiver once everything sent before the close has been received. Unchecked, like
 * {@link java.util.concurrent.CancellationException}: a closed channel is usually the
 * normal end of a stream of work, handled once at the top of a loop, or avoided by
 * iterating the channel, which simply ends.
 */
public final class ChannelClosedException extends IllegalStateException {
    public ChannelClosedException(String message) {
        super(message);
    }
}
