package io.weft.cli.soak;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameTest {

    @Test
    void anEncodedFrameVerifiesAndCarriesItsHeader() {
        for (int len : new int[] {0, 1, 7, 8, 9, 64, 1000}) {
            byte[] buf = new byte[Frame.HEADER + len];
            Frame.encode(buf, len, 12, 345);
            assertEquals(len, Frame.length(buf));
            assertEquals(12, Frame.connection(buf));
            assertEquals(345, Frame.seq(buf));
            assertNull(Frame.verify(buf, len, 12, 345), "length " + len);
            assertNull(Frame.verify(buf, -1, 12, 345), "length " + len);
        }
    }

    @Test
    void everyFlippedPayloadByteIsFoundAtItsOffset() {
        int len = 37; // four whole words and a tail of five bytes
        byte[] buf = new byte[Frame.HEADER + len];
        for (int at = 0; at < len; at++) {
            Frame.encode(buf, len, 3, 9);
            buf[Frame.HEADER + at] ^= 0x01;
            String bad = Frame.verify(buf, len, 3, 9);
            assertEquals("payload byte " + at + " of " + len + " differs (connection 3 #9)", bad);
        }
    }

    @Test
    void aFrameOfAnotherMessageOrLengthIsReported() {
        byte[] buf = new byte[Frame.HEADER + 64];
        Frame.encode(buf, 64, 3, 9);
        assertEquals("frame of connection 3 #9, expected connection 3 #10", Frame.verify(buf, 64, 3, 10));
        assertEquals("frame of connection 3 #9, expected connection 4 #9", Frame.verify(buf, 64, 4, 9));
        assertEquals("payload length 64, expected 32", Frame.verify(buf, 32, 3, 9));
        Frame.header(buf, Frame.MAX_PAYLOAD + 1, 3, 9);
        assertTrue(Frame.verify(buf, -1, 3, 9).startsWith("payload length " + (Frame.MAX_PAYLOAD + 1)));
        Frame.header(buf, -5, 3, 9);
        assertTrue(Frame.verify(buf, -1, 3, 9).startsWith("payload length -5"));
    }

    @Test
    void thePatternOfOneMessageDoesNotPassForAnother() {
        byte[] buf = new byte[Frame.HEADER + 64];
        Frame.encode(buf, 64, 3, 9);
        // the same payload under another number: only the payload check can catch it
        Frame.header(buf, 64, 3, 10);
        assertEquals("payload byte 0 of 64 differs (connection 3 #10)", Frame.verify(buf, 64, 3, 10));
    }
}
