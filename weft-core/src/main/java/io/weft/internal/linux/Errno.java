package io.weft.internal.linux;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.HashMap;
import java.util.Map;

/**
 * Linux errno values, their names, and the JDK exception a Java programmer expects for
 * each. Every backend reports failures as a negative errno; this class is the one place
 * that turns one into an exception, on the caller's thread so the stack trace is the
 * caller's.
 *
 * <p>Messages name the errno and the call: {@code "Connection refused (ECONNREFUSED): connect to /127.0.0.1:9"}.
 */
public final class Errno {
    private Errno() {
    }

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EXDEV = 18;
    public static final int ETXTBSY = 26;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ESPIPE = 29;
    public static final int EROFS = 30;
    public static final int EPIPE = 32;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int ELOOP = 40;
    public static final int ETIME = 62;
    public static final int ENOTSOCK = 88;
    public static final int EMSGSIZE = 90;
    public static final int ENOPROTOOPT = 92;
    public static final int EPROTONOSUPPORT = 93;
    public static final int ESOCKTNOSUPPORT = 94;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETDOWN = 100;
    public static final int ENETUNREACH = 101;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int EISCONN = 106;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int EALREADY = 114;
    public static final int EINPROGRESS = 115;
    public static final int EDQUOT = 122;
    public static final int ECANCELED = 125;

    private record Info(String name, String text) {
    }

    private static final Map<Integer, Info> BY_NUMBER = new HashMap<>();
    private static final Map<String, Integer> BY_TEXT = new HashMap<>();

    private static void def(int errno, String name, String text) {
        BY_NUMBER.put(errno, new Info(name, text));
        BY_TEXT.put(text, errno);
    }

