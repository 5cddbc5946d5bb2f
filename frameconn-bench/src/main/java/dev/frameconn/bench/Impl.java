package dev.frameconn.bench;

/** The implementations compared; {@link #label()} is the name used in the table and the JSON. */
public enum Impl {
    /** A plain blocking {@code SocketChannel} moving the same bytes with no framing logic: the ceiling. */
    RAW("raw"),
    /** Netty 4.2 on its NIO transport. */
    NETTY_NIO("netty-nio"),
    /** Netty 4.2 on its native epoll transport. */
    NETTY_EPOLL("netty-epoll"),
    /** frameconn over TCP. */
    FRAMECONN("frameconn"),
    /** Netty 4.2 NIO with {@code SslHandler} (JDK provider), TLS 1.3 with mutual authentication: tls workload only. */
    NETTY_NIO_TLS("netty-nio-tls"),
    /** frameconn over TLS 1.3 with mutual authentication (frameconn-tls): tls workload only. */
    FRAMECONN_TLS("frameconn-tls"),
    /** transfer workload: {@code frameconn send} reading standard input, {@code recv} writing standard output. */
    FRAMECONN_PIPE("frameconn-pipe"),
    /** transfer workload: OpenBSD netcat ({@code nc -d -l} / {@code nc -N}). */
    NC("nc"),
    /**
     * transfer workload: netcat with a SHA-256 at both ends, as a user would verify a copy by hand:
     * {@code tee FILE < in | sha256sum} beside {@code nc -N}, {@code nc -d -l | tee out | sha256sum}.
     */
    NC_SHA256("nc-sha256"),
    /** transfer workload: {@code socat -u} over plain TCP. */
    SOCAT("socat"),
    /** transfer workload: {@code mbuffer -I} / {@code mbuffer -O}, default buffer. */
    MBUFFER("mbuffer"),
    /** transfer workload: socat's {@code OPENSSL-LISTEN} / {@code OPENSSL}, TLS 1.3, both sides verifying. */
    SOCAT_TLS("socat-tls"),
    /** transfer workload: the stream layer (StreamConn over HeartbeatConn over FrameConn) in this JVM. */
    STREAM_LIB("stream-lib");

    private final String label;

    Impl(String label) {
        this.label = label;
    }

    /** The name in the table and in the JSON ({@code raw}, {@code netty-nio}, ...). */
    public String label() {
        return label;
    }

    /** The implementation called {@code label}. */
    public static Impl fromLabel(String label) {
        for (Impl impl : values()) {
            if (impl.label.equals(label)) {
                return impl;
            }
        }
        throw new IllegalArgumentException("impl=" + label
                + " is none of raw, netty-nio, netty-epoll, frameconn, netty-nio-tls, frameconn-tls, frameconn-pipe, nc, "
                + "socat, mbuffer, socat-tls, stream-lib");
    }
}
