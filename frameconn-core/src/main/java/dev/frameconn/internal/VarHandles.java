package dev.frameconn.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Finds the {@link VarHandle} of a field of the calling class, for the
 * counters and once-only flags that are plain volatile fields instead of an
 * atomic object each (an idle connection should cost little). Meant for a
 * static initialiser: a field that is not there is a bug in this library, so
 * it fails the class's initialisation.
 */
public final class VarHandles {
    private VarHandles() {}

    /**
     * @param lookup {@code MethodHandles.lookup()} of the class that declares the field
     * @param name the field's name
     * @param type the field's type
     * @return the field's handle
     * @throws ExceptionInInitializerError if there is no such field
     */
    public static VarHandle field(MethodHandles.Lookup lookup, String name, Class<?> type) {
        try {
            return lookup.findVarHandle(lookup.lookupClass(), name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
