package io.weft.cli.soak;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One scenario on one backend: its figures, in the order they go to the results file, and the checks that failed. */
final class Outcome {

    final String scenario;
    final String backend;
    private final Map<String, Object> fields = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private String skipped;

    Outcome(String scenario, String backend) {
        this.scenario = scenario;
        this.backend = backend;
    }

    Outcome put(String name, Object value) {
        fields.put(name, value);
        return this;
    }

    Object get(String name) {
        return fields.get(name);
    }

    /** Records a failed check unless {@code ok}. */
    void check(boolean ok, String failure) {
        if (!ok) {
            failures.add(failure);
        }
    }

    void fail(String failure) {
        failures.add(failure);
    }

    void skip(String reason) {
        this.skipped = reason;
    }

    boolean skipped() {
        return skipped != null;
    }

    boolean ok() {
        return failures.isEmpty();
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("scenario", scenario);
        out.put("backend", backend);
        if (skipped != null) {
            out.put("skipped", skipped);
            return out;
        }
        out.put("ok", ok());
        out.put("failures", failures);
        out.putAll(fields);
        return out;
    }
}
