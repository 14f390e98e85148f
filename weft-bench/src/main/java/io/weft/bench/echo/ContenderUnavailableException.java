package io.weft.bench.echo;

/** A contender cannot run on this machine (a backend or native transport is missing); the message says why. */
final class ContenderUnavailableException extends Exception {
    ContenderUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
