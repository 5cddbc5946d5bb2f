package dev.frameconn.stream;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The state of one direction (sending or receiving) of a {@link StreamConn}:
 * one stream at a time, and a broken direction stays broken.
 *
 * <pre>
 *            claim (send, sendMessage, receive)
 *   IDLE  -------------------------------------->  ACTIVE
 *         <--------------------------------------
 *            the stream ended cleanly: END (also after an error trailer),
 *            or a send whose reader thread could not be made
 *
 *   ACTIVE --connection failure, protocol error, interrupt, abandoned receive-->  BROKEN (final)
 * </pre>
 * Lock-free: a claim is one compare-and-set, and no transition allocates.
 */
final class DirectionState {
    /** The states; their names appear in the messages of failed claims. */
    enum State {
        /** No stream under way: the next may start. */
        IDLE,
        /** A stream is under way. */
        ACTIVE,
        /** A stream failed so that the next frame is not the start of one: never usable again. */
        BROKEN
    }

    private final String name;
    private final AtomicReference<State> state = new AtomicReference<>(State.IDLE);

    /** @param name the direction's name in messages, e.g. {@code sendState} */
    DirectionState(String name) {
        this.name = name;
    }

    /** IDLE to ACTIVE, or an {@link IllegalStateException} naming the state it is in. */
    void claim() {
        if (!state.compareAndSet(State.IDLE, State.ACTIVE)) {
            throw new IllegalStateException(name + "=" + state.get()
                    + ": one stream at a time per direction, and a broken direction stays broken");
        }
    }

    /** The stream ended cleanly ({@code clean}) and the next may start, or the direction is broken. */
    void end(boolean clean) {
        state.set(clean ? State.IDLE : State.BROKEN);
    }

    State get() {
        return state.get();
    }

    @Override
    public String toString() {
        return state.get().name();
    }
}
