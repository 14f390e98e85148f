package io.weft.bench.micro;

import io.weft.Runtime;
import io.weft.SchedulerMode;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs a benchmark body where it belongs: in a Weft task, or in a virtual thread on the
 * JDK's default scheduler. Every comparison runs both sides this way, so the hand-off from
 * JMH's thread costs the same and is spread over the body's batch.
 */
final class Drivers {
    private Drivers() {
    }

    static <T> T inWeftTask(Runtime rt, Callable<T> body) {
        return rt.spawn(body).join();
    }

    static <T> T inVirtualThread(Callable<T> body) throws InterruptedException, ExecutionException {
        FutureTask<T> f = new FutureTask<>(body);
        Thread.ofVirtual().start(f);
        return f.get();
    }

    /** Held so that the level set on it stays (the logging framework keeps loggers weakly). */
    private static final Logger WEFT_LOG = Logger.getLogger("io.weft");

    /**
     * The runtime every Weft benchmark uses: the defaults (a loop per core, like the JDK's
     * default scheduler has a carrier per core), stall warnings off so that a batch that
     * keeps a loop busy on purpose does not print into the results. The start-up line is
     * not logged (it would land in JMH's iteration output); a runtime that could not put
     * tasks on its own loops is reported instead, since it would measure the fallback mode.
     */
    static Runtime newRuntime() {
        WEFT_LOG.setLevel(Level.WARNING);
        Runtime rt = Runtime.builder().name("bench").stallThreshold(java.time.Duration.ZERO).build();
        if (rt.schedulerMode() != SchedulerMode.LOOPS) {
            System.err.println("warning: Weft tasks run on the JDK's default scheduler (" + rt.schedulerReason()
                    + "); these figures are not those of Weft's loops");
        }
        return rt;
    }
}
