package io.weft.bench.http;

import io.weft.bench.CpuUse;
import io.weft.bench.Json;
import io.weft.bench.Stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * One contender in one mode (pipeline depth): measured (medians over the runs), skipped
 * (cannot run here, with the reason) or failed.
 */
final class HttpResult {

    /** A figure counts as the server's limit only when its core was at least this busy. */
    static final double SATURATED_PCT = CpuUse.SATURATED_PCT;

    enum Status { MEASURED, SKIPPED, FAILED }

    /** One measured wrk run and the CPU time around it. */
    record Run(Wrk.Report wrk, CpuUse cpu) {
        double requestsPerSec() {
            return wrk.requestsPerSec();
        }

        double cpuUsPerRequest() {
            return cpu.serverUsPerOp(wrk.requests());
        }
    }

    final HttpContender contender;
    final int depth;
    final Status status;
    final String serverInfo;
    final List<Run> runs;
    final String reason;

    private HttpResult(HttpContender contender, int depth, Status status, String serverInfo, List<Run> runs, String reason) {
        this.contender = contender;
        this.depth = depth;
        this.status = status;
        this.serverInfo = serverInfo;
        this.runs = List.copyOf(runs);
        this.reason = reason;
    }

    static HttpResult measured(HttpContender c, int depth, String info, List<Run> runs) {
        return new HttpResult(c, depth, Status.MEASURED, info, runs, null);
    }

    static HttpResult skipped(HttpContender c, int depth, String reason) {
        return new HttpResult(c, depth, Status.SKIPPED, null, List.of(), reason);
    }

    static HttpResult failed(HttpContender c, int depth, String reason) {
        return new HttpResult(c, depth, Status.FAILED, null, List.of(), reason);
    }

    /** {@code plaintext} or {@code plaintext-pipelined-16}. */
    String mode(String path) {
        String base = path.substring(1);
        return depth == 1 ? base : base + "-pipelined-" + depth;
    }

    double median(ToDoubleFunction<Run> f) {
        return Stats.median(runs.stream().mapToDouble(f).toArray());
    }

    long errors() {
        return runs.stream().mapToLong(r -> r.wrk.socketErrors()).sum();
    }

    long non2xx() {
        return runs.stream().mapToLong(r -> r.wrk.non2xx()).sum();
    }

    boolean valid() {
        return status == Status.MEASURED && errors() == 0 && non2xx() == 0;
    }

    boolean saturated() {
        return status == Status.MEASURED && median(r -> r.cpu().serverBusyPct()) >= SATURATED_PCT;
    }

    String note() {
        List<String> notes = new ArrayList<>();
        switch (status) {
            case SKIPPED -> notes.add("skipped: " + reason);
            case FAILED -> notes.add("failed: " + reason);
            case MEASURED -> {
                if (!valid()) {
                    notes.add("INVALID: " + errors() + " socket error(s), " + non2xx() + " non-2xx response(s)");
                }
                double server = median(r -> r.cpu().serverBusyPct());
                if (Double.isNaN(server)) {
                    notes.add("no /proc: CPU not measured");
                } else if (!saturated()) {
                    notes.add(CpuUse.unsaturatedNote(server, median(r -> r.cpu().loadgenBusyPct()),
                            median(r -> r.cpu().serverCoreOtherPct()), "wrk", "raise --connections"));
                }
            }
        }
        return String.join("; ", notes);
    }

    Map<String, Object> toJson(String path, Map<String, Object> extra) {
        Map<String, Object> m = new LinkedHashMap<>();
        boolean has = status == Status.MEASURED;
        m.put("contender", contender.id());
        m.put("mode", mode(path));
        m.put("pipeline", depth);
        m.put("ops_per_sec", has ? Json.round(median(Run::requestsPerSec), 1) : null);
        m.put("p50_us", has ? Json.round(median(r -> r.wrk.p50()), 1) : null);
        m.put("p75_us", has ? Json.round(median(r -> r.wrk.p75()), 1) : null);
        m.put("p90_us", has ? Json.round(median(r -> r.wrk.p90()), 1) : null);
        m.put("p99_us", has ? Json.round(median(r -> r.wrk.p99()), 1) : null);
        m.put("cpu_us_per_op", has ? Json.round(median(Run::cpuUsPerRequest), 3) : null);
        m.put("runs", runs.size());
        m.put("cpu_user_us_per_op", has ? Json.round(median(r -> r.cpu().userUsPerOp(r.wrk().requests())), 3) : null);
        m.put("cpu_sys_us_per_op", has ? Json.round(median(r -> r.cpu().systemUsPerOp(r.wrk().requests())), 3) : null);
        m.put("server_busy_pct", has ? Json.round(median(r -> r.cpu().serverBusyPct()), 1) : null);
        m.put("loadgen_busy_pct", has ? Json.round(median(r -> r.cpu().loadgenBusyPct()), 1) : null);
        m.put("server_core_other_pct", has ? Json.round(median(r -> r.cpu().serverCoreOtherPct()), 1) : null);
        m.put("saturated", has ? saturated() : null);
        m.put("valid", status == Status.SKIPPED ? null : valid());
        m.put("errors", errors());
        m.put("non_2xx", non2xx());
        m.put("run_ops_per_sec", runs.stream().map(r -> (Object) Json.round(r.requestsPerSec(), 1)).toList());
        m.putAll(extra);
        m.put("server", serverInfo);
        m.put("skipped", status == Status.SKIPPED);
        m.put("note", note());
        return m;
    }
}
