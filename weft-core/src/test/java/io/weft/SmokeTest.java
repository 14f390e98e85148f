package io.weft;

import io.weft.net.TcpListener;
import io.weft.net.TcpStream;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SmokeTest {
    @Test
    void echo() throws Exception {
        String r = Weft.run(() -> {
            try (TcpListener l = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
                Task<Void> server = Weft.spawn(() -> {
                    try (TcpStream s = l.accept()) {
                        byte[] b = new byte[5];
                        s.readFully(b);
                        s.writeAll(b);
                    }
                });
                try (TcpStream c = TcpStream.connect(l.localAddress(), Duration.ofSeconds(2))) {
                    c.writeAll("hello".getBytes());
                    byte[] b = new byte[5];
                    c.readFully(b);
                    assertArrayEquals("hello".getBytes(), b);
                }
                server.join();
                Weft.sleep(Duration.ofMillis(5));
                return Weft.runtime().schedulerMode() + "/" + Weft.runtime().backend();
            }
        });
        System.out.println("mode " + r);
        assertEquals(true, r.endsWith("nio"));
    }
}
