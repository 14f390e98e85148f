package io.weft.internal.backend;

/** A backend cannot run on this machine; the message says why (seccomp, memlock, a sysctl, the OS). */
public final class BackendUnavailableException extends Exception {
    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
