package dev.molt;

/**
 * A body that returns nothing and may throw, for {@link Molt#spawn(Action)}: the {@code void} counterpart of
 * {@link java.util.concurrent.Callable}.
 */
@FunctionalInterface
public interface Action {
    /** Runs the body. */
    void run() throws Exception;
}
