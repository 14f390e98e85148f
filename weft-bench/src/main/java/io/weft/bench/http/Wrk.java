package io.weft.bench.http;

import io.weft.bench.ChildJvm;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load generator: wrk (Debian's {@code wrk} package), found on the PATH or installed
 * with apt-get when this process runs as root; run pinned to a core; its report parsed.
 */
/*
 * Overview
 *
 * wrk's --latency report gives a request count, the wall time, socket errors, non-2xx
 * responses and the 50/75/90/99th latency percentiles, each printed with its own unit
 * (us, ms, s, m). parse() reads exactly those lines and fails loudly when one is missing,
 * since a figure silently read as zero would be worse than none.
 *
 * Pipelining: wrk sends one request per response unless a Lua script's request() returns
 * several. The script below builds DEPTH copies of the request once, in init(), so wrk
 * writes them in one go and counts DEPTH responses for it.
 */
final class Wrk {
    private Wrk() {
    }

    static final String PIPELINE_LUA = """
            -- weft bench http: DEPTH requests per write (DEPTH is the script's first argument)
            init = function(args)
              local depth = tonumber(args[1]) or 16
              local r = {}
              for i = 1, depth do r[i] = wrk.format() end
              req = table.concat(r)
            end
            request = function() return req end
            """;

    /** What one wrk run reported. Latencies in µs. */
    record Report(long requests, double seconds, long socketErrors, long non2xx,
                  double p50, double p75, double p90, double p99) {
        double requestsPerSec() {
            return seconds <= 0 ? Double.NaN : requests / seconds;
        }
    }

    /** The path of wrk, or null. */
    static String find() {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin" : path + File.pathSeparator + "/usr/bin").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "wrk"))) {
                return Path.of(dir, "wrk").toString();
            }
        }
        return null;
    }

    /**
     * wrk's path, installing Debian's package first if it is missing and this process may.
     *
     * @throws IOException saying how to install it when it cannot
     */
    static String findOrInstall(java.io.PrintStream out) throws IOException {
        String wrk = find();
        if (wrk != null) {
            return wrk;
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root || find("apt-get") == null) {
            throw new IOException("wrk is not installed; install it with 'sudo apt-get update && sudo apt-get install -y wrk' "
                    + "(Debian/Ubuntu) or build it from its sources, then run again");
        }
        out.println("wrk is missing: running 'apt-get update && apt-get install -y wrk'");
        for (List<String> cmd : List.of(List.of("apt-get", "update", "-qq"), List.of("apt-get", "install", "-y", "-qq", "wrk"))) {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    throw new IOException("'" + String.join(" ", cmd) + "' failed; install wrk by hand (apt-get install wrk)");
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while installing wrk");
            }
        }
        wrk = find();
        if (wrk == null) {
            throw new IOException("apt-get installed wrk but it is not on the PATH");
        }
        return wrk;
    }

    private static String find(String tool) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return dir + "/" + tool;
            }
        }
        return null;
    }

    /** Writes the pipelining script to a temporary file, deleted when the JVM exits. */
    static Path pipelineScript() throws IOException {
        Path p = Files.createTempFile("weft-wrk-pipeline", ".lua");
        p.toFile().deleteOnExit();
        Files.writeString(p, PIPELINE_LUA);
        return p;
    }

    /** The command line of one run. {@code script} null: no pipelining. */
    static List<String> command(String wrk, String url, int threads, int connections, double seconds,
                                Path script, int depth, Integer cpu) {
        List<String> cmd = new ArrayList<>(List.of(wrk, "-t" + threads, "-c" + connections,
                "-d" + Math.max(1, Math.round(seconds)) + "s", "--latency", "--timeout", "5s"));
        if (script != null) {
            cmd.add("-s");
            cmd.add(script.toString());
        }
        cmd.add(url);
        if (script != null) {
            cmd.add("--");
            cmd.add(Integer.toString(depth));
        }
        return cpu == null ? cmd : ChildJvm.pinned(cpu, cmd);
    }

    /** Runs wrk and parses its report; its process id goes to {@code started} as soon as it runs. */
    static Report run(List<String> command, java.util.function.LongConsumer started) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        started.accept(p.pid());
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("wrk did not exit");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running wrk");
        }
        if (p.exitValue() != 0) {
            throw new IOException("wrk exited with status " + p.exitValue() + ": " + output.strip());
        }
        return parse(output);
    }

    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in ([0-9.]+)(us|ms|s|m|h)");
    private static final Pattern ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    /** Parses wrk's --latency report. @throws IOException if a figure is missing */
    static Report parse(String out) throws IOException {
        Matcher t = TOTAL.matcher(out);
        if (!t.find()) {
            throw new IOException("no 'N requests in T' line in wrk's output: " + out.strip());
        }
        long requests = Long.parseLong(t.group(1));
        double seconds = micros(t.group(2), t.group(3)) / 1e6;
        long errors = 0;
        Matcher e = ERRORS.matcher(out);
        if (e.find()) {
            for (int i = 1; i <= 4; i++) {
                errors += Long.parseLong(e.group(i));
            }
        }
        Matcher n = NON2XX.matcher(out);
        long non2xx = n.find() ? Long.parseLong(n.group(1)) : 0;
        return new Report(requests, seconds, errors, non2xx,
                percentile(out, "50"), percentile(out, "75"), percentile(out, "90"), percentile(out, "99"));
    }

    private static double percentile(String out, String p) throws IOException {
        Matcher m = Pattern.compile("(?m)^\\s+" + p + "%\\s+([0-9.]+)(us|ms|s|m|h)\\s*$").matcher(out);
        if (!m.find()) {
            throw new IOException("no " + p + "% latency in wrk's output (was --latency given?)");
        }
        return micros(m.group(1), m.group(2));
    }

    private static double micros(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit.toLowerCase(Locale.ROOT)) {
            case "us" -> v;
            case "ms" -> v * 1e3;
            case "s" -> v * 1e6;
            case "m" -> v * 60e6;
            case "h" -> v * 3600e6;
            default -> throw new IllegalArgumentException("unit " + unit);
        };
    }
}
