package io.weft.cli.soak;

import io.weft.cli.Args;
import io.weft.cli.UsageException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The options of {@code weft soak}, and the sizes of the scenarios derived from them.
 *
 * @param seconds     how long the connections scenario holds its connections on each backend
 * @param connections how many connections it holds at once
 * @param backends    the backends to run on, in order
 * @param scenarios   the scenarios to run, in order
 */
public record SoakOptions(int seconds, int connections, List<String> backends, List<String> scenarios) {

    public static final List<String> BACKENDS = List.of("io_uring", "epoll", "nio");
    public static final List<String> SCENARIOS = List.of("connections", "shutdown", "chaos");

    public static final String USAGE = "soak [--seconds N] [--connections N] [--backend " + String.join(",", BACKENDS)
            + "] [--scenarios " + String.join(",", SCENARIOS) + "]";

    static final int DEFAULT_SECONDS = 60;
    static final int DEFAULT_CONNECTIONS = 10_000;
    /** The shutdown and chaos scenarios use at most this many connections: they test behaviour, not scale. */
    static final int BEHAVIOUR_CONNECTIONS = 1_000;

    public SoakOptions {
        backends = List.copyOf(backends);
        scenarios = List.copyOf(scenarios);
    }

    /** Connections in the shutdown and chaos scenarios. */
    int behaviourConnections() {
        return Math.min(connections, BEHAVIOUR_CONNECTIONS);
    }

    /** How long the shutdown scenario loads the server before it shuts down: seconds / 12, from 1 to 5. */
    int shutdownLoadSeconds() {
        return Math.clamp(seconds / 12, 1, 5);
    }

    /** How long the chaos scenario runs: seconds / 4, from 2 to 15. */
    int chaosSeconds() {
        return Math.clamp(seconds / 4, 2, 15);
    }

    /** The command line that gives these options. */
    String commandLine() {
        return "./weft soak --seconds " + seconds + " --connections " + connections + " --backend " + String.join(",", backends)
                + " --scenarios " + String.join(",", scenarios);
    }

    public static SoakOptions parse(String[] args) throws UsageException {
        Args a = Args.parse(args, Set.of("seconds", "connections", "backend", "scenarios"));
        return new SoakOptions(
                a.intValue("seconds", DEFAULT_SECONDS, 2, 3_600),
                a.intValue("connections", DEFAULT_CONNECTIONS, 1, 100_000),
                list(a, "backend", BACKENDS),
                list(a, "scenarios", SCENARIOS));
    }

    /** A comma-separated subset of {@code allowed}, in the order given, each once; all of them if absent. */
    private static List<String> list(Args a, String name, List<String> allowed) throws UsageException {
        String s = a.string(name, null);
        if (s == null) {
            return allowed;
        }
        Set<String> out = new LinkedHashSet<>();
        for (String item : s.split(",", -1)) {
            String v = item.strip();
            if (!allowed.contains(v)) {
                throw new UsageException("option '--" + name + "' takes a comma-separated list of " + String.join(", ", allowed)
                        + ", not '" + v + "'");
            }
            if (!out.add(v)) {
                throw new UsageException("option '--" + name + "' names '" + v + "' twice");
            }
        }
        return new ArrayList<>(out);
    }
}
