package io.weft.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of the form {@code --name value}, {@code --name=value} or, for
 * flags, {@code --name}. Unknown names, positional words, missing values and malformed
 * numbers are errors ({@link IllegalArgumentException}, with a message meant for the
 * user); a name given twice keeps its last value.
 *
 * <pre>{@code
 * Options o = Options.parse(args, Set.of("seconds", "contenders"), Set.of("quick"));
 * int seconds = o.intValue("seconds", 10, 1);
 * }</pre>
 */
public final class Options {

    private final Map<String, String> values;
    private final Set<String> flagNames;

    private Options(Map<String, String> values, Set<String> flagNames) {
        this.values = values;
        this.flagNames = flagNames;
    }

    /**
     * Parses {@code args}.
     *
     * @param valued the names that take a value
     * @param flags  the names that take none
     */
    public static Options parse(String[] args, Set<String> valued, Set<String> flags) {
        Map<String, String> v = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (options are --name value)");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw new IllegalArgumentException("--" + name + " takes no value");
                }
                v.put(name, "true");
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                        throw new IllegalArgumentException("--" + name + " needs a value");
                    }
                    value = args[++i];
                }
                v.put(name, value);
            } else {
                List<String> known = new ArrayList<>(valued);
                known.addAll(flags);
                known.sort(null);
                throw new IllegalArgumentException("unknown option --" + name + " (known: --" + String.join(", --", known) + ")");
            }
        }
        return new Options(v, Set.copyOf(flags));
    }

    /** The options among {@code names} as arguments again, in the order given, for a child process. */
    public List<String> toArgs(Set<String> names) {
        List<String> out = new ArrayList<>();
        values.forEach((k, v) -> {
            if (names.contains(k)) {
                out.add(flagNames.contains(k) ? "--" + k : "--" + k + "=" + v);
            }
        });
        return out;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public boolean flag(String name) {
        return values.containsKey(name);
    }

    public String string(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    /** An integer of at least {@code min}. */
    public int intValue(String name, int dflt, int min) {
        String s = values.get(name);
        if (s == null) {
            return dflt;
        }
        int v;
        try {
            v = Integer.parseInt(s.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number: '" + s + "'");
        }
        if (v < min) {
            throw new IllegalArgumentException("--" + name + " must be at least " + min + ": " + v);
        }
        return v;
    }

    /** A number of at least {@code min}. */
    public double doubleValue(String name, double dflt, double min) {
        String s = values.get(name);
        if (s == null) {
            return dflt;
        }
        double v;
        try {
            v = Double.parseDouble(s.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number: '" + s + "'");
        }
        if (!(v >= min) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("--" + name + " must be at least " + min + ": " + s);
        }
        return v;
    }

    /** A comma-separated list, blanks dropped. */
    public List<String> list(String name, List<String> dflt) {
        String s = values.get(name);
        if (s == null) {
            return dflt;
        }
        List<String> out = Arrays.stream(s.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--" + name + " needs at least one name");
        }
        return out;
    }
}
