package io.weft.ipc;

/**
 * One RPC frame: a ring record whose type is the frame kind and whose payload starts with
 * this header. A message longer than a record carries is cut into fragments, sent back to
 * back by one writer; the receiver joins them by correlation id.
 *
 * <pre>
 *  record type: REQUEST | RESPONSE | ERROR | CANCEL
 *
 *  0                   8          12         16         20         24
 *  +-------------------+----------+----------+----------+----------+----------------+
 *  | correlation id    | method   | flags    | total    | reserved | data ...       |
 *  +-------------------+----------+----------+----------+----------+----------------+
 *
 *  flags: FIRST (the message starts here), LAST (and ends here); a one-record message has both
 *  total: the whole message's length in bytes, in every fragment (checked against the limit)
 *  ERROR data: UTF-8 "class name" '\n' "message"
 * </pre>
 */
final class RpcFrameLayout {
    private RpcFrameLayout() {
    }

    static final int REQUEST = 1;
    static final int RESPONSE = 2;
    static final int ERROR = 3;
    static final int CANCEL = 4;

    static final int CORRELATION_OFFSET = 0;
    static final int METHOD_OFFSET = 8;
    static final int FLAGS_OFFSET = 12;
    static final int TOTAL_OFFSET = 16;
    static final int HEADER_LENGTH = 24;

    static final int FIRST = 1;
    static final int LAST = 2;
}
