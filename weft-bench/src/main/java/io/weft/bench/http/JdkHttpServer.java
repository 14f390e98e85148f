package io.weft.bench.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The JDK's built-in {@code com.sun.net.httpserver}, its exchanges run on virtual threads. */
final class JdkHttpServer implements BenchHttpServer {

    private static final byte[] PLAINTEXT = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    private final HttpServer server;
    private final ExecutorService executor;

    private JdkHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    static BenchHttpServer start() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor();
        s.setExecutor(ex);
        s.createContext("/plaintext", e -> reply(e, "text/plain", PLAINTEXT));
        s.createContext("/json", e -> reply(e, "application/json",
                "{\"message\":\"Hello, World!\"}".getBytes(StandardCharsets.US_ASCII)));
        s.start();
        return new JdkHttpServer(s, ex);
    }

    private static void reply(HttpExchange e, String type, byte[] body) throws IOException {
        try (e) {
            e.getRequestBody().transferTo(OutputStream.nullOutputStream());
            e.getResponseHeaders().set("Content-Type", type);
            e.getResponseHeaders().set("Server", "jdk");
            e.sendResponseHeaders(200, body.length);
            e.getResponseBody().write(body);
        }
    }

    @Override
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public String info() {
        return "jdk.httpserver " + System.getProperty("java.version") + " virtual threads";
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
