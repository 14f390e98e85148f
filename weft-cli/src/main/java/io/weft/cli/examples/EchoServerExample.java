package io.weft.cli.examples;

import io.weft.Deadline;
import io.weft.Weft;
import io.weft.net.TcpListener;
import io.weft.net.TcpStream;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;

public final class EchoServerExample {
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 7007;
        Weft.run(() -> {
            try (TcpListener listener = TcpListener.bind("127.0.0.1", port)) {
                System.out.println("echoing on " + listener.localAddress());
                while (true) {
                    TcpStream conn = listener.accept();
                    Weft.spawn(() -> echo(conn)); // one task per connection
                }
            }
        });
    }

    static void echo(TcpStream conn) throws IOException {
        try (conn) {
            conn.setReadTimeout(Duration.ofSeconds(30)); // drop a client silent for 30 s
            byte[] buf = new byte[8192];
            for (int n; (n = conn.read(buf)) > 0; ) {
                // ... or one that has not taken its echo within 5 s
                conn.writeAll(buf, 0, n, Deadline.after(Duration.ofSeconds(5)));
            }
        } catch (SocketTimeoutException e) {
            System.out.println("dropped " + conn.remoteAddress() + ": " + e.getMessage());
        }
    }
}
