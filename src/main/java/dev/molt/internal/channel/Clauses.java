package dev.molt.internal.channel;

import dev.molt.SelectClause;
import java.util.function.Function;
import java.util.function.Supplier;

/** The four kinds of {@link SelectClause}: immutable descriptions, reusable across selects. */
final class Clauses {
    private Clauses() {
    }

    /** A clause on a channel: a send or a receive. */
    abstract static sealed class OnChannel<R> implements SelectClause<R> permits Send, Recv {
        final ChannelImpl<?> channel;

        OnChannel(ChannelImpl<?> channel) {
            this.channel = channel;
        }

        abstract boolean isSend();

        /** The value to send, or null for a receive. */
        abstract Object value();

        /** Runs the callback once the operation took effect ({@code received} is null for a send). */
        abstract R complete(Object received);
    }

    static final class Send<R> extends OnChannel<R> {
        private final Object value;
        private final Supplier<? extends R> then;

        Send(ChannelImpl<?> channel, Object value, Supplier<? extends R> then) {
            super(channel);
            this.value = value;
            this.then = then;
        }

        @Override
        boolean isSend() {
            return true;
        }

        @Override
        Object value() {
            return value;
        }

        @Override
        R complete(Object received) {
            return then.get();
        }
    }

    static final class Recv<R> extends OnChannel<R> {
        private final Function<Object, ? extends R> then;

        @SuppressWarnings("unchecked")
        Recv(ChannelImpl<?> channel, Function<?, ? extends R> then) {
            super(channel);
            this.then = (Function<Object, ? extends R>) then;
        }

        @Override
        boolean isSend() {
            return false;
        }

        @Override
        Object value() {
            return null;
        }

        @Override
        R complete(Object received) {
            return then.apply(received);
        }
    }

    /** {@code onDefault}. */
    record Default<R>(Supplier<? extends R> then) implements SelectClause<R> {
    }

    /** {@code onTimeout}. */
    record Timeout<R>(long nanos, Supplier<? extends R> then) implements SelectClause<R> {
    }
}
