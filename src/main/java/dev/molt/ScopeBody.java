package dev.molt;

/**
 * The body of a {@link Molt#scope(ScopeBody) scope}: runs in the caller's thread with the scope open, and may
 * spawn tasks into it through {@code scope} or {@link Molt#spawn}.
 *
 * @param <T> what the body returns, and so what {@code scope} returns
 */
@FunctionalInterface
public interface ScopeBody<T> {
    /** Runs the body inside {@code scope}. */
    T run(Scope scope) throws Exception;
}
