package io.weft.http;

import io.weft.Runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/** A runtime and a server on 127.0.0.1, port 0, for one test; closing stops both. */
final class ServerFixture implements AutoCloseable {

    /**
     * A router whose {@code GET /flood} writes 256 MiB, far more than socket buffers hold,
     * so a client that reads slowly or not at all keeps its write waiting. {@code handlerSaw}
     * completes with the handler's write failure, or null if it wrote everything.
     */
    static Router floodRouter(CompletableFuture<Throwable> handlerSaw) {
        return new Router().get("/flood", (req, res) -> {
            byte[] block = new byte[64 * 1024];
            try (OutputStream out = res.outputStream()) {
                for (int i = 0; i < 4096; i++) {
                    out.write(block);
                }
            } catch (IOException e) {
                handlerSaw.complete(e);
                throw e;
            }
            handlerSaw.complete(null);
        });
    }


    final Runtime runtime;
    final HttpServer server;

    ServerFixture(String backend, Handler handler, UnaryOperator<HttpServer.Builder> options) throws Exception {
        Runtime rt = null;
        try {
            rt = Runtime.builder().backend(backend).loops(1).name("http-test").build();
        } catch (UnsupportedOperationException e) {
            org.junit.jupiter.api.Assumptions.abort("backend " + backend + " is unavailable here: " + e.getMessage());
        }
        runtime = rt;
        try {
            server = options.apply(HttpServer.builder().address("127.0.0.1", 0).handler(handler)).build().start(runtime);
        } catch (Exception e) {
            runtime.shutdown(Duration.ZERO);
            throw e;
        }
    }

    ServerFixture(Handler handler) throws Exception {
        this("auto", handler, b -> b);
    }

    ServerFixture(Handler handler, UnaryOperator<HttpServer.Builder> options) throws Exception {
        this("auto", handler, options);
    }

    InetSocketAddress address() {
        return server.localAddress();
    }

    RawClient client() throws java.io.IOException {
        return new RawClient(address());
    }

    @Override
    public void close() {
        server.shutdown(Duration.ofSeconds(2));
        runtime.shutdown(Duration.ofSeconds(1));
    }
}
