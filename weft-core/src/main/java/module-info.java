/**
 * Weft core: tasks on per-core event loops, timers, cancellation, the backends and TCP.
 */
module io.weft.core {
    exports io.weft;
    exports io.weft.net;
    exports io.weft.sync;
}
