package io.weft.bench.http;

import io.weft.http.Router;

import java.nio.charset.StandardCharsets;

/**
 * The two TechEmpower "Web Framework Benchmarks" endpoints that measure the server rather
 * than the application, for weft-http: {@code GET /plaintext} answers {@code Hello, World!}
 * as {@code text/plain}, {@code GET /json} answers {@code {"message":"Hello, World!"}} as
 * {@code application/json}; weft-http adds Server and Date. {@code ./weft bench http}
 * drives them with wrk.
 */
final class HelloEndpoints {
    private HelloEndpoints() {
    }

    private static final byte[] PLAINTEXT = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    /** A router with the two endpoints. */
    static Router router() {
        return new Router()
                .get("/plaintext", (req, res) -> res.contentType("text/plain").send(PLAINTEXT))
                .get("/json", (req, res) -> res.contentType("application/json").send(json("Hello, World!")));
    }

    /**
     * {@code {"message":"MESSAGE"}}, built for each request as the benchmark's rules ask
     * (no cached body); {@code message} must need no JSON escaping.
     */
    static byte[] json(String message) {
        return ("{\"message\":\"" + message + "\"}").getBytes(StandardCharsets.US_ASCII);
    }
}
