package dev.molt.internal;

/**
 * What is current for the code running in a thread: the runtime, the token that cancellation points check,
 * the innermost scope (where spawned tasks go), and the task the code runs in (null outside tasks).
 * Immutable; a new one is bound for each task, scope body and {@code withToken} block.
 */
public record Context(RuntimeCore runtime, Token token, ScopeImpl scope, TaskImpl<?> task) {

    Context withToken(Token newToken) {
        return new Context(runtime, newToken, scope, task);
    }
}
