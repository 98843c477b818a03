package dev.molt;

/**
 * Thrown by {@link Task#join()} for a task whose body ended by an exception, and by {@link Molt#scope},
 * {@link Molt#supervisorScope}, {@link Molt#par}, {@link Molt#race} and {@link Molt#timeout} when something in
 * them failed. The {@linkplain #getCause() cause} is the first failure; later failures of the same scope are
 * {@linkplain #getSuppressed() suppressed} on this exception.
 */
public class TaskFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A failure report with the given message and cause (what the body threw). */
    public TaskFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
