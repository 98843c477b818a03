package dev.molt.net;

import dev.molt.CancelToken;
import dev.molt.CancelledException;
import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import dev.molt.Molt;
import dev.molt.ReceiveChannel;
import dev.molt.SendChannel;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A WebSocket client on the JDK's {@code java.net.http} WebSocket, with the session as two bounded channels (see
 * {@link WsSession}). It connects only to hosts its {@link NetPolicy} allows (deny by default): a refused target
 * throws {@link NetAccessDeniedException} before any name lookup or connection. It uses no proxy.
 *
 * <pre>{@code
 * WsClient client = WsClient.builder().policy(NetPolicy.builder().connect("127.0.0.1").build()).build();
 * String echo = client.connect(URI.create("ws://127.0.0.1:8080/echo"), s -> {
 *     s.send("hello");
 *     return s.in().recv().text();
 * });
 * }</pre>
 *
 * <p>Flow control: the client asks the JDK for one message at a time, and asks for the next only when the inbound
 * channel took the previous one, so a full channel stops reading from the socket. Thread-safe; one client may run
 * many sessions.
 */
public final class WsClient implements AutoCloseable {
    private final NetPolicy policy;
    private final Duration connectTimeout;
    private final int inbound;
    private final int outbound;
    private final int maxMessage;
    private final HttpClient http;

