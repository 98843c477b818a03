package dev.molt.net;

/**
 * Runs one WebSocket session on the server. It runs as a task of the server, under the session's token; when it
 * returns (or throws), queued outbound messages are sent and the session is closed (1000, or 1011 after a failure,
 * or 1001 when the server stops).
 */
@FunctionalInterface
public interface WsHandler {
    /**
     * Handles the session, typically {@code for (WsMessage m : session.in()) ...}.
     *
     * @param session the session
     * @throws Exception anything: it closes the session with 1011 and is logged at ERROR
     *     ({@link dev.molt.CancelledException} closes it quietly)
     */
    void handle(WsSession session) throws Exception;
}
