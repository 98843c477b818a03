package dev.molt;

import java.util.concurrent.CancellationException;

/**
 * Thrown by a cancellation point (a blocking operation of Molt, {@link Molt#checkCancelled()},
 * {@link CancelToken#throwIfCancelled()}) when the current {@link CancelToken} is cancelled, and by
 * {@link Task#join()} for a task that ended {@link Task.State#CANCELLED}.
 *
 * <p>Its {@linkplain #getCause() cause} is the token's {@linkplain CancelToken#reason() reason} when that
 * reason is something other than a plain cancellation (a failure that cancelled a scope, a deadline, ...).
 */
public class CancelledException extends CancellationException {
    private static final long serialVersionUID = 1L;

    /** A cancellation with the message {@code "cancelled"} and no cause. */
    public CancelledException() {
        this("cancelled");
    }

    /** A cancellation with the given message and no cause. */
    public CancelledException(String message) {
        super(message);
    }

    /** A cancellation with the given message and cause; a {@code null} cause means none. */
    public CancelledException(String message, Throwable cause) {
        super(message);
        if (cause != null) {
            initCause(cause);
        }
    }
}
