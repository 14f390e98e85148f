package io.weft.pubsub;

import io.weft.ipc.WaitStrategy;

/**
 * How a publisher wants its channel, and how it behaves. The first publisher or subscriber
 * of a channel creates it with its settings; later ones must agree on the type, the
 * metadata length and fixed size, or the server refuses them and says which setting
 * differs. A publisher asking for larger slots than the channel has makes it grow, unless
 * it is fixed-size.
 *
 * @param slotSize       payload bytes per slot (1 to 64 MiB)
 * @param slotCount      slots in the channel (2 to 4096); 0 takes the channel's
 * @param reliable       never overwrite what a reliable subscriber has not read; claim waits for that
 * @param type           the channel's message type, "" for none; every client must give the same
 * @param metadataLength user metadata bytes per message (0 to 4096), the same for every client
 * @param fixedSize      the channel never grows
 * @param maxPublishers  cap on publishers at once (1 to 64), set by the channel's creator
 * @param maxSubscribers cap on subscribers at once (1 to 64), set by the channel's creator
 * @param checksum       store a CRC32C of each message, for subscribers that verify it
 * @param waitStrategy   how {@link Publisher#claim} waits for a free slot
 */
public record PublisherOptions(int slotSize, int slotCount, boolean reliable, String type, int metadataLength, boolean fixedSize,
                               int maxPublishers, int maxSubscribers, boolean checksum, WaitStrategy waitStrategy) {

    public PublisherOptions {
        if (slotSize < 1 || slotSize > ChannelLayout.MAX_SLOT_SIZE) {
            throw new IllegalArgumentException("slotSize must be 1 to " + ChannelLayout.MAX_SLOT_SIZE + ": " + slotSize);
        }
        if (slotCount != 0 && (slotCount < 2 || slotCount > ChannelLayout.MAX_SLOTS)) {
            throw new IllegalArgumentException("slotCount must be 0 (the channel's) or 2 to " + ChannelLayout.MAX_SLOTS + ": " + slotCount);
        }
        if (metadataLength < 0 || metadataLength > ChannelLayout.MAX_METADATA) {
            throw new IllegalArgumentException("metadataLength must be 0 to " + ChannelLayout.MAX_METADATA + ": " + metadataLength);
        }
        if (maxPublishers < 1 || maxPublishers > ChannelLayout.MAX_PUBLISHERS || maxSubscribers < 1 || maxSubscribers > ChannelLayout.MAX_SUBSCRIBERS) {
            throw new IllegalArgumentException("maxPublishers and maxSubscribers must be 1 to 64: " + maxPublishers + ", " + maxSubscribers);
        }
        if (type == null || waitStrategy == null) {
            throw new NullPointerException("type and waitStrategy");
        }
    }

    /** 4 KiB slots, 16 of them, unreliable, no type, no metadata, notifying waits. */
    public static PublisherOptions defaults() {
        return new PublisherOptions(4096, 16, false, "", 0, false, 64, 64, false, WaitStrategy.notifying());
    }

    /** These options, with {@code slotCount} slots of {@code slotSize} bytes. */
    public PublisherOptions withSlots(int slotSize, int slotCount) {
        return new PublisherOptions(slotSize, slotCount, reliable, type, metadataLength, fixedSize, maxPublishers, maxSubscribers, checksum, waitStrategy);
    }

    /** These options, reliable or not. */
    public PublisherOptions withReliable(boolean reliable) {
        return new PublisherOptions(slotSize, slotCount, reliable, type, metadataLength, fixedSize, maxPublishers, maxSubscribers, checksum, waitStrategy);
    }

    /** These options, with the channel type {@code type}. */
    public PublisherOptions withType(String type) {
        return new PublisherOptions(slotSize, slotCount, reliable, type, metadataLength, fixedSize, maxPublishers, maxSubscribers, checksum, waitStrategy);
    }

    /** These options, with {@code metadataLength} metadata bytes per message. */
    public PublisherOptions withMetadataLength(int metadataLength) {
        return new PublisherOptions(slotSize, slotCount, reliable, type, metadataLength, fixedSize, maxPublishers, maxSubscribers, checksum, waitStrategy);
    }

    /** These options, fixed-size (the channel never grows) or not. */
    public PublisherOptions withFixedSize(boolean fixedSize) {
        return new PublisherOptions(slotSize, slotCount, reliable, type, metadataLength, fixedSize, maxPublishers, maxSubscribers, checksum, waitStrategy);
    }

    /** These options, with caps on publishers and subscribers at once. */
    public PublisherOptions withCaps(int maxPublishers, int maxSubscribers) {
        return new PublisherOptions(slotSize, slotCount, reliable, type, metadataLength, fixedSize, maxPublishers, maxSubscribers, checksum, waitStrategy);
    }

    /** These options, with a CRC32C stored with each message, or not. */
    public PublisherOptions withChecksum(boolean checksum) {
        return new PublisherOptions(slotSize, slotCount, reliable, type, metadataLength, fixedSize, maxPublishers, maxSubscribers, checksum, waitStrategy);
    }

    /** These options, waiting with {@code waitStrategy}. */
    public PublisherOptions withWaitStrategy(WaitStrategy waitStrategy) {
        return new PublisherOptions(slotSize, slotCount, reliable, type, metadataLength, fixedSize, maxPublishers, maxSubscribers, checksum, waitStrategy);
    }
}
