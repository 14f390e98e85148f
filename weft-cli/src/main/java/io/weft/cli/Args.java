package io.weft.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of one subcommand: {@code --name value} or {@code --name=value}, each at
 * most once, each from a known set. Values are read typed and range-checked, so every
 * mistake becomes a {@link UsageException} that names the option.
 */
public final class Args {

    private final Map<String, String> values = new HashMap<>();

    private Args() {
    }

    /**
     * Parses {@code args} against {@code known} (names without the leading dashes).
     *
     * @throws UsageException for an unknown option, a missing value, a repeated option or a stray argument
     */
    public static Args parse(String[] args, Set<String> known) throws UsageException {
        Args a = new Args();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!known.contains(name)) {
                throw new UsageException("unknown option '--" + name + "'");
            }
            if (value == null) {
                if (i + 1 == args.length) {
                    throw new UsageException("option '--" + name + "' needs a value");
                }
                value = args[++i];
            }
            if (a.values.putIfAbsent(name, value) != null) {
                throw new UsageException("option '--" + name + "' given twice");
            }
        }
        return a;
    }

    /** The value of {@code --name} as an int in {@code [min, max]}, or {@code dflt} if absent. */
    public int intValue(String name, int dflt, int min, int max) throws UsageException {
        return (int) longValue(name, dflt, min, max);
    }

    /** The value of {@code --name} as a long in {@code [min, max]}, or {@code dflt} if absent. Accepts {@code 1_000_000}. */
    public long longValue(String name, long dflt, long min, long max) throws UsageException {
        String s = values.get(name);
        if (s == null) {
            return dflt;
        }
        long v;
        try {
            v = Long.parseLong(s.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException("option '--" + name + "' takes a whole number, not '" + s + "'");
        }
        if (v < min || v > max) {
            throw new UsageException("option '--" + name + "' must be between " + min + " and " + max + ", not " + v);
        }
        return v;
    }

    /** The value of {@code --name}, or {@code dflt} if absent. */
    public String string(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    /** The value of {@code --name}, which must be one of {@code allowed}; null if absent. */
    public String choice(String name, List<String> allowed) throws UsageException {
        String s = values.get(name);
        if (s != null && !allowed.contains(s)) {
            throw new UsageException("option '--" + name + "' takes one of " + String.join(", ", allowed) + ", not '" + s + "'");
        }
        return s;
    }
}
