/**
 * Files from Weft tasks without stalling a loop: {@link io.weft.fs.AsyncFile} (positional
 * reads and writes, append, size, truncate, force) and {@link io.weft.fs.AsyncFiles}
 * (whole-file helpers, copy, directory operations).
 *
 * <p>A file read on a loop thread would stall every task of that loop, and the JDK does not
 * compensate for a blocked carrier of a custom scheduler. So on io_uring every call is a
 * native op the loop submits; on epoll and nio it runs on the blocking pool. Which one a
 * runtime uses is its backend's {@code NATIVE_FILE_IO} capability; the behaviour, the
 * exceptions and their messages are the same either way.
 */
package io.weft.fs;
