package io.weft.bench.ipc;

import io.weft.bench.CpuUse;
import io.weft.bench.Json;
import io.weft.bench.Stats;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** One contender's outcome: measured (medians over the runs), skipped (with the reason) or failed (with what went wrong). */
final class IpcResult {

    enum Status { MEASURED, SKIPPED, FAILED }

    /** One run: a latency window, then a throughput window with the CPU time around it. */
    record Run(RoundTrips.Latency latency, RoundTrips.Throughput throughput, CpuUse cpu, boolean inProcess) {

        double p(double percentile) {
            return latency.nanos().getValueAtPercentile(percentile) / 1000.0;
        }

        double opsPerSec() {
            return throughput.opsPerSec();
        }

        double latencyOpsPerSec() {
            return latency.elapsedNanos() == 0 ? Double.NaN : latency.ops() * 1e9 / latency.elapsedNanos();
        }

        /** The requester's CPU per round trip: this JVM, every thread. */
        double requesterUsPerOp() {
            return CpuUse.microsPerOp(cpu.loadgen(), throughput.ops());
        }

        /** The responder process's CPU per round trip; NaN for the floor, whose responder is a thread of the requester. */
        double responderUsPerOp() {
            return inProcess ? Double.NaN : cpu.serverUsPerOp(throughput.ops());
        }

        /** Both processes' CPU per round trip (the floor's one process). */
        double cpuUsPerOp() {
            return inProcess ? requesterUsPerOp() : CpuUse.microsPerOp(cpu.server() + cpu.loadgen(), throughput.ops());
        }
    }

    final IpcContender contender;
    final Status status;
    final String info;
    final List<Run> runs;
    final String reason;

    private IpcResult(IpcContender contender, Status status, String info, List<Run> runs, String reason) {
        this.contender = contender;
        this.status = status;
        this.info = info;
        this.runs = List.copyOf(runs);
        this.reason = reason;
    }

    static IpcResult measured(IpcContender c, String info, List<Run> runs) {
        return new IpcResult(c, Status.MEASURED, info, runs, null);
    }

    static IpcResult skipped(IpcContender c, String reason) {
        return new IpcResult(c, Status.SKIPPED, "", List.of(), reason);
    }

    static IpcResult failed(IpcContender c, String reason) {
        return new IpcResult(c, Status.FAILED, "", List.of(), reason);
    }

    boolean measured() {
        return status == Status.MEASURED;
    }

    double median(ToDoubleFunction<Run> f) {
        return Stats.median(runs.stream().mapToDouble(f).toArray());
    }

    double p50() {
        return median(r -> r.p(50));
    }

    double opsPerSec() {
        return median(Run::opsPerSec);
    }

    /** The lowest p50 of the runs: for the floor, the one least disturbed by the machine. */
    double bestP50() {
        return runs.stream().mapToDouble(r -> r.p(50)).min().orElse(Double.NaN);
    }

    int window() {
        return runs.isEmpty() ? 0 : runs.getFirst().throughput().window();
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        boolean has = measured();
        m.put("contender", contender.id());
        m.put("ops_per_sec", has ? Json.round(opsPerSec(), 1) : null);
        m.put("p50_us", has ? Json.round(p50(), 3) : null);
        m.put("p99_us", has ? Json.round(median(r -> r.p(99)), 3) : null);
        m.put("p999_us", has ? Json.round(median(r -> r.p(99.9)), 3) : null);
        m.put("cpu_us_per_op", has ? Json.round(median(Run::cpuUsPerOp), 3) : null);
        m.put("runs", runs.size());
        m.put("description", contender.description());
        m.put("window", has ? window() : null);
        m.put("latency_round_trips_per_sec", has ? Json.round(median(Run::latencyOpsPerSec), 1) : null);
        m.put("p90_us", has ? Json.round(median(r -> r.p(90)), 3) : null);
        m.put("max_us", has ? Json.round(median(r -> r.latency().nanos().getMaxValue() / 1000.0), 3) : null);
        m.put("responder_cpu_us_per_op", has ? Json.round(median(Run::responderUsPerOp), 3) : null);
        m.put("requester_cpu_us_per_op", has ? Json.round(median(Run::requesterUsPerOp), 3) : null);
        m.put("run_ops_per_sec", runs.stream().map(r -> (Object) Json.round(r.opsPerSec(), 1)).toList());
        m.put("run_p50_us", runs.stream().map(r -> (Object) Json.round(r.p(50), 3)).toList());
        m.put("info", info);
        m.put("skipped", status == Status.SKIPPED);
        m.put("failed", status == Status.FAILED);
        m.put("note", reason == null ? "" : reason);
        return m;
    }
}
