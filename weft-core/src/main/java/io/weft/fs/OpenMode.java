package io.weft.fs;

import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Set;

/**
 * The open options of an {@link AsyncFile}, checked as {@link java.nio.channels.FileChannel#open}
 * checks them: READ when none of READ, WRITE, APPEND is given; APPEND implies WRITE and
 * excludes READ and TRUNCATE_EXISTING; CREATE, CREATE_NEW and TRUNCATE_EXISTING count only
 * for a file opened for writing.
 */
record OpenMode(boolean read, boolean write, boolean append, boolean create, boolean createNew,
                boolean truncate, boolean dsync, boolean sync) {

    static OpenMode of(Set<? extends OpenOption> options) {
        EnumSet<StandardOpenOption> o = EnumSet.noneOf(StandardOpenOption.class);
        for (OpenOption opt : options) {
            if (!(opt instanceof StandardOpenOption s) || s == StandardOpenOption.DELETE_ON_CLOSE
                    || s == StandardOpenOption.SPARSE) {
                throw new UnsupportedOperationException("AsyncFile does not support the open option " + opt);
            }
            o.add(s);
        }
        boolean append = o.contains(StandardOpenOption.APPEND);
        boolean write = append || o.contains(StandardOpenOption.WRITE);
        boolean read = o.contains(StandardOpenOption.READ) || !write;
        if (append && o.contains(StandardOpenOption.READ)) {
            throw new IllegalArgumentException("READ + APPEND not allowed");
        }
        if (append && o.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
            throw new IllegalArgumentException("APPEND + TRUNCATE_EXISTING not allowed");
        }
        return new OpenMode(read, write, append,
                write && o.contains(StandardOpenOption.CREATE),
                write && o.contains(StandardOpenOption.CREATE_NEW),
                write && o.contains(StandardOpenOption.TRUNCATE_EXISTING),
                o.contains(StandardOpenOption.DSYNC), o.contains(StandardOpenOption.SYNC));
    }

    /** The same mode as java.nio options, for the blocking-pool driver. */
    Set<StandardOpenOption> toOptions() {
        EnumSet<StandardOpenOption> o = EnumSet.noneOf(StandardOpenOption.class);
        if (read) {
            o.add(StandardOpenOption.READ);
        }
        if (write) {
            o.add(append ? StandardOpenOption.APPEND : StandardOpenOption.WRITE);
        }
        if (create) {
            o.add(StandardOpenOption.CREATE);
        }
        if (createNew) {
            o.add(StandardOpenOption.CREATE_NEW);
        }
        if (truncate) {
            o.add(StandardOpenOption.TRUNCATE_EXISTING);
        }
        if (dsync) {
            o.add(StandardOpenOption.DSYNC);
        }
        if (sync) {
            o.add(StandardOpenOption.SYNC);
        }
        return o;
    }

    // open(2) flags, from asm-generic/fcntl.h (the same on x86-64 and arm64 for these).
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 01;
    static final int O_RDWR = 02;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_TRUNC = 01000;
    static final int O_APPEND = 02000;
    static final int O_DSYNC = 010000;
    static final int O_SYNC = 04010000;

    /** The same mode as open(2) flags, for the native driver (O_CLOEXEC is the backend's). */
    int toFlags() {
        int f = read && write ? O_RDWR : write ? O_WRONLY : O_RDONLY;
        if (createNew) {
            f |= O_CREAT | O_EXCL;
        } else if (create) {
            f |= O_CREAT;
        }
        if (truncate) {
            f |= O_TRUNC;
        }
        if (append) {
            f |= O_APPEND;
        }
        if (sync) {
            f |= O_SYNC;
        } else if (dsync) {
            f |= O_DSYNC;
        }
        return f;
    }
}
