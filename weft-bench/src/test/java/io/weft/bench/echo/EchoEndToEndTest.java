package io.weft.bench.echo;

import io.weft.bench.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole harness, briefly: two contenders' servers in their own JVMs, 1 s each, 2
 * connections. Behaviour only: every echo verified, something measured, files written.
 * Pins with taskset when it is installed, and warns and carries on when it is not.
 */
class EchoEndToEndTest {

    @Test
    void aShortRunVerifiesEveryEchoAndWritesItsResults(@TempDir Path out) throws Exception {
        EchoOptions o = EchoOptions.from(Options.parse(new String[] {
                "--seconds", "1", "--warmup", "0.2", "--runs", "1", "--connections", "2", "--rate", "500",
                "--contenders", "jdk-platform-threads,weft-nio", "--out", out.toString()},
                EchoOptions.VALUED, EchoOptions.FLAGS), out);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        EchoBench.Report report;
        try (PrintStream ps = new PrintStream(text, true, StandardCharsets.UTF_8)) {
            report = EchoBench.run(o, ps);
        }
        String printed = text.toString(StandardCharsets.UTF_8);
        System.out.print(printed);

        assertEquals(2, report.results().size());
        for (EchoResult r : report.results()) {
            assertEquals(EchoResult.Status.MEASURED, r.status, () -> r.contender.id() + ": " + r.note());
            assertEquals(0, r.mismatches, r.contender.id() + " mismatches");
            assertEquals(0, r.errors, () -> r.contender.id() + " errors: " + r.errorSamples);
            assertEquals(1, r.runs.size());
            assertTrue(r.runs.getFirst().stats().ops() > 0, r.contender.id() + " echoed nothing");
            assertTrue(r.rateRun.stats().ops() > 0, r.contender.id() + " echoed nothing at the fixed rate");
        }
        assertTrue(report.ok());
        String json = Files.readString(report.json());
        assertTrue(json.startsWith("{\n  \"benchmark\": \"echo\",\n  \"machine\": {\"cpus\": "), json);
        assertTrue(json.contains("{\"contender\": \"jdk-platform-threads\", \"ops_per_sec\": "), json);
        assertTrue(json.contains("{\"contender\": \"weft-nio\", \"ops_per_sec\": "), json);
        assertTrue(Files.readString(report.svg()).startsWith("<svg "));
        assertTrue(printed.contains("weft-nio"), printed);
    }
}
