package io.weft.ipc;

/** Ring calls for jcstress actors, which may not throw checked exceptions. */
final class Unchecked {
    private Unchecked() {
    }

    static long tryClaim(ShmRing ring, int type, int length) {
        try {
            return ring.tryClaim(type, length);
        } catch (RingCorruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static int read(ShmRing ring, RecordHandler handler, int limit) {
        try {
            return ring.read(handler, limit);
        } catch (RingCorruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
