package io.weft.fs;

import java.time.Instant;

/**
 * What {@link AsyncFiles#stat} says about a file.
 *
 * @param size         the size in bytes
 * @param kind         regular file, directory, symbolic link (when not followed) or other
 * @param lastModified the time of the last change of the content
 */
public record FileStat(long size, Kind kind, Instant lastModified) {

    /** The kind of file. */
    public enum Kind {
        REGULAR_FILE, DIRECTORY, SYMBOLIC_LINK, OTHER
    }

    public boolean isRegularFile() {
        return kind == Kind.REGULAR_FILE;
    }

    public boolean isDirectory() {
        return kind == Kind.DIRECTORY;
    }

    public boolean isSymbolicLink() {
        return kind == Kind.SYMBOLIC_LINK;
    }
}
