package io.weft.cli.examples;

import io.weft.Runtime;
import io.weft.http.HttpServer;
import io.weft.http.Router;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

public final class HttpServerExample {
    public static void main(String[] args) throws Exception {
        Router router = new Router()
                .get("/hello/{name}", (req, res) ->
                        res.contentType("text/plain").send("Hello, " + req.pathParam("name") + "!\n"))
                .post("/upload", (req, res) -> {
                    long bytes = req.body().transferTo(OutputStream.nullOutputStream()); // streamed, blocking style
                    res.send("received " + bytes + " bytes\n");
                })
                .get("/count/{n}", (req, res) -> {
                    try (OutputStream out = res.contentType("text/plain").outputStream()) { // chunked
                        for (int i = 1; i <= Integer.parseInt(req.pathParam("n")); i++) {
                            out.write((i + "\n").getBytes(StandardCharsets.UTF_8));
                        }
                    }
                });
        try (Runtime rt = Runtime.builder().build()) {
            HttpServer server = HttpServer.builder()
                    .address("127.0.0.1", 8080)
                    .handler(router)
                    .readTimeout(Duration.ofSeconds(10))   // a request's head, and each body read
                    .maxBodySize(64 << 20)                 // 413 beyond 64 MiB
                    .build()
                    .start(rt);
            System.out.println("listening on " + server.localAddress());
            CountDownLatch stop = new CountDownLatch(1);
            java.lang.Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.shutdown(Duration.ofSeconds(5)); // finish requests in flight, then close
                stop.countDown();
            }));
            stop.await();
        }
    }
}
