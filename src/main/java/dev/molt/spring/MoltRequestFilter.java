package dev.molt.spring;

import dev.molt.CancelToken;
import dev.molt.Molt;
import dev.molt.MoltRuntime;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import org.springframework.core.Ordered;

/**
 * Runs every servlet request under its own {@link CancelToken}, a child of the runtime's root token, with the
 * application's {@link MoltRuntime} current. Inside a controller, {@link Molt#cancelled()} and
 * {@link Molt#checkCancelled()} read the request's token, and {@link Molt#spawn} makes tasks whose tokens are its
 * children, in the application's runtime.
 *
 * <p>The token is cancelled:
 * <ul>
 *   <li>when the request ends: when the filter chain returns, or, for a request that went async (streams,
 *       {@code DeferredResult}, ...), when the async request completes;</li>
 *   <li>when an async request times out (reason: {@link TimeoutException}) or the container reports an error
 *       on it ({@code AsyncListener.onError}, which is how containers report a client that went away while a
 *       request is async; reason: that error);</li>
 *   <li>when {@code molt.web.request-timeout} passes (reason: {@link TimeoutException});</li>
 *   <li>when the runtime shuts down (the application context closes).</li>
 * </ul>
 * A synchronous request gets no signal when its client goes away: the Servlet API reports that only as a failed
 * write, and the channel streaming of this package turns such failures into cancellation. Tasks spawned during
 * the request and still running when it ends are cancelled with it: to start work that outlives a request, spawn
 * it under {@code runtime.run(...)} from a bean, or under {@code Molt.withToken(runtime.rootToken(), ...)}.
 *
 * <p>A later dispatch of the request (async, error) runs under the same token, except an error dispatch that
 * comes after the token was cancelled (a handler threw, and the container renders its error page once the first
 * dispatch has returned): that one runs under a fresh child of the root token, cancelled when it ends.
 *
 * <p>The token is also stored as the request attribute {@link #TOKEN_ATTRIBUTE}; {@link #requestToken} reads it.
 */
public class MoltRequestFilter implements Filter, Ordered {
    /** The request attribute that holds the request's {@link CancelToken}. */
    public static final String TOKEN_ATTRIBUTE = MoltRequestFilter.class.getName() + ".TOKEN";

    private final MoltRuntime runtime;
    private final Duration requestTimeout;
    private final int order;

    /**
     * @param runtime the runtime requests run in
     * @param requestTimeout a deadline for every request, or null for none
     * @param order the filter's order
     * @throws NullPointerException if {@code runtime} is null
     * @throws IllegalArgumentException if {@code requestTimeout} is negative
     */
    public MoltRequestFilter(MoltRuntime runtime, Duration requestTimeout, int order) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.requestTimeout = requestTimeout == null ? null : MoltProperties.nonNegative(requestTimeout, "requestTimeout");
        this.order = order;
    }

    /**
     * The token of {@code request}, or null if the request did not pass this filter.
     *
     * @throws NullPointerException if {@code request} is null
     */
    public static CancelToken requestToken(ServletRequest request) {
        Objects.requireNonNull(request, "request");
        return request.getAttribute(TOKEN_ATTRIBUTE) instanceof CancelToken t ? t : null;
    }

    @Override
    public int getOrder() {
        return order;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        CancelToken existing = requestToken(request);
        if (existing != null && !(existing.cancelled() && request.getDispatcherType() == DispatcherType.ERROR)) {
            // A later dispatch (async, forward, error) of a request that already has a token: run under it, and
            // leave its cancellation to the dispatch that made it.
            runUnder(existing, request, response, chain);
            return;
        }
        // A new request, or the ERROR dispatch that follows a dispatch that ended (and cancelled its token) with
        // an error: the error page gets a live token of its own, ended with it like a request's.
        CancelToken root = runtime.rootToken();
        CancelToken token = requestTimeout == null ? root.child() : root.childWithTimeout(requestTimeout);
        request.setAttribute(TOKEN_ATTRIBUTE, token);
        try {
            runUnder(token, request, response, chain);
        } finally {
            if (request.isAsyncStarted()) {
                // Adding a listener is allowed until this (the initial) dispatch returns; completion cannot
                // happen before then, so onComplete is never missed.
                request.getAsyncContext().addListener(new TokenCanceller(token));
            } else {
                token.cancel();
            }
        }
    }

    private void runUnder(CancelToken token, ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        try {
            runtime.run(() -> Molt.withToken(token, () -> {
                chain.doFilter(request, response);
                return null;
            }));
        } catch (IOException | ServletException | RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new ServletException(e);
        }
    }

    /** Cancels a request's token when its async processing ends, one way or another. */
    private record TokenCanceller(CancelToken token) implements AsyncListener {
        @Override
        public void onComplete(AsyncEvent event) {
            token.cancel();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            token.cancel(new TimeoutException("the async request timed out"));
        }

        @Override
        public void onError(AsyncEvent event) {
            Throwable t = event.getThrowable();
            token.cancel(t != null ? t : new IOException("the container reported an error on the async request"));
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // A new async cycle of the same request (e.g. after a dispatch): listen to it as well.
            event.getAsyncContext().addListener(this);
        }
    }
}
