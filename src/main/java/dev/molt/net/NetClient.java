package dev.molt.net;

import dev.molt.Molt;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * An HTTP client (on the JDK's {@code java.net.http.HttpClient}) that connects only to hosts its {@link NetPolicy}
 * allows, and whose {@code send} is a cancellation point of the current Molt token.
 *
 * <p>It never follows redirects by itself (a redirect could lead to a host that is not allowed): a {@code 3xx} is
 * returned as it is, and a caller that follows its {@code Location} sends a new request, which is checked again.
 * It uses no proxy. A refused target throws {@link NetAccessDeniedException} before any name lookup.
 *
 * <pre>{@code
 * try (NetClient http = NetClient.create(NetPolicy.builder().connect("api.example.com").build())) {
 *     String body = http.get(URI.create("https://api.example.com/v1/status")).body();
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class NetClient implements AutoCloseable {
    private final NetPolicy policy;
    private final HttpClient http;

    private NetClient(NetPolicy policy, Duration connectTimeout) {
        this.policy = policy;
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(connectTimeout)
                .build();
    }

    /**
     * A client with a connect timeout of 10 s.
     *
     * @param policy what it may connect to
     * @return the client
     * @throws NullPointerException if {@code policy} is null
     */
    public static NetClient create(NetPolicy policy) {
        return create(policy, Duration.ofSeconds(10));
    }

    /**
     * A client.
     *
     * @param policy what it may connect to
     * @param connectTimeout the connect timeout
     * @return the client
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code connectTimeout} is not positive
     */
    public static NetClient create(NetPolicy policy, Duration connectTimeout) {
        Objects.requireNonNull(policy, "policy");
        return new NetClient(policy, Checks.positive(connectTimeout, "connectTimeout"));
    }

    /**
     * Sends a request and waits for the response; cancelling the current token aborts the exchange and throws
     * {@link dev.molt.CancelledException}.
     *
     * @param request the request
     * @param handler how to read the body
     * @param <T> the body type
     * @return the response
     * @throws NetAccessDeniedException if the policy does not allow the request's host
     * @throws IOException if the exchange fails
     * @throws InterruptedException if interrupted while waiting
     * @throws NullPointerException if an argument is null
     */
    @SuppressWarnings("try") // the cancel registration is held while waiting, not used
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(handler, "handler");
        policy.checkConnect(request.uri());
        Molt.checkCancelled();
        CompletableFuture<HttpResponse<T>> f = http.sendAsync(request, handler);
        try (AutoCloseable reg = Molt.currentToken().onCancel(() -> f.cancel(true))) {
            return f.get();
        } catch (CancellationException e) {
            Molt.checkCancelled();
            throw e;
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) { // closing the registration declares Exception; it throws none
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code GET uri}, the body as a string.
     *
     * @param uri the target
     * @return the response
     * @throws NetAccessDeniedException if the policy does not allow the host
     * @throws IOException if the exchange fails
     * @throws InterruptedException if interrupted while waiting
     * @throws NullPointerException if {@code uri} is null
     */
    public HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        Objects.requireNonNull(uri, "uri");
        return send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Releases the underlying client; exchanges in progress are aborted. */
    @Override
    public void close() {
        http.shutdownNow();
    }
}
