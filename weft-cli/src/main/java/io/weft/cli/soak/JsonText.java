package io.weft.cli.soak;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The results file's JSON: maps (in their iteration order), lists, strings, whole
 * numbers, doubles (one decimal place; the soak's decimals are bytes and seconds),
 * booleans and null, indented two spaces a level, except that a list of scalars stays
 * on one line.
 */
final class JsonText {
    private JsonText() {
    }

    static String of(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, "");
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, Object v, String indent) {
        if (v == null || v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            sb.append(v);
        } else if (v instanceof Double d) {
            sb.append(Double.isFinite(d) ? String.format(java.util.Locale.ROOT, "%.1f", d) : "null");
        } else if (v instanceof String s) {
            quote(sb, s);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            String inner = indent + "  ";
            for (Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<?, ?> e = it.next();
                sb.append('\n').append(inner);
                quote(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), inner);
                sb.append(it.hasNext() ? "," : "\n" + indent);
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            boolean flat = l.stream().noneMatch(x -> x instanceof Map || x instanceof List);
            sb.append('[');
            String inner = indent + "  ";
            for (int i = 0; i < l.size(); i++) {
                if (!flat) {
                    sb.append('\n').append(inner);
                }
                write(sb, l.get(i), inner);
                if (i + 1 < l.size()) {
                    sb.append(flat ? ", " : ",");
                } else if (!flat) {
                    sb.append('\n').append(indent);
                }
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("no JSON form for " + v.getClass().getName());
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
