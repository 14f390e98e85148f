package io.weft.http;

/**
 * Reason phrases, and each status line pre-encoded once ({@code HTTP/1.1 200 OK\r\n}), so
 * that writing a response head copies bytes instead of formatting text.
 */
final class HttpStatus {
    private HttpStatus() {
    }

    private static final byte[][] LINES = new byte[600][];

    static String reason(int code) {
        return switch (code) {
            case 100 -> "Continue";
            case 101 -> "Switching Protocols";
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 206 -> "Partial Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 303 -> "See Other";
            case 304 -> "Not Modified";
            case 307 -> "Temporary Redirect";
            case 308 -> "Permanent Redirect";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 415 -> "Unsupported Media Type";
            case 417 -> "Expectation Failed";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> "";
        };
    }

    static {
        for (int code = 100; code < 600; code++) {
            LINES[code] = Ascii.bytes("HTTP/1.1 " + code + " " + reason(code) + "\r\n");
        }
    }

    /** {@code HTTP/1.1 CODE REASON\r\n}; code is 100-599. */
    static byte[] line(int code) {
        return LINES[code];
    }

    /** True for statuses whose response has no body (1xx, 204, 304). */
    static boolean bodyless(int code) {
        return code < 200 || code == 204 || code == 304;
    }
}