    static {
        def(EPERM, "EPERM", "Operation not permitted");
        def(ENOENT, "ENOENT", "No such file or directory");
        def(EINTR, "EINTR", "Interrupted system call");
        def(EIO, "EIO", "Input/output error");
        def(ENXIO, "ENXIO", "No such device or address");
        def(ENODEV, "ENODEV", "No such device");
        def(ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT", "Socket type not supported");
        def(EBADF, "EBADF", "Bad file descriptor");
        def(EAGAIN, "EAGAIN", "Resource temporarily unavailable");
        def(ENOMEM, "ENOMEM", "Cannot allocate memory");
        def(EACCES, "EACCES", "Permission denied");
        def(EFAULT, "EFAULT", "Bad address");
        def(EBUSY, "EBUSY", "Device or resource busy");
        def(EEXIST, "EEXIST", "File exists");
        def(ENOTDIR, "ENOTDIR", "Not a directory");
        def(EISDIR, "EISDIR", "Is a directory");
        def(EINVAL, "EINVAL", "Invalid argument");
        def(ENFILE, "ENFILE", "Too many open files in system");
        def(EMFILE, "EMFILE", "Too many open files");
        def(EXDEV, "EXDEV", "Invalid cross-device link");
        def(ETXTBSY, "ETXTBSY", "Text file busy");
        def(EFBIG, "EFBIG", "File too large");
        def(ENOSPC, "ENOSPC", "No space left on device");
        def(ESPIPE, "ESPIPE", "Illegal seek");
        def(EROFS, "EROFS", "Read-only file system");
        def(EPIPE, "EPIPE", "Broken pipe");
        def(ERANGE, "ERANGE", "Numerical result out of range");
        def(ENAMETOOLONG, "ENAMETOOLONG", "File name too long");
        def(ENOSYS, "ENOSYS", "Function not implemented");
        def(ENOTEMPTY, "ENOTEMPTY", "Directory not empty");
        def(ELOOP, "ELOOP", "Too many levels of symbolic links");
        def(ETIME, "ETIME", "Timer expired");
        def(ENOTSOCK, "ENOTSOCK", "Socket operation on non-socket");
        def(EMSGSIZE, "EMSGSIZE", "Message too long");
        def(ENOPROTOOPT, "ENOPROTOOPT", "Protocol not available");
        def(EPROTONOSUPPORT, "EPROTONOSUPPORT", "Protocol not supported");
        def(EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported");
        def(EAFNOSUPPORT, "EAFNOSUPPORT", "Address family not supported by protocol");
        def(EADDRINUSE, "EADDRINUSE", "Address already in use");
        def(EADDRNOTAVAIL, "EADDRNOTAVAIL", "Cannot assign requested address");
        def(ENETDOWN, "ENETDOWN", "Network is down");
        def(ENETUNREACH, "ENETUNREACH", "Network is unreachable");
        def(ECONNABORTED, "ECONNABORTED", "Software caused connection abort");
        def(ECONNRESET, "ECONNRESET", "Connection reset by peer");
        def(ENOBUFS, "ENOBUFS", "No buffer space available");
        def(EISCONN, "EISCONN", "Transport endpoint is already connected");
        def(ENOTCONN, "ENOTCONN", "Transport endpoint is not connected");
        def(ETIMEDOUT, "ETIMEDOUT", "Connection timed out");
        def(ECONNREFUSED, "ECONNREFUSED", "Connection refused");
        def(EHOSTUNREACH, "EHOSTUNREACH", "No route to host");
        def(EALREADY, "EALREADY", "Operation already in progress");
        def(EINPROGRESS, "EINPROGRESS", "Operation now in progress");
        def(EDQUOT, "EDQUOT", "Disk quota exceeded");
        def(ECANCELED, "ECANCELED", "Operation canceled");
        // Texts the JDK uses for the same conditions, so nio's exceptions map back.
        BY_TEXT.put("Connection reset", ECONNRESET);
    }

    /** The symbolic name, such as {@code "ECONNRESET"}, or {@code "errno N"}. */
    public static String name(int errno) {
        Info i = BY_NUMBER.get(Math.abs(errno));
        return i != null ? i.name : "errno " + Math.abs(errno);
    }

    /** The strerror text, such as {@code "Connection reset by peer"}. */
    public static String text(int errno) {
        Info i = BY_NUMBER.get(Math.abs(errno));
        return i != null ? i.text : "Unknown error " + Math.abs(errno);
    }

    /** The errno whose strerror (or JDK) text is {@code message}, or 0. Used to map nio's exceptions. */
    public static int fromMessage(String message) {
        if (message == null) {
            return 0;
        }
        Integer e = BY_TEXT.get(message);
        return e != null ? e : 0;
    }

    /**
     * The exception for a failed call.
     *
     * @param errno  the errno, positive or negative
     * @param call   what was being done, such as {@code "connect"} or {@code "read"}
     * @param target what it was done to (an address, a path), or null
     */
    public static IOException exception(int errno, String call, Object target) {
        int e = Math.abs(errno);
        String msg = text(e) + " (" + name(e) + "): " + call + (target != null ? " " + target : "");
        return switch (e) {
            case ECONNREFUSED -> new ConnectException(msg);
            case ETIMEDOUT -> new SocketTimeoutException(msg);
            case EHOSTUNREACH, ENETUNREACH -> new NoRouteToHostException(msg);
            case EADDRINUSE, EADDRNOTAVAIL -> new BindException(msg);
            case ECONNRESET, EPIPE, ENOTCONN, ECONNABORTED, ENOTSOCK, EMSGSIZE, ENETDOWN, EISCONN,
                 EAFNOSUPPORT, EPROTONOSUPPORT, ENOPROTOOPT -> new SocketException(msg);
            case ENOENT -> new NoSuchFileException(String.valueOf(target), null, text(e) + " (" + name(e) + "): " + call);
            case EACCES, EPERM -> target instanceof java.nio.file.Path || target instanceof String
                    ? new AccessDeniedException(String.valueOf(target), null, text(e) + " (" + name(e) + "): " + call)
                    : new IOException(msg);
            case EEXIST -> new FileAlreadyExistsException(String.valueOf(target), null, text(e) + " (" + name(e) + "): " + call);
            case ENOTDIR -> new NotDirectoryException(String.valueOf(target));
            case ENOTEMPTY -> new DirectoryNotEmptyException(String.valueOf(target));
            case EISDIR, ENOSPC, EDQUOT, EFBIG, EROFS, EXDEV, ELOOP, ENAMETOOLONG, ETXTBSY -> new FileSystemException(String.valueOf(target), null, text(e) + " (" + name(e) + "): " + call);
            default -> new IOException(msg);
        };
    }
}
