package io.weft.bench.echo;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EchoResultTest {

    private static final List<String> REQUIRED = List.of("contender", "ops_per_sec", "p50_us", "p99_us", "p999_us", "cpu_us_per_op", "runs");

    /** A run of {@code ops} round trips of 100 µs in one second, with the server using {@code serverSec} of CPU. */
    private static EchoResult.Run run(long ops, double serverSec, double loadgenSec) {
        Histogram h = new Histogram(60_000_000_000L, 3);
        for (long i = 0; i < ops; i++) {
            h.recordValue(100_000);
        }
        return new EchoResult.Run(new LoadGenerator.PhaseStats(ops, 1_000_000_000L, h, -1, 0, 0),
                new io.weft.bench.CpuUse(1.0, serverSec * 0.75, serverSec * 0.25, loadgenSec, Double.NaN));
    }

    @Test
    void aMeasuredResultStartsWithTheRequiredMembersAndReportsMedians() {
        EchoResult r = EchoResult.measured(Contender.WEFT_NIO, "backend=nio",
                List.of(run(1000, 0.95, 0.5), run(3000, 0.97, 0.5), run(2000, 0.99, 0.5)), null, 0, 0, 0, List.of());
        Map<String, Object> json = r.toJson();
        assertEquals(REQUIRED, List.copyOf(json.keySet()).subList(0, REQUIRED.size()));
        assertEquals("weft-nio", json.get("contender"));
        assertEquals(2000.0, json.get("ops_per_sec"));
        assertEquals(100.0, (Double) json.get("p50_us"), 0.1);
        assertEquals(3, json.get("runs"));
        // median of 950, 323.3, 495 µs per op
        assertEquals(495.0, (Double) json.get("cpu_us_per_op"), 0.001);
        assertEquals(true, json.get("saturated"));
        assertEquals(true, json.get("valid"));
        assertEquals("", json.get("note"));
    }

    @Test
    void aBusyLoadGeneratorIsNamedAsTheBottleneck() {
        EchoResult r = EchoResult.measured(Contender.NETTY_EPOLL, "", List.of(run(1000, 0.5, 0.99)), null, 0, 0, 0, List.of());
        assertFalse(r.saturated());
        assertEquals(false, r.toJson().get("saturated"));
        assertTrue(r.note().contains("load generator was the bottleneck"), r.note());
    }

    @Test
    void mismatchesMakeAResultInvalid() {
        EchoResult r = EchoResult.measured(Contender.WEFT_NIO, "", List.of(run(1000, 0.95, 0.5)), null, 0, 3, 0, List.of());
        assertFalse(r.valid());
        assertEquals(false, r.toJson().get("valid"));
        assertEquals(3L, r.toJson().get("mismatches"));
        assertTrue(r.note().startsWith("INVALID"), r.note());
    }

    @Test
    void aSkippedContenderKeepsTheShapeWithNullsAndItsReason() {
        EchoResult r = EchoResult.skipped(Contender.WEFT_IO_URING, "backend 'io_uring' is unavailable: not implemented");
        Map<String, Object> json = r.toJson();
        assertEquals(REQUIRED, List.copyOf(json.keySet()).subList(0, REQUIRED.size()));
        assertNull(json.get("ops_per_sec"));
        assertNull(json.get("cpu_us_per_op"));
        assertEquals(0, json.get("runs"));
        assertEquals(true, json.get("skipped"));
        assertEquals("skipped: backend 'io_uring' is unavailable: not implemented", json.get("note"));
    }

    @Test
    void theFixedRatePhaseReportsWhetherItsRateWasAchieved() {
        EchoResult.Run paced = run(38_500, 0.4, 0.3);
        EchoResult r = EchoResult.measured(Contender.JDK_VIRTUAL_THREADS, "", List.of(run(1000, 0.95, 0.5)), paced, 40_000, 0, 0, List.of());
        assertEquals(true, r.toJson().get("rate_achieved"));
        assertEquals(10.39, (Double) r.toJson().get("rate_cpu_us_per_op"), 0.01);
        EchoResult slow = EchoResult.measured(Contender.JDK_VIRTUAL_THREADS, "", List.of(run(1000, 0.95, 0.5)), run(20_000, 1, 0.3),
                40_000, 0, 0, List.of());
        assertEquals(false, slow.toJson().get("rate_achieved"));
        assertTrue(slow.note().contains("fixed rate not achieved"), slow.note());
    }
}
