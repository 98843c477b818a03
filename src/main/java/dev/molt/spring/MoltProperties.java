package dev.molt.spring;

import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code molt.*} configuration keys of the Spring Boot integration. Metadata for IDE completion is generated
 * from this class at build time.
 *
 * <p>Setters reject bad values when the context binds them: a null duration is a {@link NullPointerException}, a
 * negative duration or capacity an {@link IllegalArgumentException}; the context then fails to start, naming the
 * key.
 */
@ConfigurationProperties(prefix = "molt")
public class MoltProperties {

    /** Whether to auto-configure Molt at all. */
    private boolean enabled = true;

    /** Name of the application's Molt runtime (shown in task dumps, metrics tags and logs). */
    private String runtimeName = "spring";

    private final Shutdown shutdown = new Shutdown();
    private final Web web = new Web();
    private final Streaming streaming = new Streaming();
    private final WebSocket websocket = new WebSocket();

    /** Whether Molt is auto-configured (the switch itself is read by a condition; this mirrors it). */
    public boolean isEnabled() {
        return enabled;
    }

    /** Sets {@link #isEnabled()}. */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** The runtime's name. */
    public String getRuntimeName() {
        return runtimeName;
    }

    /**
     * Sets the runtime's name.
     *
     * @throws NullPointerException if {@code runtimeName} is null
     */
    public void setRuntimeName(String runtimeName) {
        this.runtimeName = Objects.requireNonNull(runtimeName, "runtimeName");
    }

    /** Shutdown settings ({@code molt.shutdown.*}). */
    public Shutdown getShutdown() {
        return shutdown;
    }

    /** Servlet request settings ({@code molt.web.*}). */
    public Web getWeb() {
        return web;
    }

    /** Channel streaming settings ({@code molt.streaming.*}). */
    public Streaming getStreaming() {
        return streaming;
    }

    /** WebSocket settings ({@code molt.websocket.*}). */
    public WebSocket getWebsocket() {
        return websocket;
    }

    static Duration nonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + d);
        }
        return d;
    }

    /** A deadline: zero would expire at once, so it must be positive. */
    static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        return d;
    }

    static int positive(int n, String name) {
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be at least 1: " + n);
        }
        return n;
    }

    /** {@code molt.shutdown.*}: what happens when the application context closes. */
    public static class Shutdown {
        /**
         * How long closing the context waits for Molt tasks to end after cancelling the runtime's root token.
         * Tasks still running then are logged by name and left behind.
         */
        private Duration grace = Duration.ofSeconds(30);

        /** The grace period. */
        public Duration getGrace() {
            return grace;
        }

        /**
         * Sets the grace period.
         *
         * @throws NullPointerException if {@code grace} is null
         * @throws IllegalArgumentException if {@code grace} is negative
         */
        public void setGrace(Duration grace) {
            this.grace = nonNegative(grace, "molt.shutdown.grace");
        }
    }

    /** {@code molt.web.*}: request-scoped cancellation in servlet web applications. */
    public static class Web {
        /** Whether every servlet request runs under its own cancellation token (a servlet filter). */
        private boolean enabled = true;

        /**
         * A deadline for every request: its token is cancelled (with a TimeoutException reason) after this long.
         * Unset means no deadline beyond the container's own async timeout.
         */
        private Duration requestTimeout;

        /** Order of the request filter; early, so that everything after it runs under the request's token. */
        private int filterOrder = org.springframework.core.Ordered.HIGHEST_PRECEDENCE + 20;

        /** Whether the request filter is installed. */
        public boolean isEnabled() {
            return enabled;
        }

        /** Sets {@link #isEnabled()}. */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** The request deadline, or null for none. */
        public Duration getRequestTimeout() {
            return requestTimeout;
        }

        /**
         * Sets the request deadline; null for none.
         *
         * @throws IllegalArgumentException if {@code requestTimeout} is not positive (zero would expire at once)
         */
        public void setRequestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout == null ? null : positive(requestTimeout, "molt.web.request-timeout");
        }

        /** The filter's order. */
        public int getFilterOrder() {
            return filterOrder;
        }

        /** Sets the filter's order. */
        public void setFilterOrder(int filterOrder) {
            this.filterOrder = filterOrder;
        }
    }

    /** {@code molt.streaming.*}: controllers that return a {@code ReceiveChannel}. */
    public static class Streaming {
        /** Whether controller methods may return a ReceiveChannel, streamed as SSE or NDJSON. */
        private boolean enabled = true;

        /**
         * The longest one write to one client may take. A client that does not take a write within it is treated
         * as gone: its stream is ended and its producer cancelled, so it holds nothing else up.
         */
        private Duration sendTimeout = Duration.ofSeconds(10);

        /**
         * How long an SSE stream may stay silent before a comment line is written to it; the write also finds
         * clients that went away while nothing was sent. Zero turns heartbeats off.
         */
        private Duration heartbeat = Duration.ofSeconds(15);

        /** The async request timeout of a stream; unset (the default) means a stream never times out. */
        private Duration timeout;

        /** Whether channel streaming is on. */
        public boolean isEnabled() {
            return enabled;
        }

        /** Sets {@link #isEnabled()}. */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** The per-write deadline. */
        public Duration getSendTimeout() {
            return sendTimeout;
        }

        /**
         * Sets the per-write deadline.
         *
         * @throws NullPointerException if {@code sendTimeout} is null
         * @throws IllegalArgumentException if {@code sendTimeout} is not positive (zero would expire at once)
         */
        public void setSendTimeout(Duration sendTimeout) {
            this.sendTimeout = positive(sendTimeout, "molt.streaming.send-timeout");
        }

        /** The heartbeat interval (zero: none). */
        public Duration getHeartbeat() {
            return heartbeat;
        }

        /**
         * Sets the heartbeat interval; zero for none.
         *
         * @throws NullPointerException if {@code heartbeat} is null
         * @throws IllegalArgumentException if {@code heartbeat} is negative
         */
        public void setHeartbeat(Duration heartbeat) {
            this.heartbeat = nonNegative(heartbeat, "molt.streaming.heartbeat");
        }

        /** The stream timeout, or null for none. */
        public Duration getTimeout() {
            return timeout;
        }

        /**
         * Sets the stream timeout; null for none.
         *
         * @throws IllegalArgumentException if {@code timeout} is not positive (zero would expire at once)
         */
        public void setTimeout(Duration timeout) {
            this.timeout = timeout == null ? null : positive(timeout, "molt.streaming.timeout");
        }
    }

    /** {@code molt.websocket.*}: channel-backed WebSocket handlers. */
    public static class WebSocket {
        /** Capacity of each session's inbound and outbound channels. */
        private int buffer = 16;

        /** The longest one outbound message may take to write; a session that does not take it is closed. */
        private Duration sendTimeout = Duration.ofSeconds(10);

        /** The channel capacity. */
        public int getBuffer() {
            return buffer;
        }

        /**
         * Sets the channel capacity.
         *
         * @throws IllegalArgumentException if {@code buffer} is less than 1
         */
        public void setBuffer(int buffer) {
            this.buffer = positive(buffer, "molt.websocket.buffer");
        }

        /** The per-message write deadline. */
        public Duration getSendTimeout() {
            return sendTimeout;
        }

        /**
         * Sets the per-message write deadline.
         *
         * @throws NullPointerException if {@code sendTimeout} is null
         * @throws IllegalArgumentException if {@code sendTimeout} is not positive (zero would expire at once)
         */
        public void setSendTimeout(Duration sendTimeout) {
            this.sendTimeout = positive(sendTimeout, "molt.websocket.send-timeout");
        }
    }
}
