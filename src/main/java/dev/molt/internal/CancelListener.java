package dev.molt.internal;

/**
 * Something told when a {@link Token} is cancelled: a child token, a waiting operation, a user callback.
 *
 * <p>Contract: {@link #onCancel} may be called more than once for one cancellation (by the canceller, and by a
 * registrant that raced with it), so it must be idempotent and cheap; it runs in the cancelling thread (or the
 * registering one) and must not block. Each implementation keeps its own "exactly once" state.
 */
public interface CancelListener {
    /** The token this listener is registered with was cancelled by {@code cancellation}. */
    void onCancel(Cancellation cancellation);
}
