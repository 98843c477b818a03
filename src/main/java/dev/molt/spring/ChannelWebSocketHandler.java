package dev.molt.spring;

import dev.molt.CancelToken;
import dev.molt.CancelledException;
import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import dev.molt.Molt;
import dev.molt.MoltRuntime;
import dev.molt.ReceiveChannel;
import dev.molt.SendChannel;
import dev.molt.Task;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * A Spring {@link WebSocketHandler} that gives the application each session as two bounded channels: the
 * client's messages as an inbound {@link ReceiveChannel}, and an outbound {@link SendChannel} for what to send
 * back. Extend it and implement {@link #handle}, or make one from a lambda with {@link #of} (or the
 * auto-configured {@link ChannelWebSockets}). Register it with Spring's {@code WebSocketConfigurer} as usual.
 *
 * <h2>Tasks</h2>
 * Each session runs as one Molt task of the application's runtime, named {@code molt-ws-<session id>}, in which
 * {@code handle} runs; it owns one child task that writes the outbound channel to the socket. No other thread is
 * started per session.
 *
 * <h2>Backpressure: nothing is dropped</h2>
 * <ul>
 *   <li>Inbound: the container's thread that delivers a message blocks in the inbound channel's {@code send}
 *       while the channel is full, so a handler that reads slowly stops the container from reading that
 *       connection, and TCP flow control slows the client. (This holds a container thread per such session;
 *       with {@code spring.threads.virtual.enabled=true} that is a cheap virtual thread.)</li>
 *   <li>Outbound: the writer task writes one message at a time with the container's blocking send; while the
 *       client does not read, the socket's buffers fill, the writer waits, the outbound channel fills, and the
 *       handler's {@code outbound.send} blocks.</li>
 * </ul>
 * A write that takes longer than the send timeout closes the session with
 * {@code SESSION_NOT_RELIABLE} (4500, Spring's status for a client that cannot keep up) and cancels the
 * session's task.
 *
 * <h2>Session end and cancellation are tied</h2>
 * <ul>
 *   <li>The client closes, or the transport fails: the inbound channel is closed (iteration ends) and the
 *       session's task is cancelled, so blocked channel operations in it throw {@code CancelledException}.</li>
 *   <li>{@code handle} returns: the outbound channel is closed, what it holds is written, and the session is
 *       closed with 1000 (normal); it throws: closed with 1011 (server error); the runtime shuts down (the
 *       context closes): the task is cancelled and the session closed with 1001 (going away).</li>
 * </ul>
 */
public abstract class ChannelWebSocketHandler implements WebSocketHandler {
    private static final Logger log = LoggerFactory.getLogger(ChannelWebSocketHandler.class);
    private static final String ATTRIBUTE = ChannelWebSocketHandler.class.getName() + ".SESSION";

    private final MoltRuntime runtime;
    private final int buffer;
    private final Duration sendTimeout;

    /**
     * @param runtime the runtime the session tasks run in
     * @param settings channel capacity and send timeout
     * @throws NullPointerException if an argument is null
     */
    protected ChannelWebSocketHandler(MoltRuntime runtime, MoltProperties.WebSocket settings) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(settings, "settings");
        this.buffer = settings.getBuffer();
        this.sendTimeout = settings.getSendTimeout();
    }

    /**
     * A handler whose sessions run {@code body}.
     *
     * @throws NullPointerException if an argument is null
     */
    public static ChannelWebSocketHandler of(MoltRuntime runtime, MoltProperties.WebSocket settings,
            WebSocketSessionBody body) {
        Objects.requireNonNull(body, "body");
        return new ChannelWebSocketHandler(runtime, settings) {
            @Override
            protected void handle(WebSocketSession session, ReceiveChannel<WebSocketMessage<?>> inbound,
                    SendChannel<WebSocketMessage<?>> outbound) throws Exception {
                body.handle(session, inbound, outbound);
            }
        };
    }

    /** See {@link WebSocketSessionBody#handle}. */
    protected abstract void handle(WebSocketSession session, ReceiveChannel<WebSocketMessage<?>> inbound,
            SendChannel<WebSocketMessage<?>> outbound) throws Exception;

    @Override
    public void afterConnectionEstablished(WebSocketSession session) throws Exception {
        SessionChannels s = new SessionChannels(session, Molt.channel(buffer), Molt.channel(buffer));
        try {
            s.task = runtime.run(() -> Molt.withToken(runtime.rootToken(),
                    () -> Molt.spawn("molt-ws-" + session.getId(), () -> runSession(s))));
        } catch (RejectedExecutionException e) {
            // The runtime is shut down (the application is stopping): no session, and no half-made one for the
            // later callbacks to trip over.
            log.debug("WebSocket session {} refused: {}", session.getId(), e.getMessage());
            session.close(CloseStatus.GOING_AWAY);
            return;
        }
        s.task.toFuture(); // its failure is logged by runSession, not again as an unobserved one
        session.getAttributes().put(ATTRIBUTE, s); // before Spring delivers the first message: it calls us in turn
    }

    @Override
    public void handleMessage(WebSocketSession session, WebSocketMessage<?> message) throws Exception {
        SessionChannels s = channels(session);
        if (s == null) {
            return;
        }
        try {
            runtime.run(() -> Molt.withToken(s.task.token(), () -> {
                s.inbound.send(message);
                return null;
            }));
        } catch (ChannelClosedException | CancelledException e) {
            // The session's task has ended or is ending: nobody will read this message, and the session is
            // being closed.
            log.debug("WebSocket session {}: message after its task ended", session.getId());
        }
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        SessionChannels s = channels(session);
        if (s != null) {
            s.inbound.close(exception);
            s.task.token().cancel(exception);
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) {
        SessionChannels s = channels(session);
        if (s != null) {
            s.inbound.close();
            s.task.cancel();
        }
    }

    /** False: every message arrives whole. */
    @Override
    public boolean supportsPartialMessages() {
        return false;
    }

    private static SessionChannels channels(WebSocketSession session) {
        return session.getAttributes().get(ATTRIBUTE) instanceof SessionChannels s ? s : null;
    }

    private void runSession(SessionChannels s) throws Exception {
        // This task's own token: s.task may not be assigned yet when this starts.
        CancelToken sessionToken = Molt.currentToken();
        CloseStatus status = CloseStatus.SERVER_ERROR;
        try {
            Molt.scope(scope -> {
                scope.spawn("molt-ws-" + s.session.getId() + "-writer", () -> writeLoop(s, sessionToken));
                try {
                    handle(s.session, s.inbound, s.outbound);
                } finally {
                    s.outbound.close();
                }
                return null;
            });
            status = CloseStatus.NORMAL;
        } catch (CancelledException e) {
            status = runtime.isShutdown() ? CloseStatus.GOING_AWAY : CloseStatus.NORMAL;
        } catch (Exception e) {
            log.error("WebSocket session {} failed", s.session.getId(), e);
            throw e;
        } finally {
            s.inbound.close();
            // Cancellation interrupts this thread (the runtime's shutdown, Task.cancel), and the container's blocking
            // send of the close frame gives up at once in an interrupted thread: the client would get no close frame
            // (1006) instead of this status. So the close runs shielded, with the interrupt set aside until it ends.
            CloseStatus end = status;
            Molt.withToken(CancelToken.never(), () -> {
                close(s.session, end);
                return null;
            });
        }
    }

    private void writeLoop(SessionChannels s, CancelToken sessionToken) throws InterruptedException {
        for (WebSocketMessage<?> message : s.outbound) {
            CancelToken deadline = Molt.currentToken().childWithTimeout(sendTimeout);
            try (AutoCloseable watch = deadline.onCancel(() -> {
                if (deadline.reason() instanceof TimeoutException) {
                    // In a thread of its own: this runs in the deadline timer's thread, which must not block.
                    // Cancel first: closing may itself wait for the stuck write.
                    sessionToken.cancel(new TimeoutException(
                            "a WebSocket message was not written within " + sendTimeout));
                    Thread.ofVirtual().name("molt-ws-abort").start(() -> close(s.session, CloseStatus.SESSION_NOT_RELIABLE));
                }
            })) {
                s.session.sendMessage(message);
            } catch (IOException | RuntimeException e) {
                log.debug("WebSocket session {}: write failed: {}", s.session.getId(), e.toString());
                sessionToken.cancel(e);
                return;
            } catch (Exception e) {
                throw new IllegalStateException(e); // close() of the watch, which never throws
            } finally {
                deadline.cancel();
            }
        }
    }

    private static void close(WebSocketSession session, CloseStatus status) {
        if (!session.isOpen()) {
            return;
        }
        try {
            session.close(status);
        } catch (IOException | RuntimeException e) {
            log.debug("Closing WebSocket session {} failed: {}", session.getId(), e.toString());
        }
    }

    /** One session's state: written once in afterConnectionEstablished, before any message is delivered. */
    private static final class SessionChannels {
        final WebSocketSession session;
        final Channel<WebSocketMessage<?>> inbound;
        final Channel<WebSocketMessage<?>> outbound;
        volatile Task<Void> task;

        SessionChannels(WebSocketSession session, Channel<WebSocketMessage<?>> inbound,
                Channel<WebSocketMessage<?>> outbound) {
            this.session = session;
            this.inbound = inbound;
            this.outbound = outbound;
        }
    }
}
