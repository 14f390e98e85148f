package io.weft;

/**
 * A scope's (or a non-I/O wait's) deadline passed. Deliberately not a
 * {@link java.util.concurrent.CancellationException}: callers can tell "it took too long"
 * from "somebody stopped it". I/O waits report deadlines as
 * {@link java.net.SocketTimeoutException} instead, as the JDK does.
 */
public final class DeadlineExceededException extends RuntimeException {
    public DeadlineExceededException(String message) {
        super(message);
    }
}
