package io.weft.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonTest {

    @Test
    void resultsFileHasTheAgreedShapeAndLayout() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("connections", 64);
        params.put("seconds", 10.0);
        Map<String, Object> r1 = new LinkedHashMap<>();
        r1.put("contender", "weft-io_uring");
        r1.put("ops_per_sec", 0);
        r1.put("p50_us", 0);
        r1.put("p99_us", 0);
        r1.put("p999_us", 0);
        r1.put("cpu_us_per_op", 0);
        r1.put("runs", 3);
        Map<String, Object> r2 = new LinkedHashMap<>();
        r2.put("contender", "netty-epoll");
        r2.put("ops_per_sec", 123456.7);
        r2.put("p50_us", 48.5);
        r2.put("p99_us", null);
        r2.put("p999_us", Double.NaN);
        r2.put("cpu_us_per_op", 2.125);
        r2.put("runs", 3);
        r2.put("saturated", true);
        Machine m = new Machine(2, "6.8.0-test", "25+36 (Test)", "some cpu");

        String json = new ResultsFile("echo", m, params, List.of(r1, r2)).toJson();

        assertEquals("""
                {
                  "benchmark": "echo",
                  "machine": {"cpus": 2, "kernel": "6.8.0-test", "jdk": "25+36 (Test)"},
                  "params": {"connections": 64, "seconds": 10},
                  "results": [
                    {"contender": "weft-io_uring", "ops_per_sec": 0, "p50_us": 0, "p99_us": 0, "p999_us": 0, "cpu_us_per_op": 0, "runs": 3},
                    {"contender": "netty-epoll", "ops_per_sec": 123456.7, "p50_us": 48.5, "p99_us": null, "p999_us": null, "cpu_us_per_op": 2.125, "runs": 3, "saturated": true}
                  ]
                }
                """, json);
    }

    @Test
    void emptyResultsAreAnEmptyList() {
        String json = new ResultsFile("micro", new Machine(1, "k", "j", "c"), Map.of(), List.of()).toJson();
        assertEquals("""
                {
                  "benchmark": "micro",
                  "machine": {"cpus": 1, "kernel": "k", "jdk": "j"},
                  "params": {},
                  "results": []
                }
                """, json);
    }

    @Test
    void stringsAreEscaped() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001\"", Json.inline("a\"b\\c\nd\u0001"));
    }

    @Test
    void numbersAreWrittenPlainly() {
        assertEquals("[1, 2.5, 0.001, 1234567, -3, null, null, true]",
                Json.inline(List.of(1, 2.5, 0.001, 1234567.0, -3L, Double.POSITIVE_INFINITY, Double.NaN, true)));
        assertEquals("[1.0E-7]".replace("1.0E-7", "0.0000001"), Json.inline(List.of(1e-7)));
    }

    @Test
    void roundingIsHalfUpAndKeepsNonFiniteValues() {
        assertEquals(2.13, Json.round(2.125, 2));
        assertEquals(48.5, Json.round(48.46, 1));
        assertEquals(Double.NaN, Json.round(Double.NaN, 1));
    }

    @Test
    void unknownTypesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Json.inline(new Object()));
    }
}
