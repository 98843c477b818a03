package dev.molt.net;

/**
 * The work a client does with one WebSocket session; see {@link WsClient#connect}.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface WsSessionBody<T> {
    /**
     * Uses the session; it is closed when this returns.
     *
     * @param session the session
     * @return a result for the caller of {@code connect}
     * @throws Exception anything: the session is closed (1011) and the exception thrown from {@code connect}
     */
    T run(WsSession session) throws Exception;
}
