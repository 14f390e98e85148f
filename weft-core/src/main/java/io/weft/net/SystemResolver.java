package io.weft.net;

import io.weft.Blocking;
import io.weft.Deadline;
import io.weft.DeadlineExceededException;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * {@link Resolver#system()}: {@code InetAddress.getAllByName} on the blocking pool.
 */
/*
 * Overview
 *
 * getaddrinfo cannot be interrupted, so a deadline cannot stop it. The lookup runs through
 * Blocking.callOrAbandon: on timeout or cancellation the caller returns at once, the pool
 * thread finishes the lookup in the background (the system resolver's own timeouts bound
 * it) and its result is dropped. Nothing waits for an abandoned lookup, so it holds neither
 * its caller nor Runtime.shutdown. Rejected: waiting for it, which would make a deadline
 * meaningless exactly when the DNS server is slow; and running it in a task of its own,
 * which shutdown would then wait for.
 */
final class SystemResolver implements Resolver {

    static final SystemResolver INSTANCE = new SystemResolver(InetAddress::getAllByName);

    /** The blocking lookup; tests give their own (one that records its thread, one that is stuck). */
    interface Lookup {
        InetAddress[] lookup(String host) throws IOException;
    }

    private final Lookup lookup;

    SystemResolver(Lookup lookup) {
        this.lookup = lookup;
    }

    @Override
    public List<InetAddress> resolve(String host, Deadline deadline) throws IOException {
        InetAddress[] all;
        try {
            all = Blocking.callOrAbandon(() -> lookup.lookup(host), deadline);
        } catch (DeadlineExceededException e) {
            throw new SocketTimeoutException("DNS lookup of " + host + " timed out");
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("resolving " + host + " failed: " + e, e);
        }
        return Arrays.stream(all).sorted(Comparator.comparing(a -> a instanceof Inet4Address ? 0 : 1)).toList();
    }

    @Override
    public String toString() {
        return "Resolver.system()";
    }
}
