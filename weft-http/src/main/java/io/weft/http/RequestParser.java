package io.weft.http;

/**
 * Parses a request head (request line and header fields, RFC 9112 sections 3 and 5)
 * that lies complete in a byte array, into an {@link HttpRequest}. Every violation is an
 * {@link HttpException} with the status to answer; nothing else escapes.
 */
/*
 * Overview
 *
 * The connection first finds where the head ends (findHeadEnd, a scan that resumes where
 * it stopped, so a client sending a byte at a time costs linear work), then calls parse()
 * once on the complete head. parse() never trusts a length from the input: it walks the
 * bytes between start and end only, and every number it reads is bounded in digits.
 *
 *   request-line  = method SP request-target SP HTTP-version CRLF
 *   field-line    = field-name ":" OWS field-value OWS CRLF
 *
 * A bare LF ends a line as well as CRLF does (RFC 9112 2.2 allows it); a CR anywhere else
 * is an error. Whitespace before the colon and obsolete line folding are errors (RFC 9112
 * 5.1, 5.2), as are Content-Length together with Transfer-Encoding, two different
 * Content-Lengths, a transfer coding other than a final chunked (501), and an HTTP/1.1
 * request without exactly one Host. These are the ambiguities request smuggling lives on,
 * so the parser refuses them instead of guessing.
 *
 * Known fields are recognised by comparing bytes with a lower-case name, and their
 * values are decoded in place; no String is built for them.
 */
final class RequestParser {
    private RequestParser() {
    }

    private static final byte[] CONTENT_LENGTH = Ascii.bytes("content-length");
    private static final byte[] TRANSFER_ENCODING = Ascii.bytes("transfer-encoding");
    private static final byte[] CONNECTION = Ascii.bytes("connection");
    private static final byte[] EXPECT = Ascii.bytes("expect");
    private static final byte[] HOST = Ascii.bytes("host");
    private static final byte[] CHUNKED = Ascii.bytes("chunked");
    private static final byte[] CLOSE = Ascii.bytes("close");
    private static final byte[] KEEP_ALIVE = Ascii.bytes("keep-alive");
    private static final byte[] CONTINUE = Ascii.bytes("100-continue");

    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT"};
    private static final byte[][] METHOD_BYTES = new byte[METHODS.length][];

    static {
        for (int i = 0; i < METHODS.length; i++) {
            METHOD_BYTES[i] = Ascii.bytes(METHODS[i]);
        }
    }

