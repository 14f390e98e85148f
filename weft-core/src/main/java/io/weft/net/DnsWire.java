package io.weft.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The DNS message format (RFC 1035, section 4) as far as an A / AAAA lookup needs it:
 * writing one query, and reading the answers of a response. Pure functions over byte
 * arrays; any thread.
 *
 * <pre>
 * header, 12 bytes, big-endian
 *  0                 2                 4         6         8         10        12
 *  +-----------------+-----------------+---------+---------+---------+---------+
 *  |       id        |      flags      | qdcount | ancount | nscount | arcount |
 *  +-----------------+-----------------+---------+---------+---------+---------+
 *  flags: QR(15) opcode(14..11) AA(10) TC(9) RD(8) RA(7) Z(6..4) RCODE(3..0)
 *
 * question:  name | qtype (2) | qclass (2)
 * answer:    name | type (2) | class (2) | ttl (4) | rdlength (2) | rdata
 * name:      labels (length byte, then bytes), ending with 0; or a pointer: two bytes
 *            11xxxxxx xxxxxxxx, an offset from the start of the message
 * </pre>
 */
final class DnsWire {
    private DnsWire() {
    }

    static final int TYPE_A = 1;
    static final int TYPE_CNAME = 5;
    static final int TYPE_AAAA = 28;
    static final int CLASS_IN = 1;
    static final int RCODE_NXDOMAIN = 3;
    private static final int FLAG_QR = 0x8000;
    private static final int FLAG_TC = 0x0200;
    private static final int FLAG_RD = 0x0100;
    private static final int MAX_POINTERS = 64;

    /** A query for {@code name}'s records of {@code type}, recursion desired. */
    static byte[] query(int id, String name, int type) {
        ByteBuffer b = ByteBuffer.allocate(12 + name.length() + 2 + 4);
        b.putShort((short) id).putShort((short) FLAG_RD).putShort((short) 1).putShort((short) 0).putShort((short) 0).putShort((short) 0);
        for (String label : name.split("\\.")) {
            byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            b.put((byte) l.length).put(l);
        }
        b.put((byte) 0).putShort((short) type).putShort((short) CLASS_IN);
        return b.array();
    }

    /** Checks a name before it goes into a query: ASCII labels of 1..63 bytes, 253 in all. */
    static String checkName(String host) throws UnknownHostException {
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (name.isEmpty() || name.length() > 253) {
            throw new UnknownHostException(host + ": not a valid host name");
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || !StandardCharsets.US_ASCII.newEncoder().canEncode(label)) {
                throw new UnknownHostException(host + ": not a valid host name");
            }
        }
        return name.toLowerCase(Locale.ROOT);
    }

    /**
     * A parsed response.
     *
     * @param rcode     the response code (0 ok, 3 NXDOMAIN, ...)
     * @param truncated the TC bit: the answer did not fit in a UDP datagram
     * @param addresses the A or AAAA records of {@code name} or of a CNAME it leads to
     */
    record Response(int id, int rcode, boolean truncated, List<InetAddress> addresses) {
    }

    /**
     * Reads a response to a query for {@code name} and {@code type}.
     *
     * @return null if this is not a response to that query (another id, name or type)
     * @throws IOException if the message is malformed (bad pointer, out of bounds)
     */
    static Response parse(byte[] msg, int length, int id, String name, int type) throws IOException {
        try {
            ByteBuffer b = ByteBuffer.wrap(msg, 0, length);
            int gotId = b.getShort() & 0xffff;
            int flags = b.getShort() & 0xffff;
            int qd = b.getShort() & 0xffff;
            int an = b.getShort() & 0xffff;
            b.getShort();
            b.getShort();
            if (gotId != id || (flags & FLAG_QR) == 0 || qd != 1) {
                return null;
            }
            String qname = readName(msg, length, b);
            int qtype = b.getShort() & 0xffff;
            b.getShort();
            if (!qname.equalsIgnoreCase(name) || qtype != type) {
                return null;
            }
            List<InetAddress> out = new ArrayList<>();
            String want = name;
            for (int i = 0; i < an; i++) {
                String owner = readName(msg, length, b);
                int rtype = b.getShort() & 0xffff;
                int rclass = b.getShort() & 0xffff;
                b.getInt();
                int rdlen = b.getShort() & 0xffff;
                int rdata = b.position();
                if (rdata + rdlen > length) {
                    throw new IOException("malformed DNS response: record data past the end");
                }
                if (rclass == CLASS_IN && owner.equalsIgnoreCase(want)) {
                    if (rtype == TYPE_CNAME) {
                        want = readName(msg, length, ByteBuffer.wrap(msg, rdata, rdlen));
                    } else if (rtype == type && rdlen == (type == TYPE_A ? 4 : 16)) {
                        byte[] raw = new byte[rdlen];
                        System.arraycopy(msg, rdata, raw, 0, rdlen);
                        out.add(InetAddress.getByAddress(name, raw));
                    }
                }
                b.position(rdata + rdlen);
            }
            return new Response(gotId, flags & 0xf, (flags & FLAG_TC) != 0, out);
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new IOException("malformed DNS response to " + name + ": " + e, e);
        }
    }

    /** Reads a possibly compressed name at {@code b}'s position, leaving it after the name. */
    private static String readName(byte[] msg, int length, ByteBuffer b) throws IOException {
        StringBuilder sb = new StringBuilder();
        int pos = b.position();
        int resume = -1;
        for (int jumps = 0; ; ) {
            if (pos >= length) {
                throw new IOException("malformed DNS response: name runs past the end");
            }
            int len = msg[pos] & 0xff;
            if (len == 0) {
                pos++;
                break;
            }
            if ((len & 0xc0) == 0xc0) {
                if (pos + 1 >= length || ++jumps > MAX_POINTERS) {
                    throw new IOException("malformed DNS response: bad compression pointer");
                }
                if (resume < 0) {
                    resume = pos + 2;
                }
                pos = ((len & 0x3f) << 8) | (msg[pos + 1] & 0xff);
                continue;
            }
            if (pos + 1 + len > length) {
                throw new IOException("malformed DNS response: label runs past the end");
            }
            if (!sb.isEmpty()) {
                sb.append('.');
            }
            sb.append(new String(msg, pos + 1, len, StandardCharsets.US_ASCII));
            pos += 1 + len;
        }
        b.position(resume >= 0 ? resume : pos);
        return sb.toString();
    }
}
