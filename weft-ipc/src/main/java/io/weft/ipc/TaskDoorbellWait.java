package io.weft.ipc;

import io.weft.Deadline;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * The notifying wait inside a Weft task: sleeps on the doorbell through a loop operation,
 * so the loop keeps running other tasks meanwhile.
 */
final class TaskDoorbellWait {

    private TaskDoorbellWait() {
    }

    static boolean await(BooleanSupplier ready, Doorbell bell, Deadline deadline) throws IOException {
        throw new UnsupportedOperationException("the notify wait strategy inside a Weft task is not implemented yet; use it on a dedicated thread");
    }
}