    private WsClient(Builder b) {
        this.policy = b.policy;
        this.connectTimeout = b.connectTimeout;
        this.inbound = b.inbound;
        this.outbound = b.outbound;
        this.maxMessage = b.maxMessage;
        // No proxy (the JDK would use the JVM's default one): the connection goes to the host the policy allowed.
        this.http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).connectTimeout(b.connectTimeout)
                .build();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects, runs {@code body} with the session in a scope of the caller (a writer task drains {@code out}), then
     * closes the session: what {@code body} queued is sent, then the close frame (1000, or 1011 if it threw).
     *
     * @param uri a {@code ws:} or {@code wss:} URI
     * @param body what to do with the session
     * @param <T> the result type
     * @return what {@code body} returned
     * @throws NetAccessDeniedException if the policy does not allow the host
     * @throws IllegalArgumentException if the scheme is not ws or wss
     * @throws java.io.IOException if the connection or the handshake fails
     * @throws dev.molt.TaskFailedException if {@code body} or the writer failed (cause: the failure)
     * @throws CancelledException if the caller's token was cancelled
     * @throws Exception what else {@code body} threw, as {@code scope} throws it
     * @throws NullPointerException if an argument is null
     */
    public <T> T connect(URI uri, WsSessionBody<T> body) throws Exception {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(body, "body");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("not a WebSocket URI (ws: or wss:): " + uri);
        }
        policy.checkConnect(uri);
        ClientSession session = new ClientSession();
        WebSocket ws;
        try {
            ws = await(http.newWebSocketBuilder().connectTimeout(connectTimeout).buildAsync(uri, session));
        } catch (Throwable t) {
            session.token.cancel(); // it is a child of the caller's token: a failed connect must not leave it there
            throw t;
        }
        session.ws = ws;
        try {
            return Molt.scope(s -> {
                s.spawn("molt-ws-client-writer", session::writeLoop);
                boolean ok = false;
                try {
                    T result = body.run(session);
                    ok = true;
                    return result;
                } finally {
                    if (ok) {
                        session.out.close();
                    } else {
                        session.close(1011, "client error");
                    }
                }
            });
        } finally {
            session.awaitClosed();
        }
    }

    /** Releases the underlying {@link HttpClient}; sessions still open are aborted. */
    @Override
    public void close() {
        http.shutdownNow();
    }

    /** Waits for a JDK future as a cancellation point of the current token. */
    @SuppressWarnings("try") // the cancel registration is held while waiting, not used
    private static <V> V await(CompletableFuture<V> f) throws Exception {
        try (AutoCloseable reg = Molt.currentToken().onCancel(() -> f.cancel(false))) {
            return f.get();
        } catch (CancellationException e) {
            Molt.checkCancelled();
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }

    /** One client session; the JDK calls the listener methods one at a time (we request one message at a time). */
    private final class ClientSession implements WebSocket.Listener, WsSession {
        final Channel<WsMessage> in = Molt.channel(inbound);
        final Channel<WsMessage> out = Molt.channel(outbound);
        final CancelToken token = Molt.currentToken().child();
        final CompletableFuture<Void> inputClosed = new CompletableFuture<>();
        volatile WebSocket ws;
        /** Set once the body has ended: from then on, what the peer still sends is dropped until its close. */
        volatile boolean ended;
        private StringBuilder text;
        private ByteArrayOutputStream binary;

        @Override
        public ReceiveChannel<WsMessage> in() {
            return in;
        }

        @Override
        public SendChannel<WsMessage> out() {
            return out;
        }

        @Override
        public CancelToken token() {
            return token;
        }

        @Override
        public void close(int code, String reason) {
            Objects.requireNonNull(reason, "reason");
            Checks.closeCode(code);
            WebSocket w = ws;
            if (w != null && !w.isOutputClosed()) {
                w.sendClose(code, reason); // first: closing out wakes the writer, whose own close (1000) must not win
            }
            out.close();
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (text == null && last) {
                if (Checks.utf8Longer(data, maxMessage)) {
                    tooBig(webSocket);
                    return null;
                }
                return deliver(webSocket, WsMessage.text(data.toString()));
            }
            if (text == null) {
                text = new StringBuilder();
            }
            text.append(data);
            if (Checks.utf8Longer(text, maxMessage)) {
                tooBig(webSocket);
                return null;
            }
            if (!last) {
                webSocket.request(1);
                return null;
            }
            String whole = text.toString();
            text = null;
            return deliver(webSocket, WsMessage.text(whole));
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            if (binary == null) {
                binary = new ByteArrayOutputStream();
            }
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (binary.size() > maxMessage) {
                tooBig(webSocket);
                return null;
            }
            if (!last) {
                webSocket.request(1);
                return null;
            }
            byte[] whole = binary.toByteArray();
            binary = null;
            return deliver(webSocket, WsMessage.binaryOwned(whole));
        }

        private void tooBig(WebSocket webSocket) {
            in.close(new IllegalStateException("WebSocket message larger than " + maxMessage + " bytes"));
            webSocket.sendClose(1009, "message too big");
            webSocket.abort();
        }

        /** Asks for the next message only once the channel took this one: a full channel stops the reading. */
        private CompletionStage<?> deliver(WebSocket webSocket, WsMessage m) {
            return in.sendAsync(m).handle((v, e) -> {
                if (e == null || ended) { // after the body, in is closed: read on (dropping) until the peer's close
                    webSocket.request(1);
                }
                return null;
            });
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            webSocket.request(1); // the JDK answers the pong
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            in.close();
            inputClosed.complete(null);
            token.cancel(new CancelledException("the WebSocket peer closed the session (" + statusCode + ")"));
            return null; // the JDK replies with a close frame
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            in.close(error);
            out.close(error);
            inputClosed.complete(null);
            token.cancel(error);
        }

        void writeLoop() throws Exception {
            try {
                for (WsMessage m : out) {
                    WebSocket w = ws;
                    if (m.isText()) {
                        await(w.sendText(m.text(), true));
                    } else {
                        await(w.sendBinary(ByteBuffer.wrap(m.rawBytes()), true));
                    }
                }
                WebSocket w = ws;
                if (!w.isOutputClosed()) {
                    await(w.sendClose(WebSocket.NORMAL_CLOSURE, "normal"));
                }
            } catch (ChannelClosedException e) {
                return; // closed with a reason: the connection failed, or close(code, reason) sent the frame
            } catch (CancelledException e) {
                throw e;
            } catch (Exception e) {
                out.close(e); // the peer is gone: senders learn it from the channel
            }
        }

        /** After our close frame, give the peer a moment to answer, then drop the connection. */
        void awaitClosed() throws InterruptedException {
            // A body that left messages unread leaves in full and the reading stopped: closing in (after `ended`)
            // frees it, so the peer's answer to our close frame is read.
            ended = true;
            in.close();
            WebSocket w = ws;
            try {
                Molt.withToken(CancelToken.never(), () -> {
                    try {
                        inputClosed.get(1, TimeUnit.SECONDS);
                    } catch (TimeoutException | ExecutionException e) {
                        // the peer did not answer: abort below
                    }
                    return null;
                });
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                if (w != null && !w.isInputClosed()) {
                    w.abort();
                }
                token.cancel();
            }
        }
    }

    /** Configures a {@link WsClient}; not thread-safe. */
    public static final class Builder {
        private NetPolicy policy = NetPolicy.fromSystemProperties();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private int inbound = 16;
        private int outbound = 16;
        private int maxMessage = 1024 * 1024;

        private Builder() {
        }

        /**
         * The capabilities: only hosts it allows are connected to. Default {@link NetPolicy#fromSystemProperties()}
         * (deny all when nothing is configured).
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
         * The connect (and handshake) timeout, default 10 s.
         *
         * @param timeout the timeout
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Checks.positive(timeout, "timeout");
            return this;
        }

        /**
         * Capacities of each session's inbound and outbound channels (default 16 each).
         *
         * @param inbound inbound capacity
         * @param outbound outbound capacity
         * @return this builder
         * @throws IllegalArgumentException if either is negative
         */
        public Builder buffers(int inbound, int outbound) {
            if (inbound < 0 || outbound < 0) {
                throw new IllegalArgumentException("capacities must not be negative: " + inbound + ", " + outbound);
            }
            this.inbound = inbound;
            this.outbound = outbound;
            return this;
        }

        /**
         * The largest message accepted, in bytes (default 1 MiB); a larger one closes the session with 1009.
         *
         * @param bytes the limit
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes < 1}
         */
        public Builder maxMessage(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxMessage must be at least 1: " + bytes);
            }
            this.maxMessage = bytes;
            return this;
        }

        /** @return the client */
        public WsClient build() {
            return new WsClient(this);
        }
    }
}
