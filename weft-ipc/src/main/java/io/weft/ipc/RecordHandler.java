package io.weft.ipc;

import java.lang.foreign.MemorySegment;

/**
 * Receives records from {@link ShmRing#read}. The payload is {@code length} bytes of
 * {@code buffer} at {@code index}; it is valid only during the call (the slot is zeroed and
 * handed back to producers after the batch), so copy what must outlive it.
 */
@FunctionalInterface
public interface RecordHandler {

    void onRecord(int type, MemorySegment buffer, long index, int length);
}
