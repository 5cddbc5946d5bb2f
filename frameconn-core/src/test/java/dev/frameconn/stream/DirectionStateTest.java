package dev.frameconn.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The state machine of one stream direction, as drawn in {@link DirectionState}. */
class DirectionStateTest {
    private final DirectionState state = new DirectionState("sendState");

    @Test
    void oneStreamAtATimeThenTheNext() {
        assertThat(state.get()).isEqualTo(DirectionState.State.IDLE);
        state.claim();
        assertThat(state.get()).isEqualTo(DirectionState.State.ACTIVE);
        assertThatThrownBy(state::claim).isInstanceOf(IllegalStateException.class)
                .hasMessage("sendState=ACTIVE: one stream at a time per direction, and a broken direction stays broken");
        state.end(true);
        assertThat(state).hasToString("IDLE");
        state.claim();
    }

    @Test
    void aBrokenDirectionStaysBroken() {
        state.claim();
        state.end(false);
        assertThat(state).hasToString("BROKEN");
        assertThatThrownBy(state::claim).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("sendState=BROKEN:");
        assertThat(state.get()).isEqualTo(DirectionState.State.BROKEN);
    }
}
