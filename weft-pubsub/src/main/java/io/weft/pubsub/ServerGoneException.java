package io.weft.pubsub;

/**
 * The pub/sub server's connection ended (the server stopped or was killed). Messages
 * already taken stay readable until they are closed; waits and new requests fail with this.
 */
public final class ServerGoneException extends PubSubException {
    public ServerGoneException(String message) {
        super(message);
    }
}
