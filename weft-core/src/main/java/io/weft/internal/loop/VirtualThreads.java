package io.weft.internal.loop;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Executor;

/**
 * Makes virtual threads whose scheduler is one of our loops, through the JDK's
 * non-public {@code ThreadBuilders$VirtualThreadBuilder(Executor)} constructor.
 *
 * <p>Reaching it needs {@code --add-opens java.base/java.lang=ALL-UNNAMED} (or
 * {@code =io.weft.core} on the module path). If it cannot be reached, {@link #reason()}
 * says why and the runtime falls back to the JDK's default scheduler.
 */
public final class VirtualThreads {
    private VirtualThreads() {
    }

    private static final MethodHandle BUILDER;
    private static final String REASON;

    static {
        MethodHandle mh = null;
        String reason = null;
        try {
            Class<?> c = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
            mh = lookup.findConstructor(c, MethodType.methodType(void.class, Executor.class))
                    .asType(MethodType.methodType(Thread.Builder.OfVirtual.class, Executor.class));
            // Prove it works before relying on it.
            Thread.Builder.OfVirtual probe = (Thread.Builder.OfVirtual) mh.invokeExact((Executor) Runnable::run);
            probe.unstarted(() -> { });
        } catch (IllegalAccessException e) {
            reason = "java.lang is not open to Weft (add --add-opens java.base/java.lang=ALL-UNNAMED): " + e.getMessage();
            mh = null;
        } catch (Throwable e) {
            reason = "this JDK has no custom virtual-thread scheduler hook: " + e;
            mh = null;
        }
        BUILDER = mh;
        REASON = reason;
    }

    /** True if virtual threads can be scheduled by our loops. */
    public static boolean customSchedulerAvailable() {
        return BUILDER != null;
    }

    /** Why {@link #customSchedulerAvailable()} is false, or null. */
    public static String reason() {
        return REASON;
    }

    /** A builder of virtual threads scheduled by {@code scheduler}. */
    public static Thread.Builder.OfVirtual builder(Executor scheduler) {
        if (BUILDER == null) {
            throw new IllegalStateException(REASON);
        }
        try {
            return (Thread.Builder.OfVirtual) BUILDER.invokeExact(scheduler);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot make a virtual thread builder", e);
        }
    }
}
