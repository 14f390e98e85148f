package io.weft.ipc;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the rings' jcstress tests (the *Stress classes here: publication, slot reuse, wrap
 * and padding, abort, and the doorbells for records and space, on futex words and on
 * eventfds, and past a vow never to sleep) and fails if any outcome marked FORBIDDEN was
 * seen, or a test errored.
 *
 * <p>By default a short run that fits a build: one JVM configuration, 0.4 s a test. A
 * longer run, for finding bugs rather than guarding against regressions, takes a jcstress
 * mode with its matrix of JVM configurations, and jcstress options of its own, and prints
 * each test's samples as the short run does. About 15 minutes on two busy cores:
 * <pre>
 * mvn -B -ntp -pl weft-ipc -am test -Dtest=JcstressTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Djunit.jupiter.execution.timeout.mode=disabled \
 *     -Dweft.jcstress.mode=default -Dweft.jcstress.options='-fsm 1 -iters 2 -sc false'
 * </pre>
 * The first property lifts this class's time limit, which is for the short run. With the
 * split-compilation matrix as well (no {@code -sc false}) that run takes about 30
 * minutes; without the options, {@code default} about 90; {@code tough} and
 * {@code stress} longer still.
 */
@Tag("mode-independent") // no tasks: runs once
@Timeout(300)
class JcstressTest {

    private static final int TESTS = 9;
    /** A row of jcstress's result table: state, samples, frequency, expectation. */
    private static final Pattern SAMPLES = Pattern.compile("^\\s+\\S.*?\\s{2,}([0-9][0-9,]*)\\s+<?[0-9.]+%\\s+(Acceptable|Forbidden|Interesting)\\b");

    @Test
    void noForbiddenOutcomeInTheRingsMemoryOrdering() throws Exception {
        Path results = Files.createDirectories(Path.of("target", "jcstress"));
        String mode = System.getProperty("weft.jcstress.mode", "");
        List<String> args = new ArrayList<>(List.of("-t", "io\\.weft\\.ipc\\..*Stress.*", "-r", results.toString()));
        if (mode.isEmpty()) {
            // quick's strides (sanity's give a few dozen samples a test), and one JVM
            // configuration instead of the auto-detected matrix (a JVM each, too slow for a build)
            args.addAll(List.of("-m", "quick", "-c", "2", "-f", "1", "-sc", "false", "-time", "200", "-iters", "2",
                    "-jvmArgs", "--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xmx256m"));
        } else {
            args.addAll(List.of("-m", mode, "-jvmArgsPrepend", "--enable-native-access=ALL-UNNAMED"));
            String more = System.getProperty("weft.jcstress.options", "").trim();
            if (!more.isEmpty()) {
                args.addAll(List.of(more.split("\\s+")));
            }
        }
        args.add("-v"); // every test's outcomes and counts, not only the failures
        Options opts = new Options(args.toArray(new String[0]));
        assertTrue(opts.parse(), "jcstress options");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream console = System.out;
        PrintStream tee = new PrintStream(new TeeStream(console, captured), true, StandardCharsets.UTF_8);
        System.setOut(tee);
        try {
            new JCStress(opts).run();
        } finally {
            System.setOut(console);
            // jcstress always leaves its result blob in the working directory
            try (var blobs = Files.newDirectoryStream(Path.of("."), "jcstress-results-*.bin.gz")) {
                for (Path blob : blobs) {
                    Files.move(blob, results.resolve(blob.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        System.out.println(samplesPerTest(out));
        assertTrue(out.contains("Failed tests: No matches."), "a FORBIDDEN outcome was seen; see target/jcstress:\n" + tail(out));
        assertTrue(out.contains("Error tests: No matches."), "a jcstress test errored; see target/jcstress:\n" + tail(out));
        assertTrue(out.contains("All remaining tests: " + TESTS + " matching test results"), "expected " + TESTS + " tests to run:\n" + tail(out));
    }

    /**
     * Sums each test's samples, over its forks and configurations, from jcstress's verbose
     * console report: a line naming the test ({@code [OK] io.weft.ipc...}), then its rows.
     */
    private static String samplesPerTest(String out) {
        Map<String, Long> samples = new LinkedHashMap<>();
        String test = null;
        for (String line : out.split("\\R")) {
            if (line.startsWith("RUN RESULTS:")) {
                break; // the summary repeats what the run printed
            }
            String t = line.trim();
            if (t.contains("] io.weft.ipc.")) {
                test = t.substring(t.indexOf("io.weft.ipc."));
                continue;
            }
            Matcher m = SAMPLES.matcher(line);
            if (test != null && m.find()) {
                samples.merge(test, Long.parseLong(m.group(1).replace(",", "")), Long::sum);
            }
        }
        StringBuilder b = new StringBuilder("jcstress samples per test:\n");
        samples.forEach((name, n) -> b.append(String.format("  %,15d  %s%n", n, name)));
        return b.toString();
    }

    private static String tail(String s) {
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }

    private static final class TeeStream extends java.io.OutputStream {
        private final PrintStream a;
        private final ByteArrayOutputStream b;

        TeeStream(PrintStream a, ByteArrayOutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] buf, int off, int len) {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
