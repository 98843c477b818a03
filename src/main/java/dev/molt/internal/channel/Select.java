package dev.molt.internal.channel;

import dev.molt.SelectClause;
import java.time.Duration;
import java.util.function.Supplier;

/** {@code select} and its non-channel clauses. (Being implemented.) */
public final class Select {
    private Select() {
    }

    @SafeVarargs
    public static <R> R select(SelectClause<? extends R>... clauses) throws InterruptedException {
        throw new UnsupportedOperationException("select is not implemented yet");
    }

    public static <R> SelectClause<R> onDefault(Supplier<? extends R> then) {
        throw new UnsupportedOperationException("select is not implemented yet");
    }

    public static <R> SelectClause<R> onTimeout(Duration after, Supplier<? extends R> then) {
        throw new UnsupportedOperationException("select is not implemented yet");
    }
}
