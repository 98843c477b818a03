package dev.molt.internal;

import dev.molt.CancelledException;

/**
 * The reason of a plain cancellation ({@code cancel()}, {@code Task.cancel()}, {@code Scope.cancel()}, shutdown):
 * a {@link CancelledException} without a stack trace. Filling one in costs microseconds, which request-scoped code
 * pays on every request; the exceptions that cancellation points throw still carry theirs.
 */
final class CancelReason extends CancelledException {
    private static final long serialVersionUID = 1L;

    CancelReason(String message) {
        super(message);
    }

    @Override
    public Throwable fillInStackTrace() { // no stack: see the class comment
        return this;
    }
}
