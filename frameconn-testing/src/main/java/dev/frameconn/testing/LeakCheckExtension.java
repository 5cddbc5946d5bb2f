package dev.frameconn.testing;

import dev.frameconn.buffer.BufferPool;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that fails a test which leaves socket descriptors,
 * platform threads or buffers of {@link BufferPool#shared()} behind:
 * {@code @ExtendWith(LeakCheckExtension.class)} on a test class.
 *
 * <p>Before each test it takes a {@link ResourceSnapshot}; after it, it waits up
 * to {@link #GRACE} for things that end asynchronously and then fails the test
 * with a description of every leak. Tests that use their own pools check those
 * themselves with {@link ResourceSnapshot#take(BufferPool...)}. Needs
 * {@code junit-jupiter-api} on the class path (an optional dependency of this
 * module).
 */
public final class LeakCheckExtension implements BeforeEachCallback, AfterEachCallback {
    /** How long the check waits for asynchronous endings: 10 s. */
    public static final Duration GRACE = Duration.ofSeconds(10);

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(LeakCheckExtension.class);

    /** Created by JUnit for {@code @ExtendWith}, or by a test for {@code @RegisterExtension}. */
    public LeakCheckExtension() {
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put(context.getUniqueId(), ResourceSnapshot.take(BufferPool.shared()));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ResourceSnapshot before = context.getStore(NAMESPACE).remove(context.getUniqueId(), ResourceSnapshot.class);
        if (before != null) {
            before.assertNoLeaks(GRACE);
        }
    }
}
