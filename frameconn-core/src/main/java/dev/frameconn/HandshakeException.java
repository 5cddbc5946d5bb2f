package dev.frameconn;

/**
 * Setting up a connection failed in a security handshake that runs before the
 * first frame (for example TLS): the peer was reached, but no frame can be
 * exchanged with it.
 *
 * <p>This is the one non-sealed branch of {@link FrameConnException}, because
 * the handshake belongs to a module the core does not know
 * ({@code dev.frameconn.tls.TlsHandshakeException} in frameconn-tls is the
 * subtype frameconn ships). A caller that switches over the family handles
 * this branch as a whole, and looks at the subtype for the reason.
 */
public abstract non-sealed class HandshakeException extends FrameConnException {
    private static final long serialVersionUID = 1L;

    /**
     * A handshake failure with a message that names the peer and the reason.
     *
     * @param message what failed, for a person
     * @param cause the underlying failure, or null
     */
    protected HandshakeException(String message, Throwable cause) {
        super(message, cause);
    }
}
