package io.weft.bench.accept;

import io.weft.Runtime;
import io.weft.Task;
import io.weft.Weft;
import io.weft.net.TcpListener;
import io.weft.net.TcpStream;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Connections accepted per second, and how evenly they spread over the loops, for each
 * {@link TcpListener.Spread} and for a plain accept loop that starts each connection with
 * {@code Weft.spawn} (on the acceptor's own loop; "spawn"): blocking clients on platform threads in this JVM connect,
 * read the one byte the server's connection task writes, wait for the server's close, and
 * connect again.
 *
 * <pre>
 * java -cp weft-bench/target/weft-bench.jar:weft-bench/target/lib/* io.weft.bench.accept.AcceptSpreadBench \
 *     [--backend io_uring|epoll|nio] [--spread reuse_port|hand_off|spawn] [--loops 2] [--clients 8] [--work-us 0] [--seconds 5] [--warmup 1]
 * </pre>
 */
public final class AcceptSpreadBench {
    private AcceptSpreadBench() {
    }

    public static void main(String[] args) throws Exception {
        String backend = "auto";
        int loops = 2;
        int clients = 8;
        double seconds = 5;
        double warmup = 1;
        long workNanos = 0;
        List<String> spreads = List.of("reuse_port", "hand_off", "spawn");
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--backend" -> backend = v;
                case "--loops" -> loops = Integer.parseInt(v);
                case "--clients" -> clients = Integer.parseInt(v);
                case "--seconds" -> seconds = Double.parseDouble(v);
                case "--warmup" -> warmup = Double.parseDouble(v);
                case "--spread" -> spreads = List.of(v);
                case "--work-us" -> workNanos = Long.parseLong(v) * 1000;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        System.out.printf(Locale.ROOT, "backend %s, %d loops, %d clients, %d µs of CPU per connection, %.1f s each"
                + " (after %.1f s warm-up)%n", backend, loops, clients, workNanos / 1000, seconds, warmup);
        for (String spread : spreads) {
            run(backend, loops, clients, spread, workNanos, warmup, seconds);
        }
    }

    private static void run(String backend, int loops, int clients, String spread, long workNanos, double warmup,
                            double seconds) throws Exception {
        AtomicLongArray perLoop = new AtomicLongArray(loops);
        try (Runtime rt = Runtime.builder().loops(loops).backend(backend).build()) {
            CompletableFuture<TcpListener> bound = new CompletableFuture<>();
            Task<Void> server = rt.spawn(() -> {
                boolean spawn = spread.equals("spawn");
                TcpListener l = TcpListener.builder()
                        .spread(spawn ? TcpListener.Spread.HAND_OFF : TcpListener.Spread.valueOf(spread.toUpperCase(Locale.ROOT)))
                        .bind(new InetSocketAddress("127.0.0.1", 0));
                bound.complete(l);
                TcpListener.ConnectionHandler handler = conn -> {
                    perLoop.incrementAndGet(Task.current().loopIndex());
                    for (long until = System.nanoTime() + workNanos; System.nanoTime() - until < 0; ) {
                        Thread.onSpinWait(); // the connection's own CPU work, on its loop
                    }
                    conn.writeAll(new byte[]{1}, 0, 1, io.weft.Deadline.after(Duration.ofSeconds(10)));
                };
                if (!spawn) {
                    l.serve(handler);
                    return;
                }
                // The plain accept loop: Weft.spawn starts each connection on the acceptor's loop.
                while (true) {
                    TcpStream conn;
                    try {
                        conn = l.accept();
                    } catch (java.net.SocketException closed) {
                        return;
                    }
                    Weft.spawn(() -> {
                        try (conn) {
                            handler.handle(conn);
                        }
                    });
                }
            });
            TcpListener listener = bound.get(10, TimeUnit.SECONDS);
            InetSocketAddress address = listener.localAddress();
            LongAdder done = new LongAdder();
            LongAdder failed = new LongAdder();
            long end = System.nanoTime() + (long) ((warmup + seconds) * 1e9);
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    while (System.nanoTime() - end < 0) {
                        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
                            s.setSoTimeout(10_000);
                            InputStream in = s.getInputStream();
                            if (in.read() != 1 || in.read() != -1) {
                                failed.increment();
                            } else {
                                done.increment();
                            }
                        } catch (IOException e) {
                            failed.increment();
                        }
                    }
                }));
            }
            Thread.sleep((long) (warmup * 1000));
            long done0 = done.sum();
            long[] loop0 = snapshot(perLoop);
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long elapsed = System.nanoTime() - t0;
            long measured = done.sum() - done0;
            long[] loop1 = snapshot(perLoop);
            for (Thread t : threads) {
                t.join();
            }
            listener.close();
            server.join(Duration.ofSeconds(10));
            StringBuilder shares = new StringBuilder();
            long total = 0;
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < loops; i++) {
                long n = loop1[i] - loop0[i];
                total += n;
                min = Math.min(min, n);
                max = Math.max(max, n);
            }
            for (int i = 0; i < loops; i++) {
                shares.append(String.format(Locale.ROOT, " loop%d=%.1f%%", i, 100.0 * (loop1[i] - loop0[i]) / Math.max(1, total)));
            }
            System.out.printf(Locale.ROOT, "%-10s %-8s %9.0f conn/s  max/min %.2f %s  failed %d%n", spread, rt.backend(),
                    measured / (elapsed / 1e9), min == 0 ? Double.POSITIVE_INFINITY : (double) max / min, shares,
                    failed.sum());
        }
    }

    private static long[] snapshot(AtomicLongArray a) {
        long[] out = new long[a.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i);
        }
        return out;
    }
}
