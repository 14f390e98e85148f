package io.weft.sync;

/**
 * A {@link BroadcastChannel} receiver fell further behind than the channel keeps: the
 * oldest {@link #missed()} messages it had not received were overwritten. The receiver
 * has been moved on to the oldest message still kept; its next receive returns that.
 */
public final class LaggedException extends RuntimeException {
    private final long missed;

    public LaggedException(long missed) {
        super("receiver lagged behind: " + missed + " message(s) missed");
        this.missed = missed;
    }

    /** How many messages this receiver will never see. */
    public long missed() {
        return missed;
    }
}
