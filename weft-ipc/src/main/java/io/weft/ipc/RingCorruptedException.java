package io.weft.ipc;

import java.io.IOException;

/**
 * A ring file's header or a record in it is not what this build wrote: wrong magic or
 * version, a capacity that does not match the file, positions that cannot be, or a record
 * length out of range. Nothing is read past the mapping when this is thrown.
 */
public class RingCorruptedException extends IOException {

    public RingCorruptedException(String message) {
        super(message);
    }
}
