package io.weft.internal.loop;

import io.weft.internal.wait.Op;

/**
 * Lets other packages of this module wait for a task's end with an op of their own
 * ({@code io.weft.sync.Select} does, for its task cases) without making that a public
 * method of {@code io.weft.Task}. The JDK's SharedSecrets pattern: Task installs the
 * implementation from its static initializer, so anyone holding a Task finds it set.
 */
public final class TaskJoiners {
    private TaskJoiners() {
    }

    /** What {@code io.weft.Task} provides. */
    public interface Access {
        /**
         * Adds {@code op} to {@code task}'s joiners: it is completed with result 0 when the
         * task ends. Returns false, adding nothing, if the task has already ended.
         */
        boolean add(Object task, Op op);

        /** Removes {@code op} if it is still a joiner of {@code task}. */
        void remove(Object task, Op op);
    }

    private static volatile Access access;

    /** Called once, by Task's static initializer. */
    public static void install(Access a) {
        if (access != null) {
            throw new IllegalStateException("already installed");
        }
        access = a;
    }

    public static Access access() {
        Access a = access;
        if (a == null) {
            throw new IllegalStateException("io.weft.Task is not initialized");
        }
        return a;
    }
}
