package io.weft.pubsub;

import java.io.IOException;

/** Something a pub/sub client or server refused or could not do; the message says what and why. */
public class PubSubException extends IOException {
    public PubSubException(String message) {
        super(message);
    }

    public PubSubException(String message, Throwable cause) {
        super(message, cause);
    }
}