    /**
     * Where the head that starts at or before {@code from} ends in {@code b[..lim)}: the
     * index just after its blank line, or -1 if it is not complete yet. Resume with
     * {@code from = max(start, lim - 2)}.
     */
    static int findHeadEnd(byte[] b, int from, int lim) {
        for (int i = from; i < lim; i++) {
            if (b[i] == '\n') {
                if (i + 1 < lim && b[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < lim && b[i + 1] == '\r' && b[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    /**
     * Parses the head {@code b[start..end)} (which ends with its blank line) into {@code req}.
     *
     * @param targets the connection's cache of the last request target
     */
    static void parse(byte[] b, int start, int end, HttpRequest req, Limits limits, TargetCache targets) throws HttpException {
        req.reset();
        req.head = b;
        req.headStart = start;
        req.headEnd = end;

        // ---- request line
        int i = start;
        int m = i;
        while (i < end && Ascii.isToken(b[i])) {
            i++;
        }
        if (i == m || i >= end || b[i] != ' ') {
            throw new HttpException(400, "malformed request line: bad method");
        }
        req.method = method(b, m, i - m);
        int t = ++i;
        while (i < end && Ascii.isTarget(b[i])) {
            i++;
        }
        if (i == t || i >= end || b[i] != ' ') {
            if (i - start > limits.maxRequestLineLength()) {
                throw new HttpException(414, "request line longer than " + limits.maxRequestLineLength() + " bytes");
            }
            throw new HttpException(400, "malformed request line: bad target");
        }
        targets.resolve(b, t, i - t, req);
        int v = ++i;
        while (i < end && b[i] != '\r' && b[i] != '\n') {
            i++;
        }
        int lineEnd = i;
        i = lineEnd(b, i, end);
        if (lineEnd - start > limits.maxRequestLineLength()) {
            throw new HttpException(414, "request line longer than " + limits.maxRequestLineLength() + " bytes");
        }
        req.version = version(b, v, lineEnd - v);

        // ---- header fields
        int fieldsStart = i;
        boolean close = false;
        boolean keepAliveToken = false;
        int hosts = 0;
        boolean sawLength = false;
        boolean sawEncoding = false;
        while (true) {
            if (i >= end) {
                throw new HttpException(400, "malformed header section");
            }
            if (b[i] == '\n' || b[i] == '\r') {
                i = lineEnd(b, i, end);
                break; // the blank line
            }
            int n = i;
            while (i < end && Ascii.isToken(b[i])) {
                i++;
            }
            if (i == n) {
                throw new HttpException(400, b[i] == ' ' || b[i] == '\t' ? "obsolete line folding or whitespace before a field name"
                        : "malformed header field name");
            }
            if (i >= end || b[i] != ':') {
                throw new HttpException(400, "malformed header field (whitespace or a bad character before ':')");
            }
            int nameLen = i - n;
            int vs = skipSpace(b, i + 1, end);
            i = vs;
            while (i < end && b[i] != '\r' && b[i] != '\n') {
                if (!Ascii.isFieldValue(b[i])) {
                    throw new HttpException(400, "control character in a header field value");
                }
                i++;
            }
            int ve = trimSpace(b, vs, i);
            i = lineEnd(b, i, end);
            if (i - fieldsStart > limits.maxHeaderSize()) {
                throw new HttpException(431, "header fields larger than " + limits.maxHeaderSize() + " bytes");
            }
            if (req.fieldCount >= limits.maxHeaderCount()) {
                throw new HttpException(431, "more than " + limits.maxHeaderCount() + " header fields");
            }
            req.addField(n, nameLen, vs, ve - vs);

            switch (nameLen) {
                case 14 -> {
                    if (Ascii.equalsIgnoreCase(b, n, nameLen, CONTENT_LENGTH)) {
                        long len = contentLength(b, vs, ve, limits);
                        if (sawLength && len != req.contentLength) {
                            throw new HttpException(400, "two different Content-Length values");
                        }
                        sawLength = true;
                        req.contentLength = len;
                    }
                }
                case 17 -> {
                    if (Ascii.equalsIgnoreCase(b, n, nameLen, TRANSFER_ENCODING)) {
                        if (req.chunked) {
                            throw new HttpException(400, "transfer coding after chunked");
                        }
                        sawEncoding = true;
                        req.chunked = transferEncoding(b, vs, ve);
                    }
                }
                case 10 -> {
                    if (Ascii.equalsIgnoreCase(b, n, nameLen, CONNECTION)) {
                        for (int s = vs, e; s < ve; s = e + 1) {
                            e = elementEnd(b, s, ve);
                            int ts = skipSpace(b, s, e);
                            int te = trimSpace(b, ts, e);
                            close |= Ascii.equalsIgnoreCase(b, ts, te - ts, CLOSE);
                            keepAliveToken |= Ascii.equalsIgnoreCase(b, ts, te - ts, KEEP_ALIVE);
                        }
                    }
                }
                case 6 -> {
                    if (Ascii.equalsIgnoreCase(b, n, nameLen, EXPECT)) {
                        if (!Ascii.equalsIgnoreCase(b, vs, ve - vs, CONTINUE)) {
                            throw new HttpException(417, "unsupported expectation");
                        }
                        req.expectContinue = true;
                    }
                }
                case 4 -> {
                    if (Ascii.equalsIgnoreCase(b, n, nameLen, HOST)) {
                        hosts++;
                    }
                }
                default -> {
                }
            }
        }
        if (i != end) {
            throw new HttpException(400, "malformed header section");
        }
        if (sawEncoding && !req.chunked) {
            throw new HttpException(501, "a request body whose transfer coding does not end with chunked");
        }
        if (req.chunked && sawLength) {
            throw new HttpException(400, "both Content-Length and Transfer-Encoding");
        }
        if (req.chunked && req.version == 10) {
            throw new HttpException(400, "Transfer-Encoding in an HTTP/1.0 request");
        }
        if (req.version == 11 && hosts != 1) {
            throw new HttpException(400, hosts == 0 ? "HTTP/1.1 request without Host" : "more than one Host field");
        }
        if (req.version == 10) {
            req.expectContinue = false;
        }
        req.keepAlive = !close && (req.version == 11 || keepAliveToken);
    }

    /** The index after the line end at {@code i} (CRLF or LF). */
    private static int lineEnd(byte[] b, int i, int end) throws HttpException {
        if (i < end && b[i] == '\n') {
            return i + 1;
        }
        if (i + 1 < end && b[i] == '\r' && b[i + 1] == '\n') {
            return i + 2;
        }
        throw new HttpException(400, "CR not followed by LF");
    }

    private static String method(byte[] b, int off, int len) {
        for (int k = 0; k < METHODS.length; k++) {
            byte[] mb = METHOD_BYTES[k];
            if (mb.length == len && java.util.Arrays.equals(b, off, off + len, mb, 0, len)) {
                return METHODS[k];
            }
        }
        return Ascii.string(b, off, len);
    }

    private static int version(byte[] b, int off, int len) throws HttpException {
        if (len == 8 && b[off] == 'H' && b[off + 1] == 'T' && b[off + 2] == 'T' && b[off + 3] == 'P' && b[off + 4] == '/'
                && isDigit(b[off + 5]) && b[off + 6] == '.' && isDigit(b[off + 7])) {
            int major = b[off + 5] - '0';
            int minor = b[off + 7] - '0';
            if (major == 1 && minor == 1) {
                return 11;
            }
            if (major == 1 && minor == 0) {
                return 10;
            }
            throw new HttpException(505, "HTTP version " + major + "." + minor + " is not supported");
        }
        throw new HttpException(400, "malformed HTTP version");
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static long contentLength(byte[] b, int vs, int ve, Limits limits) throws HttpException {
        if (vs == ve) {
            throw new HttpException(400, "empty Content-Length");
        }
        long v = 0;
        for (int i = vs; i < ve; i++) {
            if (!isDigit(b[i])) {
                throw new HttpException(400, "Content-Length is not a number");
            }
            v = v * 10 + (b[i] - '0');
            if (v > limits.maxBodySize()) {
                throw new HttpException(413, "body larger than " + limits.maxBodySize() + " bytes");
            }
        }
        return v;
    }

    /** True if the codings end with chunked; 501 for a coding this server does not decode. */
    private static boolean transferEncoding(byte[] b, int vs, int ve) throws HttpException {
        boolean chunked = false;
        for (int s = vs, e; s < ve; s = e + 1) {
            e = elementEnd(b, s, ve);
            int ts = skipSpace(b, s, e);
            int te = trimSpace(b, ts, e);
            if (te > ts) {
                if (chunked) {
                    throw new HttpException(400, "transfer coding after chunked");
                }
                if (!Ascii.equalsIgnoreCase(b, ts, te - ts, CHUNKED)) {
                    throw new HttpException(501, "transfer coding '" + Ascii.string(b, ts, Math.min(te - ts, 40)) + "' is not supported");
                }
                chunked = true;
            }
        }
        return chunked;
    }

    /** The end of the comma-separated list element starting at {@code s}: its comma, or {@code end}. */
    private static int elementEnd(byte[] b, int s, int end) {
        while (s < end && b[s] != ',') {
            s++;
        }
        return s;
    }

    /** The first index from {@code s} that is not optional whitespace (SP, HTAB), at most {@code end}. */
    private static int skipSpace(byte[] b, int s, int end) {
        while (s < end && (b[s] == ' ' || b[s] == '\t')) {
            s++;
        }
        return s;
    }

    /** {@code end} moved back over trailing optional whitespace, not before {@code start}. */
    private static int trimSpace(byte[] b, int start, int end) {
        while (end > start && (b[end - 1] == ' ' || b[end - 1] == '\t')) {
            end--;
        }
        return end;
    }
}
