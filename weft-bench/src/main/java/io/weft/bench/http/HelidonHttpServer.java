package io.weft.bench.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/** Helidon 4 SE's WebServer (a virtual thread per connection), routing as its guide shows. */
final class HelidonHttpServer implements BenchHttpServer {

    private static final byte[] PLAINTEXT = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    private final WebServer server;

    private HelidonHttpServer(WebServer server) {
        this.server = server;
    }

    static BenchHttpServer start() {
        WebServer s = WebServer.builder()
                .address(InetAddress.getLoopbackAddress())
                .port(0)
                .backlog(1024)
                .routing(r -> r
                        .get("/plaintext", (req, res) -> res.header(HeaderNames.CONTENT_TYPE, "text/plain")
                                .header(HeaderNames.SERVER, "helidon").send(PLAINTEXT))
                        .get("/json", (req, res) -> res.header(HeaderNames.CONTENT_TYPE, "application/json")
                                .header(HeaderNames.SERVER, "helidon")
                                .send("{\"message\":\"Hello, World!\"}".getBytes(StandardCharsets.US_ASCII))))
                .build()
                .start();
        return new HelidonHttpServer(s);
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public String info() {
        return "helidon=" + io.helidon.common.Version.VERSION;
    }

    @Override
    public void close() {
        server.stop();
    }
}
