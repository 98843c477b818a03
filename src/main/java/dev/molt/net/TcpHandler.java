package dev.molt.net;

import java.net.Socket;

/**
 * Serves one TCP connection of a {@link TcpServer}, as a task of the server under the connection's own token. The
 * socket is closed when this returns, and also when the token is cancelled (so a blocked read wakes up).
 */
@FunctionalInterface
public interface TcpHandler {
    /**
     * Serves the connection.
     *
     * @param socket the connected socket
     * @throws Exception anything: it is logged at ERROR (an I/O error or a cancellation at DEBUG) and the
     *     connection closed; other connections go on
     */
    void handle(Socket socket) throws Exception;
}
