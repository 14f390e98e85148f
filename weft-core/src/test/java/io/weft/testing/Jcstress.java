package io.weft.testing;

import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a package's jcstress tests from JUnit and fails if any outcome marked FORBIDDEN was
 * seen, a test errored, or fewer tests ran than expected. Each module's {@code JcstressTest}
 * calls it.
 *
 * <p>By default a short run that fits a build: one JVM configuration, 0.2 s a test. A longer
 * run, for finding bugs rather than guarding against regressions, names a jcstress mode
 * ({@code -Dweft.jcstress.mode=default}, {@code tough}, {@code stress}) with its matrix of
 * JVM configurations, and jcstress options of its own ({@code -Dweft.jcstress.options='-fsm 1
 * -iters 2 -sc false'}); {@code -Djunit.jupiter.execution.timeout.mode=disabled} lifts the
 * test's time limit, which is for the short run. Either way each test's samples are printed.
 */
public final class Jcstress {
    /** A row of jcstress's result table: state, samples, frequency, expectation. */
    private static final Pattern SAMPLES =
            Pattern.compile("^\\s+\\S.*?\\s{2,}([0-9][0-9,]*)\\s+<?[0-9.]+%\\s+(Acceptable|Forbidden|Interesting)\\b");

    private Jcstress() {
    }

    /**
     * Runs the jcstress tests of {@code pkg} whose simple names end in "Stress" (nested
     * classes included) and asserts the outcome.
     *
     * @param expectedTests how many tests must have run, so that a test that stops being
     *                      found is noticed
     */
    public static void runAndCheck(String pkg, int expectedTests) throws Exception {
        Path results = Files.createDirectories(Path.of("target", "jcstress"));
        String mode = System.getProperty("weft.jcstress.mode", "");
        List<String> args = new ArrayList<>(List.of("-t", Pattern.quote(pkg + ".") + ".*Stress.*", "-r", results.toString()));
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
        System.setOut(new PrintStream(new Tee(console, captured), true, StandardCharsets.UTF_8));
        try {
            new JCStress(opts).run();
        } finally {
            System.setOut(console);
            // jcstress always leaves its result blob in the working directory
            try (var blobs = Files.newDirectoryStream(Path.of("."), "jcstress-results-*.bin.gz")) {
                for (Path blob : blobs) {
                    Files.move(blob, results.resolve(blob.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        System.out.println(samplesPerTest(out, pkg));
        assertTrue(out.contains("Failed tests: No matches."), "a FORBIDDEN outcome was seen; see target/jcstress:\n" + tail(out));
        assertTrue(out.contains("Error tests: No matches."), "a jcstress test errored; see target/jcstress:\n" + tail(out));
        assertTrue(out.contains("All remaining tests: " + expectedTests + " matching test results"),
                "expected " + expectedTests + " tests to run:\n" + tail(out));
    }

    /**
     * Sums each test's samples, over its forks and configurations, from jcstress's verbose
     * console report: a line naming the test ({@code [OK] io.weft...}), then its rows.
     */
    private static String samplesPerTest(String out, String pkg) {
        Map<String, Long> samples = new LinkedHashMap<>();
        String test = null;
        for (String line : out.split("\\R")) {
            if (line.startsWith("RUN RESULTS:")) {
                break; // the summary repeats what the run printed
            }
            String t = line.trim();
            if (t.contains("] " + pkg + ".")) {
                test = t.substring(t.indexOf(pkg + "."));
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

    /** Writes to the console and keeps a copy. */
    private static final class Tee extends OutputStream {
        private final PrintStream console;
        private final ByteArrayOutputStream copy;

        Tee(PrintStream console, ByteArrayOutputStream copy) {
            this.console = console;
            this.copy = copy;
        }

        @Override
        public void write(int c) {
            console.write(c);
            copy.write(c);
        }

        @Override
        public void write(byte[] buf, int off, int len) {
            console.write(buf, off, len);
            copy.write(buf, off, len);
        }
    }
}
