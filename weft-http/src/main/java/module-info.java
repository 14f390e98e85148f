/**
 * Weft HTTP: a small HTTP/1.1 server whose handlers are written in blocking style, one
 * task per connection, on weft-core's TCP streams.
 */
module io.weft.http {
    requires transitive io.weft.core; // its API takes a Runtime and a TcpListener.Spread
    exports io.weft.http;
}
