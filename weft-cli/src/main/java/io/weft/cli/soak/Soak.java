package io.weft.cli.soak;

import io.weft.Runtime;
import io.weft.StallReport;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code weft soak}: the reliability scenarios ({@link ConnectionsScenario},
 * {@link ShutdownScenario}, {@link ChaosScenario}) on each backend, this process as the
 * Weft server and a {@link SoakClient} JVM as the clients. Prints a line per scenario
 * and backend, writes every figure to a JSON file, and fails if any check failed.
 */
/*
 * One client JVM serves every scenario (a JVM start costs more than a short scenario);
 * after a scenario that failed, it is replaced, so that output it may still owe the old
 * command cannot be read as the next one's.
 */
public final class Soak {
    private Soak() {
    }

    /** How long the descriptors and live tasks may take to return to their baseline. */
    static final Duration SETTLE = Duration.ofSeconds(30);
    /** Descriptors the soak needs besides its connections: the runtime, the JVM's own files, the client's pipes. */
    static final int SPARE_FDS = 512;

    /** Where {@code weft soak} writes its results unless {@code -Dweft.soak.out} says otherwise. */
    public static final String DEFAULT_OUT = "bench-results/soak.json";

    /**
     * Runs the soak and writes its results to {@code -Dweft.soak.out} (default
     * {@value #DEFAULT_OUT}). Returns the exit code: 0 if every check passed, 1 otherwise.
     */
    public static int execute(SoakOptions options, PrintStream out, PrintStream err) {
        return execute(options, Path.of(System.getProperty("weft.soak.out", DEFAULT_OUT)), out, err);
    }

    static int execute(SoakOptions options, Path file, PrintStream out, PrintStream err) {
        try {
            long[] limits = ProcessStats.fileLimits();
            long needed = (long) options.connections() + SPARE_FDS;
            if (limits[0] >= 0 && limits[0] < needed) {
                err.println("weft soak: " + options.connections() + " connections need about " + needed
                        + " file descriptors, and this process may open " + limits[0] + " (hard limit "
                        + (limits[1] < 0 ? "unlimited" : limits[1]) + "); raise it with 'ulimit -n " + needed + "' or use fewer --connections");
                return 1;
            }
            Map<String, Object> results = run(options, out);
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, JsonText.of(results));
            boolean ok = Boolean.TRUE.equals(results.get("ok"));
            out.println((ok ? "soak passed" : "soak FAILED") + "; results in " + file);
            return ok ? 0 : 1;
        } catch (IOException e) {
            err.println("weft soak: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("weft soak: interrupted");
            return 1;
        }
    }

    /** Runs every scenario on every backend the options name; returns the results document. */
    static Map<String, Object> run(SoakOptions options, PrintStream out) throws IOException, InterruptedException {
        long seed = ThreadLocalRandom.current().nextInt(1 << 30);
        List<Outcome> outcomes = new ArrayList<>();
        ClientProcess client = ClientProcess.start();
        try {
            for (String backend : options.backends()) {
                String unavailable = unavailable(backend);
                for (String scenario : options.scenarios()) {
                    Outcome o = new Outcome(scenario, backend);
                    outcomes.add(o);
                    if (unavailable != null) {
                        o.skip(unavailable);
                        out.println(scenario + " on " + backend + ": skipped (" + unavailable + ")");
                        continue;
                    }
                    out.println(scenario + " on " + backend + ": running");
                    long t0 = System.nanoTime();
                    try {
                        runOne(client, options, o, seed);
                    } catch (IOException | RuntimeException e) {
                        o.fail("the scenario could not finish: " + e);
                    }
                    o.put("elapsed_s", (System.nanoTime() - t0) / 1e9);
                    out.println(scenario + " on " + backend + ": " + summary(o));
                    if (!o.ok()) {
                        client.close();
                        client = ClientProcess.start();
                    }
                }
            }
        } finally {
            client.close();
        }
        return document(options, outcomes, seed);
    }

