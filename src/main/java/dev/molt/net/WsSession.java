package dev.molt.net;

import dev.molt.CancelToken;
import dev.molt.ReceiveChannel;
import dev.molt.SendChannel;

/**
 * A WebSocket session as two bounded channels: {@link #in()} delivers the peer's messages (while it is full the
 * socket is not read, so a slow consumer slows the peer down through TCP) and {@link #out()} takes messages to send
 * ({@code send} blocks while it is full, so a peer that does not read slows the sender down instead of growing
 * memory). Ping, pong and the close handshake are handled underneath.
 *
 * <p>The session ends when either side closes: when the peer closes, {@link #in()} is closed and the session's token
 * cancelled; closing {@link #out()} (or {@link #close}) sends what is queued, then the close frame. Thread-safe.
 */
public interface WsSession {
    /** @return the peer's messages, in order; closed when the peer closes */
    ReceiveChannel<WsMessage> in();

    /** @return the messages to send; close it to end the session normally after they are sent */
    SendChannel<WsMessage> out();

    /**
     * Sends a text message: {@code out().send(WsMessage.text(text))}.
     *
     * @param text the text
     * @throws InterruptedException if interrupted while waiting for room
     * @throws NullPointerException if {@code text} is null
     * @throws dev.molt.ChannelClosedException if the session is closing
     */
    default void send(String text) throws InterruptedException {
        out().send(WsMessage.text(text));
    }

    /** @return the session's token: cancelled when the session ends */
    CancelToken token();

    /**
     * Closes the session with a status code and reason: queued messages are dropped, the close frame is sent.
     * Idempotent.
     *
     * @param code a close code (1000 normal, 1001 going away, 1008 policy violation, 1011 server error, ...)
     * @param reason a short reason (at most 123 UTF-8 bytes are sent)
     * @throws NullPointerException if {@code reason} is null
     * @throws IllegalArgumentException if no endpoint may send {@code code} (outside 1000-4999, or 1004, 1005,
     *     1006, 1015 or 1016-2999)
     */
    void close(int code, String reason);

    /** Closes normally (1000) after the queued messages are sent: {@code out().close()}. */
    default void close() {
        out().close();
    }
}
