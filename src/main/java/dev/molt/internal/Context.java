package dev.molt.internal;

/**
 * What is current for the code running in a thread: the runtime, the token that cancellation points check,
 * the innermost scope (where spawned tasks go), and the task the code runs in (null outside tasks).
 *
 * <p>A running task's own {@link TaskToken} is its context (so a task binds no extra object); scope bodies,
 * {@code withToken} blocks and runtime roots bind a {@link BoundContext}. Contexts are immutable while bound.
 */
public interface Context {
    RuntimeCore runtime();

    Token token();

    ScopeImpl scope();

    TaskImpl<?> task();

    /** This context with {@code newToken} as the current token. */
    default Context withToken(Token newToken) {
        return new BoundContext(runtime(), newToken, scope(), task());
    }
}
