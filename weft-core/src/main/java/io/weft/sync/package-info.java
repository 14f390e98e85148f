/**
 * Channels, select and synchronization primitives for Weft tasks.
 */
package io.weft.sync;
