package dev.molt.internal;

import dev.molt.Action;
import java.util.Objects;
import java.util.concurrent.Callable;

/** Adapts an {@link Action} to a {@link Callable}. */
public final class Actions {
    private Actions() {
    }

    /** {@code action} as a callable that returns null; null-checked here so the message names the body. */
    public static Callable<Void> callable(Action action) {
        Objects.requireNonNull(action, "body");
        return () -> {
            action.run();
            return null;
        };
    }
}
