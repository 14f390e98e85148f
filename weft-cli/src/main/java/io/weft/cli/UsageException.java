package io.weft.cli;

/** The command line was wrong; the message says how. The caller prints it with the usage and exits 2. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}
