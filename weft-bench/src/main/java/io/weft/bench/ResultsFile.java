package io.weft.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A results file: {@code {"benchmark": NAME, "machine": {...}, "params": {...},
 * "results": [{"contender": ..., ...}, ...]}}, every benchmark in the same shape so that one
 * tool can read them all.
 */
public record ResultsFile(String benchmark, Machine machine, Map<String, Object> params, List<Map<String, Object>> results) {

    public String toJson() {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("benchmark", benchmark);
        top.put("machine", machine.toJson());
        top.put("params", params);
        top.put("results", results);
        return Json.document(top);
    }

    /** Writes {@code DIR/BENCHMARK.json} and returns its path. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path p = dir.resolve(benchmark + ".json");
        Files.writeString(p, toJson());
        return p;
    }
}
