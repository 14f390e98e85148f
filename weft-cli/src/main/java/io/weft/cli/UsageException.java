package io.weft.cli;

/** The command line was wrong; the message says how. The caller prints it with the usage and exits 2. */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message);
    }
}
