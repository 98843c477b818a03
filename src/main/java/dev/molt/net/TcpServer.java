package dev.molt.net;

import dev.molt.CancelledException;
import dev.molt.Molt;
import dev.molt.MoltRuntime;
import dev.molt.Task;
import dev.molt.internal.Durations;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP server for protocols other than HTTP: one Molt task per connection, in the scope of an accept loop that is
 * itself a task ({@code molt-tcp-server-PORT}). Stopping closes the listener, lets connections finish within a grace
 * period, then cancels them (closing their sockets) and waits. An accept that fails while the listener is open
 * (too many open files, say) is logged at WARN and tried again after a pause (10 ms, doubling up to 1 s).
 *
 * <pre>{@code
 * TcpServer echo = TcpServer.builder()
 *         .policy(NetPolicy.builder().listen(7000).build())
 *         .port(7000)
 *         .handler(socket -> socket.getInputStream().transferTo(socket.getOutputStream()))
 *         .start();
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class TcpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpServer.class);

    private final ServerSocket listener;
    private final TcpHandler handler;
    private final Task<Void> acceptTask;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicBoolean stopping = new AtomicBoolean();

    private TcpServer(Builder b) throws Exception {
        this.handler = b.handler;
        this.listener = b.listenerFactory.get();
        try {
            listener.bind(new InetSocketAddress(InetAddress.getByName(b.host), b.port), b.backlog);
            MoltRuntime runtime = b.runtime != null ? b.runtime : MoltRuntime.current();
            this.acceptTask = runtime.run(
                    () -> Molt.spawn("molt-tcp-server-" + listener.getLocalPort(), this::acceptLoop));
        } catch (Throwable t) {
            closeQuietly(listener); // a refused start (a runtime shut down) must not keep the port
            throw t;
        }
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    @SuppressWarnings("try") // the cancel registration is held, not used
    private void acceptLoop() throws InterruptedException {
        try (AutoCloseable closeOnCancel = Molt.currentToken().onCancel(this::closeListener)) {
            Molt.scope(s -> {
                long backoffMillis = 0;
                while (true) {
                    Socket socket;
                    try {
                        socket = listener.accept();
                        backoffMillis = 0;
                    } catch (IOException e) {
                        if (stopping.get() || Molt.cancelled()) {
                            return null; // the scope now waits for the connections
                        }
                        if (listener.isClosed()) {
                            throw e;
                        }
                        // A failure of this accept only (too many open files, a connection reset before it was
                        // accepted): the server goes on, as servers do, after a pause that grows while it repeats.
                        backoffMillis = backoffMillis == 0 ? 10 : Math.min(backoffMillis * 2, 1_000);
                        LOG.warn("TcpServer on port {}: accept failed ({}); retrying in {} ms", port(), e.toString(),
                                backoffMillis);
                        try {
                            Molt.sleep(Duration.ofMillis(backoffMillis));
                        } catch (CancelledException stopped) {
                            return null; // stopped during the pause: as a stop during accept
                        }
                        continue;
                    }
                    connections.incrementAndGet();
                    try {
                        s.spawn("molt-tcp-conn", () -> serve(socket));
                    } catch (RuntimeException e) {
                        connections.decrementAndGet();
                        closeQuietly(socket);
                        throw e;
                    }
                }
            });
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("try") // the cancel registration is held, not used
    private void serve(Socket socket) {
        try (socket; AutoCloseable closeOnCancel = Molt.currentToken().onCancel(() -> closeQuietly(socket))) {
            handler.handle(socket);
        } catch (CancelledException | InterruptedException | IOException e) {
            LOG.debug("TCP connection from {} ended: {}", socket.getRemoteSocketAddress(), e.toString());
        } catch (Throwable e) { // an Error too: rethrown, it would fail the accept loop's scope and end the server
            LOG.error("TCP connection handler failed ({})", socket.getRemoteSocketAddress(), e);
        } finally {
            connections.decrementAndGet();
        }
    }

    /** @return the port listened on (the chosen one when configured with port 0) */
    public int port() {
        return listener.getLocalPort();
    }

    /** @return the number of open connections */
    public int connections() {
        return connections.get();
    }

    /**
     * Stops: closes the listener, gives open connections {@code grace} to end, then cancels them and waits for them
     * (up to {@code grace} again). Idempotent.
     *
     * @param grace how long connections may go on
     * @return whether everything ended, by itself or once cancelled, within the time given
     * @throws InterruptedException if interrupted while waiting (the connections are cancelled then)
     * @throws NullPointerException if {@code grace} is null
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public boolean stop(Duration grace) throws InterruptedException {
        long graceNanos = Durations.toNanos(grace, "grace"); // saturated: a grace of centuries is "forever"
        stopping.set(true);
        closeListener();
        try {
            acceptTask.toFuture().handle((v, x) -> null).get(graceNanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            acceptTask.cancel();
        } catch (InterruptedException e) { // cut short: the connections are cancelled all the same
            acceptTask.cancel();
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        try {
            acceptTask.toFuture().handle((v, x) -> null).get(Math.max(graceNanos, 100_000_000L),
                    TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        }
    }

    /** Stops with a grace period of 5 seconds. */
    @Override
    public void close() {
        try {
            stop(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stop was cut short; the caller sees the flag
        }
    }

    private void closeListener() {
        closeQuietly(listener);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("close failed", e);
        }
    }

    @Override
    public String toString() {
        return "TcpServer[port=" + port() + ", connections=" + connections.get() + "]";
    }

    /** A supplier that may throw {@link IOException}. */
    @FunctionalInterface
    interface IoSupplier<T> {
        T get() throws IOException;
    }

    /** Configures and starts a {@link TcpServer}; not thread-safe. */
    public static final class Builder {
        private NetPolicy policy = NetPolicy.fromSystemProperties();
        private MoltRuntime runtime;
        private String host = "0.0.0.0";
        private int port;
        private int backlog = 1024;
        private TcpHandler handler;
        /** How the listening socket is made: tests give one whose {@code accept} fails. */
        private IoSupplier<ServerSocket> listenerFactory = ServerSocket::new;

        private Builder() {
        }

        /** Tests only: the unbound listening socket to use. */
        Builder listenerFactory(IoSupplier<ServerSocket> factory) {
            this.listenerFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * The capabilities: the port must be granted for listening.
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
         * The runtime whose tasks the connections are (default: the current one).
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
         * The port (0, the default: an ephemeral one).
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
         * The listen backlog (default 1024).
         *
         * @param backlog the backlog
         * @return this builder
         * @throws IllegalArgumentException if {@code backlog < 1}
         */
        public Builder backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be at least 1: " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /**
         * The connection handler (required).
         *
         * @param handler the handler
         * @return this builder
         * @throws NullPointerException if {@code handler} is null
         */
        public Builder handler(TcpHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Binds and starts accepting.
         *
         * @return the running server
         * @throws NetAccessDeniedException if the policy does not grant the port
         * @throws IllegalStateException if no handler was set
         * @throws java.io.UncheckedIOException if the port cannot be bound
         */
        public TcpServer start() {
            if (handler == null) {
                throw new IllegalStateException("a TcpServer needs a handler");
            }
            policy.checkListen(port);
            try {
                return new TcpServer(this);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot listen on " + host + ":" + port, e);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
