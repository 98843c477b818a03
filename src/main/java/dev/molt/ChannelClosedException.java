package dev.molt;

/**
 * Thrown by a channel operation that cannot proceed because the channel is closed: any send after
 * {@link SendChannel#close()}, and any receive once the channel is closed and drained.
 *
 * <p>When the channel was closed with {@link SendChannel#close(Throwable)}, the reason is this
 * exception's {@linkplain #getCause() cause}.
 */
public class ChannelClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** A closed-channel exception with the given message and no cause. */
    public ChannelClosedException(String message) {
        super(message);
    }

    /** A closed-channel exception with the given message and the close reason, which may be {@code null}. */
    public ChannelClosedException(String message, Throwable closeReason) {
        super(message, closeReason);
    }
}
