package io.weft.bench.echo;

/** A contender cannot run on this machine (a backend or native transport is missing); the message says why. */
public final class ContenderUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public ContenderUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
