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
    FRAMECONN("frameconn");

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
        throw new IllegalArgumentException("impl=" + label + " is none of raw, netty-nio, netty-epoll, frameconn");
    }
}
