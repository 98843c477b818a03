package dev.molt.spring;

import dev.molt.ReceiveChannel;
import dev.molt.SendChannel;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * What to do with one WebSocket session, given as channels: see {@link ChannelWebSocketHandler}. Runs as the
 * session's Molt task; when it returns, what it sent is written out and the session is closed.
 */
@FunctionalInterface
public interface WebSocketSessionBody {
    /**
     * Handles one session.
     *
     * @param session the Spring session (attributes, principal, URI; do not send through it directly)
     * @param inbound the messages the client sends, in order; iteration ends when the client closes the session
     * @param outbound messages to send to the client, in order; {@code send} blocks while the client is behind
     * @throws Exception anything: the session is then closed with status 1011 (server error)
     */
    void handle(WebSocketSession session, ReceiveChannel<WebSocketMessage<?>> inbound,
            SendChannel<WebSocketMessage<?>> outbound) throws Exception;
}
