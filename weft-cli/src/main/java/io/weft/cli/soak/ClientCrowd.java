package io.weft.cli.soak;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many client connections at once, one virtual thread each: all connect first (a few
 * hundred at a time, so the burst stays within the server's accept backlog), then, once
 * every connect has been tried, all start their work together.
 */
final class ClientCrowd {
    private ClientCrowd() {
    }

    /** Connects in flight at once. */
    static final int CONNECTING = 256;

    /** What each connection does once all have connected; {@code c} is null if its connect failed. */
    interface Work {
        void run(int id, ClientConnection c) throws Exception;
    }

    /** Called once every connect has been tried, before any work starts. */
    interface OnConnected {
        void connected(int count);
    }

    /**
     * Runs {@code n} connections to {@code port} and waits until their work has ended or
     * {@code limit} has passed; connections still running then are interrupted and
     * counted in {@code errors} as {@code stuck}.
     */
    static void run(int n, int port, int readTimeoutMillis, Work work, OnConnected onConnected, ErrorTally errors, Duration limit)
            throws InterruptedException {
        Semaphore connecting = new Semaphore(CONNECTING);
        CountDownLatch tried = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger connected = new AtomicInteger();
        List<Thread> threads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int id = i;
            threads.add(Thread.ofVirtual().name("soak-client-" + id).start(() -> {
                ClientConnection c = null;
                try {
                    connecting.acquire();
                    try {
                        c = ClientConnection.open(port, readTimeoutMillis);
                        connected.incrementAndGet();
                    } finally {
                        connecting.release();
                    }
                } catch (IOException e) {
                    errors.add("connect", e.toString());
                } catch (InterruptedException e) {
                    return;
                } finally {
                    tried.countDown();
                }
                try {
                    go.await();
                    work.run(id, c);
                } catch (InterruptedException e) {
                    // stopped by the limit below, which counts it
                } catch (Exception | Error e) {
                    errors.add("client " + e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
                } finally {
                    closeQuietly(c);
                }
            }));
        }
        long end = System.nanoTime() + limit.toNanos();
        if (!tried.await(limit.toNanos(), TimeUnit.NANOSECONDS)) {
            errors.add("stuck", tried.getCount() + " connects still pending after " + limit.toSeconds() + " s");
        }
        onConnected.connected(connected.get());
        go.countDown();
        for (Thread t : threads) {
            long left = end - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                errors.add("stuck", t.getName() + " still running after " + limit.toSeconds() + " s");
                t.interrupt();
            }
        }
    }

    static void closeQuietly(ClientConnection c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // closing a socket that is already broken: nothing left to do
            }
        }
    }
}
