package dev.molt.internal.channel;

import java.util.concurrent.CompletableFuture;

/**
 * The waiter of {@code sendAsync}/{@code recvAsync}: instead of unparking a thread, its completion completes a
 * future. The future is the caller's way to withdraw: {@code cancel}, {@code complete} or
 * {@code completeExceptionally} by anyone but the channel first tries to leave the wait queue; if a partner
 * already won the waiter, the withdrawal fails and the future completes with the real outcome.
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
            java.util.Objects.requireNonNull(ex, "ex");
            return withdraw() && super.completeExceptionally(ex);
        }
    }
}
