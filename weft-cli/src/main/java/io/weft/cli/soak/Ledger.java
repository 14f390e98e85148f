package io.weft.cli.soak;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the server processed in the shutdown scenario: for each client connection, the
 * sequence numbers seen once and those seen more than once. The server records a message
 * here before it acknowledges it, so after shutdown the ledger and the clients' reports
 * together show whether every acknowledged message was processed exactly once.
 */
final class Ledger {

    /** The highest sequence number a client may use; a larger one is a protocol error, so no peer can make a bit set huge. */
    static final long MAX_SEQ = 1 << 24;

    private static final class Entry {
        final BitSet once = new BitSet();
        final BitSet again = new BitSet();
    }

    private final Map<Integer, Entry> byConnection = new ConcurrentHashMap<>();

    /** Records that message {@code seq} of {@code connection} was processed. {@code seq} must be in [0, MAX_SEQ]. */
    void record(int connection, long seq) {
        if (seq < 0 || seq > MAX_SEQ) {
            throw new IllegalArgumentException("sequence number " + seq + " outside 0.." + MAX_SEQ);
        }
        Entry e = byConnection.computeIfAbsent(connection, c -> new Entry());
        synchronized (e) {
            int i = (int) seq;
            if (e.once.get(i)) {
                e.again.set(i);
            } else {
                e.once.set(i);
            }
        }
    }

    /** Messages processed, each counted once however often it was processed. */
    long processed() {
        long n = 0;
        for (Entry e : byConnection.values()) {
            synchronized (e) {
                n += e.once.cardinality();
            }
        }
        return n;
    }

    /** What one client connection says happened to it. */
    record ClientReport(int connection, long sent, long acked, String error) {
    }

    /**
     * Compares the ledger with the clients' reports. Call after the server has stopped.
     *
     * @return one line per violation: an acknowledged message not processed exactly once,
     *         a message processed twice or never sent, unacknowledged messages without an
     *         error at their client, a connection the clients do not know
     */
    List<String> check(List<ClientReport> reports) {
        List<String> violations = new ArrayList<>();
        Map<Integer, ClientReport> known = new java.util.HashMap<>();
        for (ClientReport r : reports) {
            known.put(r.connection(), r);
            Entry e = byConnection.get(r.connection());
            BitSet once = new BitSet();
            BitSet again = new BitSet();
            if (e != null) {
                synchronized (e) {
                    once.or(e.once);
                    again.or(e.again);
                }
            }
            int firstMissing = once.nextClearBit(0);
            if (firstMissing < r.acked()) {
                violations.add("connection " + r.connection() + ": message #" + firstMissing + " was acknowledged but never processed");
            }
            if (!again.isEmpty()) {
                violations.add("connection " + r.connection() + ": message #" + again.nextSetBit(0) + " was processed more than once ("
                        + again.cardinality() + " such messages)");
            }
            if (once.length() > r.sent()) {
                violations.add("connection " + r.connection() + ": message #" + (once.length() - 1) + " was processed but the client sent only "
                        + r.sent());
            }
            if (r.sent() > r.acked() && r.error() == null) {
                violations.add("connection " + r.connection() + ": messages #" + r.acked() + ".." + (r.sent() - 1)
                        + " were not acknowledged and the client saw no error");
            }
        }
        for (Integer c : byConnection.keySet()) {
            if (!known.containsKey(c)) {
                violations.add("connection " + c + ": processed messages from a connection no client reported");
            }
        }
        return violations;
    }
}
