package dev.molt.net;

/**
 * Handles one HTTP request. It runs as a Molt task under the request's own token (cancelled when the client goes
 * away, the request times out or the server stops), inside a scope: whatever it spawns belongs to the request and
 * is waited for (and cancelled with it) before the exchange ends.
 */
@FunctionalInterface
public interface HttpHandler {
    /**
     * Handles the request.
     *
     * @param request the request
     * @return the response; {@code null} means {@code 204 No Content}
     * @throws Exception anything: an unexpected exception answers {@code 500} and is logged at ERROR;
     *     a {@link dev.molt.CancelledException} ends the exchange quietly
     */
    Response handle(Request request) throws Exception;
}
