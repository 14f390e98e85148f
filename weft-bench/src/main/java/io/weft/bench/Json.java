package io.weft.bench;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Writes the results files: maps (in their iteration order), lists, strings, numbers,
 * booleans and null, as JSON. Benchmarks need no more, and weft-bench keeps its
 * dependencies to the peers it measures.
 *
 * <p>Layout, so that a results file reads well in a terminal and diffs line by line: the
 * top-level object has one member per line; a top-level member that is a list of objects
 * has one element per line; everything deeper is written on one line with {@code ", "}
 * and {@code ": "} as separators:
 *
 * <pre>
 * {
 *   "benchmark": "echo",
 *   "machine": {"cpus": 2, "kernel": "6.8.0", "jdk": "25"},
 *   "results": [
 *     {"contender": "weft-nio", "ops_per_sec": 123456.7},
 *     {"contender": "netty-epoll", "ops_per_sec": 234567.8}
 *   ]
 * }
 * </pre>
 *
 * Non-finite doubles (NaN, infinities) have no JSON form and are written as null.
 */
public final class Json {
    private Json() {
    }

    /** The document for {@code top}, ending with a newline. */
    public static String document(Map<String, ?> top) {
        StringBuilder sb = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, ?> e : top.entrySet()) {
            sb.append("  ");
            string(sb, e.getKey());
            sb.append(": ");
            if (e.getValue() instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(Map.class::isInstance)) {
                sb.append("[\n");
                for (int j = 0; j < list.size(); j++) {
                    sb.append("    ");
                    value(sb, list.get(j));
                    sb.append(j + 1 < list.size() ? ",\n" : "\n");
                }
                sb.append("  ]");
            } else {
                value(sb, e.getValue());
            }
            sb.append(++i < top.size() ? ",\n" : "\n");
        }
        return sb.append("}\n").toString();
    }

    /** {@code v} on one line. */
    public static String inline(Object v) {
        StringBuilder sb = new StringBuilder();
        value(sb, v);
        return sb.toString();
    }

    private static void value(StringBuilder sb, Object v) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> string(sb, s);
            case Boolean b -> sb.append(b);
            case Double d -> number(sb, d);
            case Float f -> number(sb, f.doubleValue());
            case Number n -> sb.append(n.longValue());
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        sb.append(", ");
                    }
                    first = false;
                    string(sb, String.valueOf(e.getKey()));
                    sb.append(": ");
                    value(sb, e.getValue());
                }
                sb.append('}');
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        sb.append(", ");
                    }
                    value(sb, l.get(i));
                }
                sb.append(']');
            }
            default -> throw new IllegalArgumentException("no JSON form for " + v.getClass().getName());
        }
    }

    private static void number(StringBuilder sb, double d) {
        if (!Double.isFinite(d)) {
            sb.append("null");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            sb.append((long) d);
        } else {
            sb.append(BigDecimal.valueOf(d).stripTrailingZeros().toPlainString());
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** {@code x} rounded to {@code decimals} places (half up); non-finite values pass through. */
    public static double round(double x, int decimals) {
        if (!Double.isFinite(x)) {
            return x;
        }
        return BigDecimal.valueOf(x).setScale(decimals, java.math.RoundingMode.HALF_UP).doubleValue();
    }
}
