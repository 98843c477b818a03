package dev.molt.internal;

import java.util.concurrent.Callable;

/**
 * Carries the current {@link Context} of a thread: a {@code ScopedValue} on JDK 25+, a thread-local on JDK
 * 21-24 (see {@link Carriers}). Bindings nest and are undone when their block ends, on both. Used by threads
 * that are not Molt tasks: a task's context, and the blocks its code binds, are kept by the task's token (see
 * {@link CurrentContext#bound()}).
 */
public interface ContextCarrier {

    /** The context bound in this thread, or null if none is. */
    Context current();

    /** Runs {@code body} in this thread with {@code context} bound, then restores what was bound before. */
    <T> T call(Context context, Callable<? extends T> body) throws Exception;

    /** The carrier's name, as {@code -Ddev.molt.carrier} spells it: {@code scoped-value} or {@code thread-local}. */
    String name();
}
