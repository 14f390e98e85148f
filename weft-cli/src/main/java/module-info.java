/**
 * The {@code weft} command: the echo demo, the HTTP server and small harnesses on top of weft-core.
 *
 * <p>HdrHistogram has no module descriptor and no {@code Automatic-Module-Name}, so its
 * automatic module is named after its jar file, {@code HdrHistogram}. The launcher runs
 * this module from the class path, where the name does not matter; the descriptor keeps
 * the dependencies honest at compile time.
 */
module io.weft.cli {
    requires io.weft.core;
    requires io.weft.http;
    requires io.weft.pubsub;
    requires HdrHistogram;
    // the soak measures the heap after a full collection and passes its JVM flags on to its client JVM
    requires java.management;
}
