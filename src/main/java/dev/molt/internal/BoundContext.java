package dev.molt.internal;

/** A {@link Context} made for a scope body, a {@code withToken} block or a runtime's root. */
public record BoundContext(RuntimeCore runtime, Token token, ScopeImpl scope, TaskImpl<?> task) implements Context {
}
