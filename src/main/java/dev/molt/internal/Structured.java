package dev.molt.internal;

import dev.molt.CancelToken;
import dev.molt.Task;
import dev.molt.TaskFailedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/** The structured combinators of the facade: {@code withToken}, {@code timeout}, {@code par}, {@code race}. */
public final class Structured {
    private Structured() {
    }

    /** {@code Molt.withToken}: rebinds the current token for a block; with never(), shields it. */
    public static <T> T withToken(CancelToken token, Callable<? extends T> body) throws Exception {
        Token t = Token.of(token);
        Objects.requireNonNull(body, "body");
        Context ctx = CurrentContext.get();
        if (t != Token.never()) {
            return CurrentContext.call(ctx.withToken(t), body);
        }
        TaskImpl<?> task = ctx.task();
        if (task != null) {
            task.enterShield();
            try {
                return CurrentContext.call(ctx.withToken(t), body);
            } finally {
                task.exitShield();
            }
        }
        // Not in a task: nobody interrupts for cancellation here, but a pending interrupt is set aside all the same.
        boolean setAside = Thread.interrupted();
        try {
            return CurrentContext.call(ctx.withToken(t), body);
        } finally {
            if (setAside) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Any checked exception from a scope that has no deadline cannot be a timeout. */
    public static <T> T scope(ScopeImpl.Kind kind, dev.molt.ScopeBody<? extends T> body) throws InterruptedException {
        Objects.requireNonNull(body, "body");
        try {
            return ScopeImpl.open(kind).run(body);
        } catch (TimeoutException impossible) {
            throw new AssertionError("a scope without a deadline timed out", impossible);
        }
    }

    public static <T> T timeout(long nanos, Callable<? extends T> body) throws InterruptedException, TimeoutException {
        Objects.requireNonNull(body, "body");
        ScopeImpl scope = ScopeImpl.open(ScopeImpl.Kind.SCOPE);
        scope.deadlineIn(nanos);
        return scope.run(s -> body.call());
    }

    public static <T> List<T> par(List<? extends Callable<? extends T>> bodies) throws InterruptedException {
        List<? extends Callable<? extends T>> all = checked(bodies);
        return scope(ScopeImpl.Kind.SCOPE, s -> {
            List<Task<? extends T>> tasks = new ArrayList<>(all.size());
            for (Callable<? extends T> b : all) {
                tasks.add(s.spawn(b));
            }
            List<T> results = new ArrayList<>(all.size());
            for (Task<? extends T> t : tasks) {
                results.add(t.join()); // a failure here is the scope's own, thrown once by the scope
            }
            return java.util.Collections.unmodifiableList(results);
        });
    }

    public static <T> T race(List<? extends Callable<? extends T>> bodies) throws InterruptedException {
        List<? extends Callable<? extends T>> all = checked(bodies);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("race needs at least one body");
        }
        ScopeImpl scope = ScopeImpl.open(ScopeImpl.Kind.RACE);
        AtomicReference<Object> winner = new AtomicReference<>();
        final Object none = winner; // a marker distinct from any result, even null
        winner.set(none);
        try {
            scope.run(s -> {
                for (Callable<? extends T> b : all) {
                    s.spawn(() -> {
                        T v = b.call();
                        if (winner.compareAndSet(none, v)) {
                            s.cancel();
                        }
                        return null;
                    });
                }
                return null;
            });
        } catch (TimeoutException impossible) {
            throw new AssertionError(impossible);
        }
        Object w = winner.get();
        if (w != none) {
            @SuppressWarnings("unchecked")
            T result = (T) w;
            return result;
        }
        List<Throwable> failures = scope.failures();
        if (failures.isEmpty()) {
            throw new dev.molt.CancelledException("every body of the race was cancelled");
        }
        TaskFailedException e = new TaskFailedException("every body of the race failed", failures.get(0));
        failures.subList(1, failures.size()).forEach(e::addSuppressed);
        throw e;
    }

    private static <C> List<C> checked(List<C> bodies) {
        Objects.requireNonNull(bodies, "bodies");
        for (int i = 0; i < bodies.size(); i++) {
            Objects.requireNonNull(bodies.get(i), "bodies[" + i + "]");
        }
        return List.copyOf(bodies);
    }
}
