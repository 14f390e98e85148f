package io.weft.bench.http;

import io.weft.bench.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The whole HTTP harness, briefly: two contenders' servers in their own JVMs, wrk for 1 s
 * per mode with 4 connections, pipelined and not. Behaviour only: no socket error, no
 * non-2xx response, every row measured, files written. Needs wrk; skipped without it.
 */
class HttpBenchEndToEndTest {

    @Test
    void aShortRunMeasuresEveryModeAndWritesItsResults(@TempDir Path out) throws Exception {
        assumeTrue(Wrk.find() != null, "wrk is not installed (apt-get install wrk)");
        HttpOptions o = HttpOptions.from(Options.parse(new String[] {
                "--seconds", "1", "--warmup", "0", "--runs", "1", "--connections", "4", "--pipeline", "4",
                "--contenders", "weft-nio,jdk-httpserver", "--idle-connections", "20", "--out", out.toString()},
                HttpOptions.VALUED, HttpOptions.FLAGS), out);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        boolean ok;
        try (PrintStream ps = new PrintStream(text, true, StandardCharsets.UTF_8)) {
            ok = HttpBench.run(o, ps);
        }
        String printed = text.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertTrue(ok, printed);
        String json = Files.readString(out.resolve("http.json"));
        assertTrue(json.startsWith("{\n  \"benchmark\": \"http\",\n  \"machine\": {\"cpus\": "), json);
        for (String row : new String[] {"\"contender\": \"weft-nio\", \"mode\": \"plaintext\"",
                "\"contender\": \"weft-nio\", \"mode\": \"plaintext-pipelined-4\"",
                "\"contender\": \"jdk-httpserver\", \"mode\": \"plaintext\""}) {
            assertTrue(json.contains(row), row + " in " + json);
        }
        assertTrue(!json.contains("\"valid\": false"), json);
        assertTrue(json.contains("\"heap_bytes_per_idle_connection\""), "the idle heap was measured: " + json);
        assertTrue(Files.readString(out.resolve("http.svg")).startsWith("<svg "));
    }
}
