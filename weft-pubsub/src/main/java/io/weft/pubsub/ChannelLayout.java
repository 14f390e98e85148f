package io.weft.pubsub;

/**
 * Where everything lives in a channel's shared memory. A channel is one control memfd
 * (header, subscriber table, publisher table, slot table) and one or more data memfds
 * (buffers), each holding one payload area per slot; a resize adds a buffer with larger
 * payload areas, and each slot says which buffer its current message is in.
 */
/*
 * Overview
 *
 * Control memfd:
 *   header        HEADER_LENGTH bytes: magic, version, slot count, tail (the ordinal of the
 *                 newest published message, 0 before any), the publish lock, the masks of
 *                 active subscriber and publisher entries (written by the server only)
 *   subscribers   MAX_SUBSCRIBERS entries: kind (written by the server), cursor (the next
 *                 ordinal the subscriber wants), dropped count, the subscriber's doorbell
 *   publishers    MAX_PUBLISHERS entries: kind, the publisher's doorbell
 *   slots         slot count entries of SLOT_LENGTH bytes:
 *     ctl         ordinal << 16 | owner << 8 | state (one 64-bit word, changed by CAS)
 *     holders     bit i set while subscriber entry i holds the message (or is taking it)
 *     length, buffer, timestamp, checksum, flags: written by the publisher while it owns
 *                 the slot, read by subscribers only after they hold it
 *
 * Slot states: FREE (never used or reclaimed), CLAIMED (a publisher writes it; owner is its
 * publisher entry), CLAIMING (a publisher is taking a published slot and checks that no
 * subscriber holds it), PUBLISHED (ordinal is readable). A subscriber takes a message by
 * setting its bit in holders, then checking that ctl still says PUBLISHED with the ordinal
 * it wants; a publisher takes a slot by moving ctl to CLAIMING, then checking that holders
 * is 0. Both steps are sequentially consistent atomics, so at least one side sees the other
 * and backs off: a message is never overwritten while held, and a crashed subscriber's
 * holds are exactly its bits, which the server clears.
 */
final class ChannelLayout {

    static final long MAGIC = 0x5746_5053_4348_4e31L; // "WFPSCHN1"
    static final int VERSION = 1;

    static final int MAX_SUBSCRIBERS = 64;
    static final int MAX_PUBLISHERS = 64;
    static final int MAX_SLOTS = 4096;
    static final int MAX_SLOT_SIZE = 64 << 20;
    static final int MAX_METADATA = 4096;
    static final int MAX_BUFFERS = 16;

    // header
    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = 8;
    static final long SLOT_COUNT_OFFSET = 12;
    static final long TAIL_OFFSET = 64;
    static final long LOCK_OFFSET = 128;
    static final long SUB_MASK_OFFSET = 192;
    static final long PUB_MASK_OFFSET = 200;
    static final long HEADER_LENGTH = 256;

    // subscriber entries
    static final long SUBS_OFFSET = HEADER_LENGTH;
    static final int SUB_LENGTH = 64;
    static final long SUB_KIND = 0;
    static final long SUB_CURSOR = 8;
    static final long SUB_DROPPED = 16;
    static final long SUB_BELL = 32;

    // publisher entries
    static final long PUBS_OFFSET = SUBS_OFFSET + (long) MAX_SUBSCRIBERS * SUB_LENGTH;
    static final int PUB_LENGTH = 64;
    static final long PUB_KIND = 0;
    static final long PUB_BELL = 32;

    /** Entry kinds. */
    static final int KIND_FREE = 0;
    static final int KIND_RELIABLE = 1;
    static final int KIND_UNRELIABLE = 2;

    // slot entries
    static final long SLOTS_OFFSET = PUBS_OFFSET + (long) MAX_PUBLISHERS * PUB_LENGTH;
    static final int SLOT_LENGTH = 64;
    static final long SLOT_CTL = 0;
    static final long SLOT_HOLDERS = 8;
    static final long SLOT_LENGTH_FIELD = 16;
    static final long SLOT_BUFFER = 20;
    static final long SLOT_TIMESTAMP = 24;
    static final long SLOT_CHECKSUM = 32;
    static final long SLOT_FLAGS = 36;

    /** Slot states (ctl's low byte). */
    static final int FREE = 0;
    static final int CLAIMED = 1;
    static final int CLAIMING = 2;
    static final int PUBLISHED = 3;

    /** Message flags. */
    static final int FLAG_ACTIVATION = 1;
    static final int FLAG_CHECKSUM = 2;

    static final long ORDINAL_LIMIT = 1L << 48;

    private ChannelLayout() {
    }

    static long controlSize(int slotCount) {
        return roundToPage(SLOTS_OFFSET + (long) slotCount * SLOT_LENGTH);
    }

    /** Bytes between two slots' payloads in a buffer of {@code slotSize}-byte slots. */
    static long stride(int slotSize, int metadataLength) {
        return (slotSize + (long) metadataLength + 63) & ~63L;
    }

    static long bufferSize(int slotCount, int slotSize, int metadataLength) {
        return roundToPage(stride(slotSize, metadataLength) * slotCount);
    }

    static long roundToPage(long n) {
        return (n + 4095) & ~4095L;
    }

    static long ctl(long ordinal, int owner, int state) {
        return ordinal << 16 | (long) (owner & 0xff) << 8 | state;
    }

    static long ordinal(long ctl) {
        return ctl >>> 16;
    }

    static int owner(long ctl) {
        return (int) (ctl >>> 8) & 0xff;
    }

    static int state(long ctl) {
        return (int) ctl & 0xff;
    }

    static long slotOffset(int slot) {
        return SLOTS_OFFSET + (long) slot * SLOT_LENGTH;
    }

    static long subOffset(int index) {
        return SUBS_OFFSET + (long) index * SUB_LENGTH;
    }

    static long pubOffset(int index) {
        return PUBS_OFFSET + (long) index * PUB_LENGTH;
    }
}
