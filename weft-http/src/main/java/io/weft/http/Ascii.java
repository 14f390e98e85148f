package io.weft.http;

import java.nio.charset.StandardCharsets;

/**
 * Byte-level helpers for the parser and the response writer: character classes of RFC
 * 9110 as lookup tables, case-insensitive comparison of header names without building
 * strings, and decimal and hexadecimal numbers read from and written to byte arrays.
 */
final class Ascii {
    private Ascii() {
    }

    /** tchar (RFC 9110 5.6.2): the characters of a method or a header name. */
    private static final boolean[] TOKEN = new boolean[256];
    /** Bytes allowed in a request target: visible ASCII (RFC 3986 characters, checked loosely). */
    private static final boolean[] TARGET = new boolean[256];
    /** Bytes allowed in a header value: VCHAR, obs-text, SP and HTAB (RFC 9110 5.5). */
    private static final boolean[] FIELD_VALUE = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
        for (int c = 0x21; c <= 0x7e; c++) {
            TARGET[c] = true;
        }
        for (int c = 0x20; c <= 0xff; c++) {
            FIELD_VALUE[c] = c != 0x7f;
        }
        FIELD_VALUE['\t'] = true;
    }

    static boolean isToken(byte b) {
        return TOKEN[b & 0xff];
    }

    static boolean isTarget(byte b) {
        return TARGET[b & 0xff];
    }

    static boolean isFieldValue(byte b) {
        return FIELD_VALUE[b & 0xff];
    }

    static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    /** True if {@code buf[off..off+len)} equals {@code lowerName} (already lower case, ASCII) ignoring case. */
    static boolean equalsIgnoreCase(byte[] buf, int off, int len, byte[] lowerName) {
        if (len != lowerName.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (lower(buf[off + i]) != lowerName[i]) {
                return false;
            }
        }
        return true;
    }

    /** True if {@code buf[off..off+len)} equals {@code name} ignoring ASCII case. */
    static boolean equalsIgnoreCase(byte[] buf, int off, int len, String name) {
        if (len != name.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            char c = name.charAt(i);
            if (c > 0x7f || lower(buf[off + i]) != lower((byte) c)) {
                return false;
            }
        }
        return true;
    }

    static byte[] bytes(String ascii) {
        return ascii.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String string(byte[] buf, int off, int len) {
        return new String(buf, off, len, StandardCharsets.ISO_8859_1);
    }

    /** The hexadecimal value of {@code b}, or -1. */
    static int hexDigit(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    /** Writes {@code v} (not negative) in decimal at {@code buf[off..]}; returns the end. */
    static int putDecimal(byte[] buf, int off, long v) {
        int digits = 1;
        for (long x = v; x >= 10; x /= 10) {
            digits++;
        }
        int end = off + digits;
        for (int i = end - 1; i >= off; i--) {
            buf[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return end;
    }

    /** Writes {@code v} (not negative) in hexadecimal at {@code buf[off..]}; returns the end. */
    static int putHex(byte[] buf, int off, long v) {
        int digits = 1;
        for (long x = v; x >= 16; x >>>= 4) {
            digits++;
        }
        int end = off + digits;
        for (int i = end - 1; i >= off; i--) {
            buf[i] = (byte) "0123456789abcdef".charAt((int) (v & 15));
            v >>>= 4;
        }
        return end;
    }

    /** Writes {@code s} as ISO-8859-1 at {@code buf[off..]} (the caller made room); returns the end. */
    static int putString(byte[] buf, int off, String s) {
        s.getBytes(0, s.length(), buf, off);
        return off + s.length();
    }
}
