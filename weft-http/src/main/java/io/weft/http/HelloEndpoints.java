package io.weft.http;

import java.nio.charset.StandardCharsets;

/**
 * The two TechEmpower "Web Framework Benchmarks" endpoints that measure the server rather
 * than the application: {@code GET /plaintext} answers {@code Hello, World!} as
 * {@code text/plain}, {@code GET /json} answers {@code {"message":"Hello, World!"}} as
 * {@code application/json}, each with Server and Date. {@code ./weft serve http} serves
 * them, and {@code ./weft bench http} drives them with wrk.
 */
public final class HelloEndpoints {
    private HelloEndpoints() {
    }

    private static final byte[] PLAINTEXT = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    /** A router with the two endpoints. */
    public static Router router() {
        return new Router()
                .get("/plaintext", (req, res) -> res.contentType("text/plain").send(PLAINTEXT))
                .get("/json", (req, res) -> res.contentType("application/json").send(json("Hello, World!")));
    }

    /**
     * {@code {"message":"MESSAGE"}}, built for each request as the benchmark's rules ask
     * (no cached body); {@code message} must need no JSON escaping.
     */
    static byte[] json(String message) {
        byte[] out = new byte[14 + message.length()];
        int p = Ascii.putString(out, 0, "{\"message\":\"");
        p = Ascii.putString(out, p, message);
        out[p++] = '"';
        out[p] = '}';
        return out;
    }
}
