package io.weft;

/** Which threads run tasks. */
public enum SchedulerMode {
    /** Tasks are virtual threads scheduled by Weft's own loops: I/O completes and resumes tasks on one thread. */
    LOOPS,
    /**
     * Tasks are virtual threads on the JDK's default scheduler; the loops only drive I/O
     * and timers and unpark tasks from there. Used when the JDK's scheduler hook cannot be
     * reached (see {@link Runtime#schedulerReason()}), or when asked for with
     * {@code -Dweft.scheduler=default}.
     */
    DEFAULT
}
