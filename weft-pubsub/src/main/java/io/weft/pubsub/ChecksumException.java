package io.weft.pubsub;

/** A message's CRC32C does not match its bytes: it was changed after it was published. */
public final class ChecksumException extends PubSubException {
    public ChecksumException(String message) {
        super(message);
    }
}
