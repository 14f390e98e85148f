package io.weft.bench.echo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The plain JDK: {@link ServerSocket}, blocking streams, a thread per connection; virtual
 * threads on the JDK's default scheduler, or platform threads.
 */
final class JdkEchoServer implements EchoServer {

    private static final int BUFFER = 16 * 1024;

    private final ServerSocket listener;
    private final boolean virtual;
    private final Thread.Builder threads;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private JdkEchoServer(ServerSocket listener, boolean virtual) {
        this.listener = listener;
        this.virtual = virtual;
        this.threads = virtual ? Thread.ofVirtual().name("echo-", 0) : Thread.ofPlatform().daemon(true).name("echo-", 0);
    }

    static EchoServer start(boolean virtual) throws IOException {
        ServerSocket ss = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        JdkEchoServer s = new JdkEchoServer(ss, virtual);
        s.threads.start(s::acceptLoop);
        return s;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket conn = listener.accept();
                conn.setTcpNoDelay(true);
                open.add(conn);
                threads.start(() -> echo(conn));
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    System.err.println("accept failed: " + e);
                }
            }
        }
    }

    private void echo(Socket conn) {
        try (conn) {
            InputStream in = conn.getInputStream();
            OutputStream out = conn.getOutputStream();
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            if (!listener.isClosed()) {
                System.err.println("connection failed: " + e);
            }
        } finally {
            open.remove(conn);
        }
    }

    @Override
    public int port() {
        return listener.getLocalPort();
    }

    @Override
    public String info() {
        return virtual ? "threads=virtual (default scheduler, parallelism "
                + System.getProperty("jdk.virtualThreadScheduler.parallelism",
                        Integer.toString(java.lang.Runtime.getRuntime().availableProcessors())) + ")"
                : "threads=platform";
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
