package io.weft.net;

import io.weft.Blocking;
import io.weft.Deadline;
import io.weft.DeadlineExceededException;
import io.weft.Task;
import io.weft.Weft;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/**
 * {@link Resolver#system()}: {@code InetAddress.getAllByName} on the blocking pool.
 */
/*
 * Overview
 *
 * getaddrinfo cannot be interrupted, so a deadline cannot stop it. The lookup runs in a
 * task of its own (which runs it through Blocking.call); the caller joins that task until
 * its deadline and, on timeout or cancellation, cancels it and returns at once. The pool
 * thread finishes the lookup in the background (the system resolver's own timeouts bound
 * it) and its result is dropped. Rejected: waiting for it, which would make a deadline
 * meaningless exactly when the DNS server is slow.
 */
final class SystemResolver implements Resolver {

    static final SystemResolver INSTANCE = new SystemResolver(InetAddress::getAllByName);

    /** The blocking lookup; tests give one that records the thread it ran on. */
    interface Lookup {
        InetAddress[] lookup(String host) throws IOException;
    }

    private final Lookup lookup;

    SystemResolver(Lookup lookup) {
        this.lookup = lookup;
    }

    @Override
    public List<InetAddress> resolve(String host, Deadline deadline) throws IOException {
        Task<InetAddress[]> task = Weft.spawn(() -> Blocking.call(() -> lookup.lookup(host)));
        try {
            InetAddress[] all = task.join(deadline);
            return Arrays.stream(all).sorted(Comparator.comparing(a -> a instanceof Inet4Address ? 0 : 1)).toList();
        } catch (DeadlineExceededException e) {
            task.cancel();
            throw new SocketTimeoutException("resolving " + host + " timed out");
        } catch (CancellationException e) {
            task.cancel();
            throw e;
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("resolving " + host + " failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public String toString() {
        return "Resolver.system()";
    }
}
