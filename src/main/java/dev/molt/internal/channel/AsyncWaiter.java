package dev.molt.internal.channel;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The waiter of {@code sendAsync}/{@code recvAsync}: instead of unparking a thread, its completion completes a
 * future. The future is the caller's way to withdraw: every way of completing it from outside ({@code cancel},
 * {@code complete}, {@code completeExceptionally}, {@code completeAsync}, and {@code orTimeout} and
 * {@code completeOnTimeout}, which call {@code complete} and {@code completeExceptionally}) first tries to leave
 * the wait queue; if a partner already won the waiter, the withdrawal fails and the future completes with the real
 * outcome. {@code completeAsync} is overridden because the JDK's completes the future internally, past
 * {@code complete}. The {@code obtrude} methods withdraw too, then force the outcome, as they do on any future
 * (after a partner won, an obtruded value replaces what was received).
 */
final class AsyncWaiter<V> extends Waiter {
    final Bridge future = new Bridge();

    AsyncWaiter(ChannelImpl<?> channel, boolean send, Object item) {
        super(null, channel, send, item);
    }

    @Override
    void fire(Node n) {
        if (closedOutcome()) {
            future.settle(null, send ? channel.closedForSend() : channel.closedForRecv());
            if (send) {
                channel.undelivered(item);
            }
        } else {
            @SuppressWarnings("unchecked")
            V v = send ? null : (V) n.item;
            future.settle(v, null);
        }
    }

    /** Leaves the queue if still waiting; a withdrawn send's value goes to the channel's undelivered hook. */
    private boolean withdraw() {
        if (!tryLeave()) {
            return false;
        }
        channel.unlink(this);
        if (send) {
            channel.undelivered(item);
        }
        return true;
    }

    /** The future handed to the caller. */
    final class Bridge extends CompletableFuture<V> {
        void settle(V value, Throwable failure) {
            if (failure != null) {
                super.completeExceptionally(failure);
            } else {
                super.complete(value);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return withdraw() && super.cancel(mayInterruptIfRunning);
        }

        @Override
        public boolean complete(V value) {
            return withdraw() && super.complete(value);
        }

        @Override
        public boolean completeExceptionally(Throwable ex) {
            Objects.requireNonNull(ex, "ex");
            return withdraw() && super.completeExceptionally(ex);
        }

        @Override
        public CompletableFuture<V> completeAsync(Supplier<? extends V> supplier, Executor executor) {
            Objects.requireNonNull(supplier, "supplier");
            Objects.requireNonNull(executor, "executor");
            executor.execute(() -> {
                if (isDone()) {
                    return; // as the JDK's: the supplier is not called for a future already completed
                }
                V value;
                try {
                    value = supplier.get();
                } catch (Throwable e) {
                    completeExceptionally(e);
                    return;
                }
                complete(value);
            });
            return this;
        }

        @Override
        public CompletableFuture<V> completeAsync(Supplier<? extends V> supplier) {
            return completeAsync(supplier, defaultExecutor());
        }

        @Override
        public void obtrudeValue(V value) {
            withdraw();
            super.obtrudeValue(value);
        }

        @Override
        public void obtrudeException(Throwable ex) {
            Objects.requireNonNull(ex, "ex");
            withdraw();
            super.obtrudeException(ex);
        }
    }
}
