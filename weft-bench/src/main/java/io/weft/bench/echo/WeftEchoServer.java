package io.weft.bench.echo;

import io.weft.Runtime;
import io.weft.Task;
import io.weft.Weft;
import io.weft.net.TcpListener;
import io.weft.net.TcpStream;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

/** Weft on one loop with the named backend: an accepting task, and a task per connection. */
final class WeftEchoServer implements EchoServer {

    private static final int BUFFER = 16 * 1024;

    private final Runtime runtime;
    private final int port;

    private WeftEchoServer(Runtime runtime, int port) {
        this.runtime = runtime;
        this.port = port;
    }

    static EchoServer start(String backend) throws Exception {
        Runtime rt = WeftRuntimes.oneLoop(backend, "echo-" + backend);
        CompletableFuture<Integer> bound = new CompletableFuture<>();
        Task<Void> acceptor = rt.spawn(() -> {
            try (TcpListener listener = TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                bound.complete(listener.localAddress().getPort());
                while (true) {
                    TcpStream conn = listener.accept();
                    Weft.spawn(() -> echo(conn));
                }
            } catch (Throwable t) {
                bound.completeExceptionally(t);
                throw t;
            }
        });
        try {
            return new WeftEchoServer(rt, bound.get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            acceptor.cancel();
            rt.shutdown(Duration.ZERO);
            throw e;
        }
    }

    private static void echo(TcpStream conn) throws IOException {
        try (conn) {
            conn.setNoDelay(true);
            ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
            while (conn.read(buf) >= 0) {
                buf.flip();
                conn.writeAll(buf);
                buf.clear();
            }
        } catch (CancellationException e) {
            // the runtime is shutting down
        } catch (IOException e) {
            if (!conn.isClosed()) {
                throw e;
            }
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String info() {
        return WeftRuntimes.describe(runtime);
    }

    @Override
    public void close() {
        runtime.shutdown(Duration.ZERO);
    }
}
