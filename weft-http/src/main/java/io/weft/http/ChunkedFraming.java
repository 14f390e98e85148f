package io.weft.http;

/**
 * The grammar of a chunked body's lines (RFC 9112 7.1), checked strictly on the bytes of
 * one line without its line end: a chunk-size line, and a trailer field line. Every
 * violation is an {@link HttpException}; nothing is guessed.
 *
 * <pre>
 *   chunk-line   = chunk-size *( BWS ";" BWS ext-name [ BWS "=" BWS ext-value ] )
 *   chunk-size   = 1*16HEXDIG
 *   ext-value    = token / quoted-string
 *   trailer-line = field-name ":" OWS field-value OWS
 * </pre>
 *
 * Lenient readings of a chunk size are what request smuggling through chunked bodies
 * lives on: a decoder that stops at the first non-digit and skips the rest as an
 * "extension" reads {@code 0x2d} as the last chunk while another reads 45 bytes. So the
 * size must be followed by the end of the line or by {@code ;}, and anything after it
 * must be well-formed extensions.
 */
final class ChunkedFraming {
    private ChunkedFraming() {
    }

    /** Most hex digits of a chunk size: 16 fill a long; more is refused rather than overflowed. */
    static final int MAX_SIZE_DIGITS = 16;
    /** Most bytes of chunk extensions on one chunk line. */
    static final int MAX_EXTENSIONS = 1024;
    /** Longest chunk line, without its line end. */
    static final int MAX_LINE = MAX_SIZE_DIGITS + MAX_EXTENSIONS;

    private static final byte[][] FORBIDDEN_TRAILERS = {
            Ascii.bytes("content-length"), Ascii.bytes("transfer-encoding"), Ascii.bytes("host"),
            Ascii.bytes("connection"), Ascii.bytes("expect"), Ascii.bytes("trailer")};

    /**
     * The size of the chunk whose line is {@code b[start..end)}: 400 for anything but
     * hex digits followed by the end or by well-formed extensions; 413 for a size that does
     * not fit in a long.
     */
    static long chunkSize(byte[] b, int start, int end) throws HttpException {
        long size = 0;
        int i = start;
        for (; i < end; i++) {
            int d = Ascii.hexDigit(b[i]);
            if (d < 0) {
                break;
            }
            if (i - start == MAX_SIZE_DIGITS) {
                throw new HttpException(400, "chunk size longer than " + MAX_SIZE_DIGITS + " hex digits");
            }
            size = size << 4 | d;
        }
        if (i == start) {
            throw new HttpException(400, "malformed chunk size: no hex digits");
        }
        if (size < 0) {
            throw new HttpException(413, "chunk size too large");
        }
        if (end - i > MAX_EXTENSIONS) {
            throw new HttpException(400, "chunk extensions longer than " + MAX_EXTENSIONS + " bytes");
        }
        extensions(b, i, end);
        return size;
    }

    /** Checks {@code b[i..end)}: nothing, or {@code ;}-separated extensions. */
    private static void extensions(byte[] b, int i, int end) throws HttpException {
        while (i < end) {
            i = skipSpace(b, i, end);
            if (i == end || b[i] != ';') {
                throw new HttpException(400, "malformed chunk size: '" + printable(b[i == end ? i - 1 : i])
                        + "' where ';' or the end of the line must follow");
            }
            i = skipSpace(b, i + 1, end);
            int name = i;
            while (i < end && Ascii.isToken(b[i])) {
                i++;
            }
            if (i == name) {
                throw new HttpException(400, "malformed chunk extension: no name after ';'");
            }
            int j = skipSpace(b, i, end);
            if (j < end && b[j] == '=') {
                i = skipSpace(b, j + 1, end);
                i = i < end && b[i] == '"' ? quotedString(b, i, end) : token(b, i, end);
            }
        }
    }

    /** The index after the token at {@code i}; 400 if there is none. */
    private static int token(byte[] b, int i, int end) throws HttpException {
        int s = i;
        while (i < end && Ascii.isToken(b[i])) {
            i++;
        }
        if (i == s) {
            throw new HttpException(400, "malformed chunk extension: no value after '='");
        }
        return i;
    }

    /** The index after the quoted-string opening at {@code i} (RFC 9110 5.6.4); 400 if malformed. */
    private static int quotedString(byte[] b, int i, int end) throws HttpException {
        for (i++; i < end; i++) {
            int c = b[i] & 0xff;
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\') {
                i++;
                if (i == end || !quotedPairChar(b[i] & 0xff)) {
                    throw new HttpException(400, "malformed chunk extension: bad escape in a quoted string");
                }
            } else if (!quotedPairChar(c)) {
                throw new HttpException(400, "malformed chunk extension: control character in a quoted string");
            }
        }
        throw new HttpException(400, "malformed chunk extension: unterminated quoted string");
    }

    /** HTAB, SP, VCHAR, obs-text: what a quoted-string may hold (with DQUOTE and backslash escaped). */
    private static boolean quotedPairChar(int c) {
        return c == '\t' || (c >= 0x20 && c != 0x7f);
    }

    /**
     * Checks the trailer field line {@code b[start..end)} like a header field, and refuses
     * the fields that frame or route a request: a trailer comes after the server has acted
     * on the head, so such a field could only mislead another reader of the same bytes.
     */
    static void trailerField(byte[] b, int start, int end) throws HttpException {
        int i = start;
        while (i < end && Ascii.isToken(b[i])) {
            i++;
        }
        if (i == start) {
            throw new HttpException(400, start < end && (b[start] == ' ' || b[start] == '\t')
                    ? "obsolete line folding in the trailer section" : "malformed trailer field name");
        }
        if (i == end || b[i] != ':') {
            throw new HttpException(400, "malformed trailer field (whitespace or a bad character before ':')");
        }
        for (byte[] name : FORBIDDEN_TRAILERS) {
            if (Ascii.equalsIgnoreCase(b, start, i - start, name)) {
                throw new HttpException(400, "'" + Ascii.string(b, start, i - start) + "' is not allowed as a trailer field");
            }
        }
        for (i++; i < end; i++) {
            if (!Ascii.isFieldValue(b[i])) {
                throw new HttpException(400, "control character in a trailer field value");
            }
        }
    }

    private static int skipSpace(byte[] b, int i, int end) {
        while (i < end && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static String printable(byte c) {
        int v = c & 0xff;
        return v >= 0x21 && v < 0x7f ? String.valueOf((char) v) : String.format("\\x%02x", v);
    }
}
