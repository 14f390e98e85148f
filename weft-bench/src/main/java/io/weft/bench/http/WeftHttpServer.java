package io.weft.bench.http;

import io.weft.Runtime;
import io.weft.bench.echo.WeftRuntimes;
import io.weft.http.HttpServer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/** weft-http on one loop with the named backend, serving {@link HelloEndpoints}. */
final class WeftHttpServer implements BenchHttpServer {

    private final Runtime runtime;
    private final HttpServer server;

    private WeftHttpServer(Runtime runtime, HttpServer server) {
        this.runtime = runtime;
        this.server = server;
    }

    static BenchHttpServer start(String backend) throws Exception {
        Runtime rt = WeftRuntimes.oneLoop(backend, "http-" + backend);
        try {
            HttpServer s = HttpServer.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .handler(HelloEndpoints.router()).build().start(rt);
            return new WeftHttpServer(rt, s);
        } catch (Exception e) {
            rt.shutdown(Duration.ZERO);
            throw e;
        }
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public String info() {
        return WeftRuntimes.describe(runtime);
    }

    @Override
    public void close() {
        server.shutdown(Duration.ofSeconds(1));
        runtime.shutdown(Duration.ZERO);
    }
}
