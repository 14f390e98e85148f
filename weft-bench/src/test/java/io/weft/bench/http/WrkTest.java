package io.weft.bench.http;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading wrk's report, and the command lines the harness gives it. */
class WrkTest {

    static final String REPORT = """
            Running 5s test @ http://127.0.0.1:41235/plaintext
              1 threads and 64 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency   610.45us  150.20us   2.10ms   80.00%
                Req/Sec   105.20k     2.10k  110.00k    70.00%
              Latency Distribution
                 50%  590.00us
                 75%  680.12us
                 90%    1.01ms
                 99%    1.50s
              523456 requests in 5.00s, 65.40MB read
              Socket errors: connect 0, read 2, write 1, timeout 3
              Non-2xx or 3xx responses: 7
            Requests/sec: 104691.20
            Transfer/sec:     13.08MB
            """;

    @Test
    void readsCountsAndPercentilesInTheirUnits() throws IOException {
        Wrk.Report r = Wrk.parse(REPORT);
        assertEquals(523456, r.requests());
        assertEquals(5.0, r.seconds(), 1e-9);
        assertEquals(104691.2, r.requestsPerSec(), 1e-6);
        assertEquals(590.0, r.p50(), 1e-9);
        assertEquals(680.12, r.p75(), 1e-9);
        assertEquals(1010.0, r.p90(), 1e-9);
        assertEquals(1_500_000.0, r.p99(), 1e-9);
        assertEquals(6, r.socketErrors());
        assertEquals(7, r.non2xx());
    }

    @Test
    void aCleanRunHasNoErrors() throws IOException {
        String clean = REPORT.replaceAll("(?m)^.*(Socket errors|Non-2xx).*\\n", "");
        Wrk.Report r = Wrk.parse(clean);
        assertEquals(0, r.socketErrors());
        assertEquals(0, r.non2xx());
    }

    @Test
    void aReportWithoutAFigureIsRefused() {
        assertThrows(IOException.class, () -> Wrk.parse("unable to connect to 127.0.0.1:1 Connection refused"));
        assertThrows(IOException.class, () -> Wrk.parse(REPORT.replace("99%", "98%")));
    }

    @Test
    void pipeliningPassesTheScriptAndItsDepthAndPinningPrefixesTaskset() {
        List<String> cmd = Wrk.command("/usr/bin/wrk", "http://h/p", 1, 64, 5, Path.of("/tmp/p.lua"), 16, 1);
        assertEquals(List.of("taskset", "-c", "1", "/usr/bin/wrk", "-t1", "-c64", "-d5s", "--latency", "--timeout", "5s",
                "-s", "/tmp/p.lua", "http://h/p", "--", "16"), cmd);
        List<String> plain = Wrk.command("/usr/bin/wrk", "http://h/p", 2, 8, 1.4, null, 1, null);
        assertEquals(List.of("/usr/bin/wrk", "-t2", "-c8", "-d1s", "--latency", "--timeout", "5s", "http://h/p"), plain);
        assertTrue(Wrk.PIPELINE_LUA.contains("wrk.format()"));
    }
}
