package dev.molt.net;

import dev.molt.CancelToken;
import dev.molt.Molt;
import dev.molt.MoltRuntime;
import dev.molt.Scope;
import dev.molt.Task;
import dev.molt.internal.Durations;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.Method;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An embedded HTTP and WebSocket server (on Helidon 4 WebServer) where every request is a Molt task under its own
 * token and every WebSocket session is a task of the server.
 *
 * <pre>{@code
 * MoltServer server = MoltServer.builder()
 *         .policy(NetPolicy.builder().listen(8080).build())
 *         .port(8080)
 *         .get("/hello", req -> Response.text("Hello"))
 *         .start();
 * }</pre>
 *
 * <p>The server itself is a task of its runtime (named {@code molt-server-PORT}) that owns a scope; request tokens
 * and WebSocket sessions hang below that scope's token. A request's token is cancelled when the client goes away
 * (seen when a write fails, and for SSE by a periodic heartbeat), when the request timeout (if set) passes, or when
 * the server stops.
 *
 * <p>{@link #stop(Duration)} is graceful: new requests get {@code 503}, in-flight exchanges may finish within the
 * grace period, then whatever is left is cancelled (WebSocket sessions are closed with 1001 "going away") and waited
 * for, and the listener is closed.
 *
 * <p>Thread-safe.
 */
public final class MoltServer implements AutoCloseable {
    // The builder's settings, copied at start: a builder reused afterwards changes nothing here.
    private final Duration requestTimeout;
    private final Duration sseHeartbeat;
    private final Duration wsPing;
    private final int maxWsFrame;
    private final int wsInbound;
    private final int wsOutbound;
    private final MoltRuntime runtime;
    /** Whether {@link #runtime} is the default one, the one current in Helidon's threads (they carry no context). */
    private final boolean onDefaultRuntime;
    private final Task<Void> serverTask;
    private final Scope scope;
    private final WebServer webServer;
    private static final Duration SESSION_WATCH_PERIOD = Duration.ofMillis(200);

    private final AtomicInteger inFlight = new AtomicInteger();
    private final Set<ServerWsListener> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CompletableFuture<Boolean> stopped = new CompletableFuture<>();

    private MoltServer(Builder b) throws Exception {
        this.requestTimeout = b.requestTimeout;
        this.sseHeartbeat = b.sseHeartbeat;
        this.wsPing = b.wsPing;
        this.maxWsFrame = b.maxWsFrame;
        this.wsInbound = b.wsInbound;
        this.wsOutbound = b.wsOutbound;
        this.runtime = b.runtime != null ? b.runtime : MoltRuntime.current();
        this.onDefaultRuntime = runtime == MoltRuntime.defaultRuntime();
        CompletableFuture<Scope> scopeRef = new CompletableFuture<>();
        this.serverTask = runtime.run(() -> Molt.spawn("molt-server-" + b.port, () -> {
            Molt.scope(s -> {
                scopeRef.complete(s);
                if (b.wsRoutes.isEmpty()) {
                    sleepUntilCancelled();
                } else {
                    watchSessions();
                }
                return null;
            });
        }));
        this.scope = scopeRef.get();
        try {
            this.webServer = buildWebServer(b);
            webServer.start();
            if (!webServer.isRunning()) { // Helidon logs a listener that failed to start (a taken port) and returns
                throw new IllegalStateException("the server could not start listening on " + b.host + ":" + b.port
                        + " (see the log above; is the port taken?)");
            }
        } catch (RuntimeException | Error e) {
            serverTask.cancel();
            serverTask.toFuture().handle((v, x) -> null).get(5, TimeUnit.SECONDS);
            throw e;
        }
    }

    private static void sleepUntilCancelled() throws InterruptedException {
        while (true) {
            Molt.sleep(Duration.ofDays(1));
        }
    }

    /**
     * Ends the sessions whose connection Helidon closed without calling the listener (one watcher for all
     * sessions is cheaper than a thread per session).
     */
    private void watchSessions() throws InterruptedException {
        while (true) {
            Molt.sleep(SESSION_WATCH_PERIOD);
            sessions.removeIf(session -> !session.checkConnection());
        }
    }

    private WebServer buildWebServer(Builder b) {
        HttpRouting.Builder routing = HttpRouting.builder();
        for (Route r : b.routes) {
            HttpHandler h = r.handler();
            routing.route(Method.create(r.method()), r.path(), (req, res) -> Exchange.handle(this, h, req, res));
        }
        WebServerConfig.Builder wb = WebServer.builder()
                .host(b.host)
                .port(b.port)
                .routing(routing)
                .maxPayloadSize(b.maxRequestBody)
                .shutdownGracePeriod(Duration.ofMillis(100))
                // Streams flush on purpose when the producer has nothing ready; Nagle would hold those small writes
                // back for the client's delayed ACK (40 ms).
                .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build());
        if (!b.wsRoutes.isEmpty()) {
            WsRouting.Builder ws = WsRouting.builder();
            for (WsRoute r : b.wsRoutes) {
                ws.endpoint(r.path(), () -> new ServerWsListener(this, r.handler()));
            }
            wb.addRouting(ws);
            wb.addProtocol(WsConfig.builder().name("websocket").maxFrameLength(b.maxWsFrame).build());
        }
        return wb.build();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the port the server listens on (the chosen one when configured with port 0) */
    public int port() {
        return webServer.port();
    }

    /** @return the token of the server's scope: cancelled when the server stops */
    public CancelToken token() {
        return scope.token();
    }

    /** @return whether {@link #stop} was called */
    public boolean isStopping() {
        return stopping.get();
    }

    /** @return the number of HTTP exchanges in progress (not counting WebSocket sessions) */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Stops gracefully: new requests are answered {@code 503}; in-flight exchanges get {@code grace} to finish; then
     * everything left (exchanges, WebSocket sessions, what they spawned) is cancelled and waited for (up to
     * {@code grace} again); then the listener closes. Idempotent: a second call waits for the first.
     *
     * @param grace how long in-flight work may take to finish before it is cancelled
     * @return whether everything ended, by itself or once cancelled, within the time given
     * @throws InterruptedException if interrupted while waiting
     * @throws NullPointerException if {@code grace} is null
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public boolean stop(Duration grace) throws InterruptedException {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative: " + grace);
        }
        if (!stopping.compareAndSet(false, true)) {
            try {
                return stopped.get();
            } catch (java.util.concurrent.ExecutionException e) {
                return false;
            }
        }
        boolean clean = true;
        boolean waited = false;
        try {
            long graceNanos = Durations.toNanos(grace, "grace"); // saturated: a grace of centuries is "forever"
            long deadline = Durations.deadline(graceNanos);
            while (inFlight.get() > 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(5);
            }
            serverTask.cancel();
            try {
                serverTask.toFuture().handle((v, x) -> null).get(Math.max(graceNanos, 100_000_000L),
                        TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                clean = false;
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e);
            }
            long left = Durations.deadline(graceNanos);
            while (inFlight.get() > 0 && System.nanoTime() - left < 0) {
                Thread.sleep(5);
            }
            clean &= inFlight.get() == 0;
            waited = true;
        } finally {
            if (!waited) { // interrupted (or failed) while waiting: still cancel everything, and say it was not clean
                serverTask.cancel();
                clean = false;
            }
            webServer.stop();
            stopped.complete(clean);
        }
        return clean;
    }

    /** Stops with a grace period of 5 seconds (see {@link #stop(Duration)}). */
    @Override
    public void close() {
        try {
            stop(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stop was cut short; the caller sees the flag
        }
    }

    // ---------------------------------------------------------------- for exchanges and sessions

    MoltRuntime runtime() {
        return runtime;
    }

    Scope scope() {
        return scope;
    }

    boolean onDefaultRuntime() {
        return onDefaultRuntime;
    }

    boolean enterRequest() {
        inFlight.incrementAndGet();
        if (stopping.get()) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    void exitRequest() {
        inFlight.decrementAndGet();
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    Duration sseHeartbeat() {
        return sseHeartbeat;
    }

    Set<ServerWsListener> sessions() {
        return sessions;
    }

    Duration wsPingInterval() {
        return wsPing;
    }

    int maxWebSocketMessage() {
        return maxWsFrame;
    }

    int wsInboundCapacity() {
        return wsInbound;
    }

    int wsOutboundCapacity() {
        return wsOutbound;
    }

    @Override
    public String toString() {
        return "MoltServer[port=" + (webServer.isRunning() ? port() : "-") + ", inFlight=" + inFlight.get()
                + (stopping.get() ? ", stopping" : "") + "]";
    }

    private record Route(String method, String path, HttpHandler handler) {
    }

    private record WsRoute(String path, WsHandler handler) {
    }

    /** Configures and starts a {@link MoltServer}; not thread-safe. */
    public static final class Builder {
        private NetPolicy policy = NetPolicy.fromSystemProperties();
        private MoltRuntime runtime;
        private String host = "0.0.0.0";
        private int port = 8080;
        private Duration requestTimeout;
        private Duration sseHeartbeat = Duration.ofMillis(500);
        private long maxRequestBody = 10L * 1024 * 1024;
        private int maxWsFrame = 64 * 1024;
        private int wsInbound = 16;
        private int wsOutbound = 16;
        private Duration wsPing = Duration.ofSeconds(30);
        private final List<Route> routes = new ArrayList<>();
        private final List<WsRoute> wsRoutes = new ArrayList<>();

        private Builder() {
        }

        /**
         * The capabilities: the port must be granted for listening. Defaults to
         * {@link NetPolicy#fromSystemProperties()} (deny all when nothing is configured).
         *
         * @param policy the policy
         * @return this builder
         * @throws NullPointerException if {@code policy} is null
         */
        public Builder policy(NetPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The runtime whose tasks requests and sessions are (default: the current one when {@link #start} runs).
         *
         * @param runtime the runtime
         * @return this builder
         * @throws NullPointerException if {@code runtime} is null
         */
        public Builder runtime(MoltRuntime runtime) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
            return this;
        }

        /**
         * The address to bind (default {@code 0.0.0.0}).
         *
         * @param host the address
         * @return this builder
         * @throws NullPointerException if {@code host} is null
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * The port (default 8080; 0 for an ephemeral one). It must be granted by the policy.
         *
         * @param port the port
         * @return this builder
         * @throws IllegalArgumentException if {@code port} is outside 0..65535
         */
        public Builder port(int port) {
            this.port = Checks.port(port);
            return this;
        }

        /**
         * A limit for every exchange, streamed responses included: its token is cancelled then, and an answer not
         * yet sent is {@code 503}. Default: none.
         *
         * @param timeout the limit
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Checks.positive(timeout, "timeout");
            return this;
        }

        /**
         * How often an idle SSE stream sends a comment line (default 500 ms): it finds a departed client within
         * about twice this period even while the producer sends nothing.
         *
         * @param period the period
         * @return this builder
         * @throws IllegalArgumentException if {@code period} is not positive
         */
        public Builder sseHeartbeat(Duration period) {
            this.sseHeartbeat = Checks.positive(period, "period");
            return this;
        }

        /**
         * The largest request body in bytes (default 10 MiB); a larger one is answered {@code 413}.
         *
         * @param bytes the limit
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes < 0}
         */
        public Builder maxRequestBody(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxRequestBody must not be negative: " + bytes);
            }
            this.maxRequestBody = bytes;
            return this;
        }

        /**
         * The largest WebSocket frame, and message, in bytes (default 64 KiB); a larger one closes the session with
         * 1009.
         *
         * @param bytes the limit
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes < 1}
         */
        public Builder maxWebSocketFrame(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxWebSocketFrame must be at least 1: " + bytes);
            }
            this.maxWsFrame = bytes;
            return this;
        }

        /**
         * Capacities of each WebSocket session's inbound and outbound channels (default 16 each). A full inbound
         * channel stops reading from the socket.
         *
         * @param inbound inbound capacity
         * @param outbound outbound capacity
         * @return this builder
         * @throws IllegalArgumentException if either is negative
         */
        public Builder webSocketBuffers(int inbound, int outbound) {
            if (inbound < 0 || outbound < 0) {
                throw new IllegalArgumentException("capacities must not be negative: " + inbound + ", " + outbound);
            }
            this.wsInbound = inbound;
            this.wsOutbound = outbound;
            return this;
        }

        /**
         * How often an idle WebSocket session pings its peer (default 30 s): a peer that vanished without closing
         * is found at the latest one period later.
         *
         * @param period the period
         * @return this builder
         * @throws IllegalArgumentException if {@code period} is not positive
         */
        public Builder webSocketPingInterval(Duration period) {
            this.wsPing = Checks.positive(period, "period");
            return this;
        }

        /**
         * Adds a route.
         *
         * @param method the HTTP method, e.g. {@code "GET"}
         * @param path the path pattern, e.g. {@code "/users/{id}"}
         * @param handler the handler
         * @return this builder
         * @throws NullPointerException if an argument is null
         */
        public Builder route(String method, String path, HttpHandler handler) {
            routes.add(new Route(Objects.requireNonNull(method, "method"), Objects.requireNonNull(path, "path"),
                    Objects.requireNonNull(handler, "handler")));
            return this;
        }

        /**
         * Adds a GET route.
         *
         * @param path the path pattern
         * @param handler the handler
         * @return this builder
         * @throws NullPointerException if an argument is null
         */
        public Builder get(String path, HttpHandler handler) {
            return route("GET", path, handler);
        }

        /**
         * Adds a POST route.
         *
         * @param path the path pattern
         * @param handler the handler
         * @return this builder
         * @throws NullPointerException if an argument is null
         */
        public Builder post(String path, HttpHandler handler) {
            return route("POST", path, handler);
        }

        /**
         * Adds a PUT route.
         *
         * @param path the path pattern
         * @param handler the handler
         * @return this builder
         * @throws NullPointerException if an argument is null
         */
        public Builder put(String path, HttpHandler handler) {
            return route("PUT", path, handler);
        }

        /**
         * Adds a DELETE route.
         *
         * @param path the path pattern
         * @param handler the handler
         * @return this builder
         * @throws NullPointerException if an argument is null
         */
        public Builder delete(String path, HttpHandler handler) {
            return route("DELETE", path, handler);
        }

        /**
         * Adds a WebSocket endpoint: each session runs {@code handler} as a task of the server.
         *
         * @param path the path
         * @param handler the session handler
         * @return this builder
         * @throws NullPointerException if an argument is null
         */
        public Builder websocket(String path, WsHandler handler) {
            wsRoutes.add(new WsRoute(Objects.requireNonNull(path, "path"), Objects.requireNonNull(handler,
                    "handler")));
            return this;
        }

        /**
         * Starts the server.
         *
         * @return the running server
         * @throws NetAccessDeniedException if the policy does not grant the port
         * @throws IllegalStateException if the listener cannot start (the port is taken, say)
         */
        public MoltServer start() {
            policy.checkListen(port);
            try {
                return new MoltServer(this);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("the server did not start", e);
            }
        }

    }
}
