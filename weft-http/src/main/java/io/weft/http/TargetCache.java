package io.weft.http;

import java.util.Arrays;

/**
 * The last request target a connection saw, with its path and query strings: a client on
 * a kept-alive connection usually asks for the same few URLs, so an equal target costs a
 * byte comparison instead of three strings. Connection task only.
 */
final class TargetCache {
    private byte[] bytes = new byte[0];
    private int length = -1;
    private String target;
    private String path;
    private String query;

    /** Sets {@code req}'s target, path and query from {@code b[off..off+len)}. */
    void resolve(byte[] b, int off, int len, HttpRequest req) {
        if (len != length || !Arrays.equals(b, off, off + len, bytes, 0, len)) {
            if (bytes.length < len) {
                bytes = new byte[Math.max(len, 64)];
            }
            System.arraycopy(b, off, bytes, 0, len);
            length = len;
            target = Ascii.string(b, off, len);
            int from = 0;
            if (!target.startsWith("/")) {
                // absolute-form (http://host/path) as proxies send it; authority-form and "*" keep the whole
                int scheme = target.indexOf("://");
                if (scheme > 0) {
                    int slash = target.indexOf('/', scheme + 3);
                    from = slash < 0 ? target.length() : slash;
                }
            }
            int q = target.indexOf('?', from);
            path = q < 0 ? target.substring(from) : target.substring(from, q);
            if (path.isEmpty()) {
                path = "/";
            }
            query = q < 0 ? null : target.substring(q + 1);
        }
        req.target = target;
        req.path = path;
        req.query = query;
    }
}