    private static void runOne(ClientProcess client, SoakOptions options, Outcome o, long seed) throws IOException, InterruptedException {
        LoopStalls stalls = new LoopStalls();
        Runtime.Builder builder = builder(o.backend).onStall(stalls::add);
        try {
            if (o.scenario.equals("shutdown")) {
                ShutdownScenario.run(client, builder, options.behaviourConnections(), options.shutdownLoadSeconds(), o);
                return;
            }
            try (Runtime rt = builder.build()) {
                switch (o.scenario) {
                    case "connections" -> ConnectionsScenario.run(client, rt, options.connections(), options.seconds(), o);
                    case "chaos" -> ChaosScenario.run(client, rt, options.behaviourConnections(), options.chaosSeconds(), seed, o);
                    default -> throw new IllegalArgumentException("unknown scenario " + o.scenario);
                }
            }
        } finally {
            o.put("loop_stalls", stalls.toJson());
        }
    }

    /**
     * The watchdog's reports of a loop kept busy past its threshold, counted rather than
     * logged: the soak stops the whole process for full collections on purpose, and on a
     * shared machine the loops' threads are descheduled now and then, so stalls are a
     * figure to report here, not a failure.
     */
    private static final class LoopStalls {
        private long count;
        private long maxMillis;

        synchronized void add(StallReport r) {
            count++;
            maxMillis = Math.max(maxMillis, r.busyFor().toMillis());
        }

        synchronized Map<String, Object> toJson() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("count", count);
            out.put("max_ms", maxMillis);
            return out;
        }
    }

    private static Runtime.Builder builder(String backend) {
        return Runtime.builder().name("soak-" + backend).backend(backend).shutdownTimeout(Duration.ofSeconds(5));
    }

    /** Why {@code backend} cannot run here, or null if it can. */
    private static String unavailable(String backend) {
        try (Runtime rt = builder(backend).build()) {
            return rt.backend().equals(backend) ? null : "runtime chose " + rt.backend();
        } catch (UnsupportedOperationException e) {
            return e.getMessage();
        } catch (UncheckedIOException e) {
            return e.getMessage() + ": " + e.getCause().getMessage();
        }
    }

    private static String summary(Outcome o) {
        StringBuilder sb = new StringBuilder(o.ok() ? "ok" : "FAILED");
        switch (o.scenario) {
            case "connections" -> sb.append(String.format(java.util.Locale.ROOT, ", %s connections, %s exchanges, heap %.0f B/conn, RSS %.0f B/conn",
                    o.get("connected"), o.get("exchanges"), (Double) o.get("heap_per_connection_bytes"), (Double) o.get("rss_per_connection_bytes")));
            case "shutdown" -> sb.append(", ").append(o.get("acked")).append(" acknowledged, ").append(o.get("processed"))
                    .append(" processed, shutdown took ").append(o.get("shutdown_ms")).append(" ms");
            case "chaos" -> sb.append(", actions ").append(o.get("actions"));
            default -> { }
        }
        for (String f : o.failures()) {
            sb.append("\n    ").append(f);
        }
        return sb.toString();
    }

    private static Map<String, Object> document(SoakOptions options, List<Outcome> outcomes, long seed) throws IOException {
        long[] limits = ProcessStats.fileLimits();
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpus", java.lang.Runtime.getRuntime().availableProcessors());
        machine.put("kernel", System.getProperty("os.version"));
        machine.put("jdk", System.getProperty("java.version"));
        machine.put("fd_limit_soft", limits[0]);
        machine.put("fd_limit_hard", limits[1]);
        machine.put("max_heap_bytes", java.lang.Runtime.getRuntime().maxMemory());

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("connections", options.connections());
        config.put("hold_s", options.seconds());
        config.put("shutdown_connections", options.behaviourConnections());
        config.put("shutdown_load_s", options.shutdownLoadSeconds());
        config.put("chaos_connections", options.behaviourConnections());
        config.put("chaos_s", options.chaosSeconds());
        config.put("chaos_seed", seed);

        List<Object> results = new ArrayList<>();
        boolean ok = true;
        for (Outcome o : outcomes) {
            results.add(o.toJson());
            ok &= o.skipped() || o.ok();
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "soak");
        doc.put("command", options.commandLine());
        doc.put("date", Instant.now().toString());
        doc.put("ok", ok);
        doc.put("machine", machine);
        doc.put("config", config);
        doc.put("results", results);
        return doc;
    }
}
