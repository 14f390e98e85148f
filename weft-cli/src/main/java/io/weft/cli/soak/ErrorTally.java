package io.weft.cli.soak;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Errors by kind: how many, and the first few messages of each, so that a soak of
 * millions of exchanges reports every error without keeping every message. Thread-safe.
 */
final class ErrorTally {

    /** Messages kept per kind. */
    static final int FIRST = 3;

    private final Map<String, Long> counts = new TreeMap<>();
    private final Map<String, List<String>> first = new TreeMap<>();

    /** Counts one error of {@code kind}; keeps {@code message} if it is among the first few. */
    synchronized void add(String kind, String message) {
        add(kind, 1, message == null ? List.of() : List.of(message));
    }

    /** Counts {@code n} errors of {@code kind} with some of their messages (as reported by another process). */
    synchronized void add(String kind, long n, List<String> messages) {
        counts.merge(kind, n, Long::sum);
        List<String> kept = first.computeIfAbsent(kind, k -> new ArrayList<>(FIRST));
        for (String m : messages) {
            if (kept.size() < FIRST) {
                kept.add(m);
            }
        }
    }

    /** Counts {@code t} under its class name, with its message. */
    void add(Throwable t) {
        add(t.getClass().getSimpleName(), String.valueOf(t.getMessage()));
    }

    synchronized long count(String kind) {
        return counts.getOrDefault(kind, 0L);
    }

    synchronized long total() {
        long n = 0;
        for (long c : counts.values()) {
            n += c;
        }
        return n;
    }

    /** Every kind with its messages kept so far. */
    synchronized Map<String, List<String>> firstMessages() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        first.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return out;
    }

    /** Kind to count. */
    synchronized Map<String, Long> counts() {
        return new LinkedHashMap<>(counts);
    }

    /** For the results file: {@code {"total": n, "by_kind": {kind: {"count": n, "first": [...]}}}}. */
    synchronized Map<String, Object> toJson() {
        Map<String, Object> byKind = new LinkedHashMap<>();
        counts.forEach((k, n) -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("count", n);
            e.put("first", first.getOrDefault(k, List.of()));
            byKind.put(k, e);
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", total());
        out.put("by_kind", byKind);
        return out;
    }

    /** One line: {@code kind ×n ("first message"), ...}, or {@code none}. */
    synchronized String summary() {
        if (counts.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        counts.forEach((k, n) -> {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(k).append(" x").append(n);
            List<String> m = first.get(k);
            if (m != null && !m.isEmpty()) {
                sb.append(" (").append(m.getFirst()).append(')');
            }
        });
        return sb.toString();
    }
}
