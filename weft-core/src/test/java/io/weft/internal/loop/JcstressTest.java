package io.weft.internal.loop;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the loop's jcstress tests (the *Stress classes here) in a short mode and fails if
 * any outcome marked FORBIDDEN was seen, or a test errored. A deeper run:
 * {@code java -cp <test classpath> org.openjdk.jcstress.Main -t 'io\.weft\.internal\.loop\..*Stress' -m default}.
 */
@Tag("mode-independent") // no tasks: runs once
class JcstressTest {

    private static final int TESTS = 1;

    @Test
    void noForbiddenOutcomeInTheWakeUpProtocol() throws Exception {
        Path results = Files.createDirectories(Path.of("target", "jcstress"));
        String[] args = {
                "-t", "io\\.weft\\.internal\\.loop\\..*Stress",
                "-m", "sanity",
                "-c", "2",
                "-f", "1",
                "-time", "200",
                "-iters", "2",
                // one JVM configuration instead of the auto-detected matrix keeps the run short
                "-jvmArgs", "--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xmx256m",
                "-r", results.toString(),
        };
        Options opts = new Options(args);
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
        assertTrue(out.contains("Failed tests: No matches."), "a FORBIDDEN outcome was seen; see target/jcstress:\n" + tail(out));
        assertTrue(out.contains("Error tests: No matches."), "a jcstress test errored; see target/jcstress:\n" + tail(out));
        assertTrue(out.contains("All remaining tests: " + TESTS + " matching test results"), "expected " + TESTS + " tests to run:\n" + tail(out));
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
