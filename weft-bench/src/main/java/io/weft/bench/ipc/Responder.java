package io.weft.bench.ipc;

import io.weft.bench.echo.ChildServer;

/**
 * The responder's end of one contender, in the child JVM: a platform thread that echoes
 * each request back unchanged until {@link #close()}. A subclass opens its channels in its
 * constructor (so that they exist before the child reports that it is ready), echoes in
 * {@link #serve()} while {@link #running()}, and releases them in {@link #release()}.
 */
abstract class Responder implements ChildServer {

    /** Cleared once by close(); the serving thread reads it between messages. */
    private volatile boolean running = true;
    private Thread thread;

    /** Starts the serving thread; call once the channels are open. */
    final Responder start(String name) {
        thread = Thread.ofPlatform().name("ipc-responder-" + name).start(() -> {
            try {
                serve();
            } catch (Throwable t) {
                if (running) {
                    // to the log the harness keeps; the requester, left without responses, fails and shows its end
                    System.err.println("the " + name + " responder stopped:");
                    t.printStackTrace();
                }
            }
        });
        return this;
    }

    /** Echoes requests until {@link #running()} turns false or the channel ends. */
    abstract void serve() throws Exception;

    /**
     * Closes what the constructor opened. Called once {@link #serve()} has returned, or when
     * it has not within a second of {@link #close()} (a blocking read that only closing ends).
     */
    abstract void release() throws Exception;

    final boolean running() {
        return running;
    }

    @Override
    public int port() {
        return 0;
    }

    @Override
    public String info() {
        return "";
    }

    /**
     * Stops the serving thread, then releases the channels. A spinning serve() sees the flag
     * and returns before anything is unmapped under it; one blocked in a read is ended by
     * the release.
     */
    @Override
    public final void close() throws Exception {
        running = false;
        if (thread != null) {
            thread.join(1_000);
        }
        try {
            release();
        } finally {
            if (thread != null) {
                thread.join(5_000);
            }
        }
    }
}
