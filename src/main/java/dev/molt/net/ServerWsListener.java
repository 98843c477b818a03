package dev.molt.net;

import dev.molt.CancelToken;
import dev.molt.CancelledException;
import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import dev.molt.Molt;
import dev.molt.ReceiveChannel;
import dev.molt.SendChannel;
import dev.molt.Task;
import dev.molt.TaskFailedException;
import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.CloseConnectionException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bridges one Helidon WebSocket connection to a {@link WsSession} of channels.
 *
 * <p>Threads: Helidon's connection thread reads frames and calls the {@code on*} methods; it delivers each whole
 * message with a blocking {@code in.send} under the session's token, so a full inbound channel stops the reading
 * (TCP backpressure). The session task (a task of the server's scope) runs the user's handler, and its child, the
 * writer, drains {@code out} into the socket. Every frame we send goes through {@link #sendLock}, because Helidon's
 * connection encodes frames in one shared buffer; {@code closeSent} (guarded by the lock) makes the close frame go
 * out once and nothing after it.
 */
final class ServerWsListener implements io.helidon.websocket.WsListener, WsSession {
    private static final Logger LOG = LoggerFactory.getLogger(ServerWsListener.class);

    private final MoltServer server;
    private final WsHandler handler;
    private final Channel<WsMessage> in;
    private final Channel<WsMessage> out;
    private final ReentrantLock sendLock = new ReentrantLock();
    private boolean closeSent; // guarded by sendLock
    private volatile io.helidon.websocket.WsSession hs;
    private volatile Task<Void> task;
    /**
     * The session task's token, set by the task itself as it starts: {@link #task} is set by the connection thread
     * only once {@code spawn} returned, which may be after the handler began.
     */
    private volatile CancelToken sessionToken;
    /** Set once the session task has ended: from then on, messages the peer still sends are dropped. */
    private volatile boolean sessionEnded;
    private volatile Thread connectionThread;

    // Fragment reassembly: used by the connection thread only.
    private StringBuilder textParts;
    private ByteArrayOutputStream binaryParts;

    ServerWsListener(MoltServer server, WsHandler handler) {
        this.server = server;
        this.handler = handler;
        this.in = Molt.channel(server.wsInboundCapacity());
        this.out = Molt.channel(server.wsOutboundCapacity());
    }

    // ---------------------------------------------------------------- WsSession

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
        CancelToken own = sessionToken;
        if (own != null) {
            return own;
        }
        Task<Void> t = task; // the connection thread, before the task has started
        return t != null ? t.token() : server.token();
    }

    @Override
    public void close(int code, String reason) {
        Objects.requireNonNull(reason, "reason");
        Checks.closeCode(code);
        sendClose(code, reason); // first: closing out wakes the writer, whose own close (1000) must not win
        out.close();
    }

    // ---------------------------------------------------------------- Helidon's connection thread

    @Override
    public void onOpen(io.helidon.websocket.WsSession session) {
        this.hs = session;
        this.connectionThread = Thread.currentThread();
        if (server.isStopping()) { // as a new request gets 503: the server's scope is not cancelled yet
            sendClose(1001, "server stopping");
            throw new CloseConnectionException("server stopping");
        }
        try {
            this.task = Molt.withToken(server.scope().token(),
                    () -> server.scope().spawn("molt-ws-session", this::runSession));
            server.sessions().add(this);
        } catch (Exception e) { // the server is stopping: its scope takes no new sessions
            sendClose(1001, "server stopping");
            throw new CloseConnectionException("server stopping");
        }
    }

    @Override
    public void onMessage(io.helidon.websocket.WsSession session, String text, boolean last) {
        if (textParts == null && last) {
            deliver(WsMessage.text(text));
            return;
        }
        if (textParts == null) {
            textParts = new StringBuilder();
        }
        textParts.append(text);
        checkSize(Checks.utf8Longer(textParts, server.maxWebSocketMessage())); // the wire size: UTF-8 bytes
        if (last) {
            String whole = textParts.toString();
            textParts = null;
            deliver(WsMessage.text(whole));
        }
    }

    @Override
    public void onMessage(io.helidon.websocket.WsSession session, BufferData buffer, boolean last) {
        byte[] bytes = new byte[buffer.available()];
        buffer.read(bytes, 0, bytes.length);
        if (binaryParts == null && last) {
            deliver(WsMessage.binaryOwned(bytes));
            return;
        }
        if (binaryParts == null) {
            binaryParts = new ByteArrayOutputStream();
        }
        binaryParts.writeBytes(bytes);
        checkSize(binaryParts.size() > server.maxWebSocketMessage());
        if (last) {
            byte[] whole = binaryParts.toByteArray();
            binaryParts = null;
            deliver(WsMessage.binaryOwned(whole));
        }
    }

    private void checkSize(boolean tooBig) {
        if (tooBig) {
            sendClose(1009, "message too big");
            endSession(null);
            throw new CloseConnectionException("WebSocket message too big");
        }
    }

    /** Blocks while {@code in} is full: the connection thread stops reading frames, and TCP slows the peer. */
    private void deliver(WsMessage m) {
        try {
            Molt.withToken(token(), () -> {
                in.send(m);
                return null;
            });
        } catch (ChannelClosedException e) {
            if (sessionEnded) {
                return; // our close frame is sent: keep reading until the peer's close answers it
            }
            throw new CloseConnectionException("WebSocket session ended", e);
        } catch (CancelledException | InterruptedException e) {
            // The session was cancelled (the server stopping, say): its close frame goes out before the connection
            // is dropped, or the peer sees no close at all (1006) when this thread wins the race with the task's.
            boolean stopping = server.isStopping();
            sendClose(stopping ? 1001 : 1000, stopping ? "server stopping" : "normal");
            throw new CloseConnectionException("WebSocket session ended", e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void onPing(io.helidon.websocket.WsSession session, BufferData buffer) {
        sendLock.lock();
        try {
            if (!closeSent) {
                session.pong(buffer);
            }
        } finally {
            sendLock.unlock();
        }
    }

    @Override
    public void onClose(io.helidon.websocket.WsSession session, int status, String reason) {
        sendClose(1000, "normal"); // the reply of the close handshake, unless we closed first
        endSession(null);
    }

    @Override
    public void onError(io.helidon.websocket.WsSession session, Throwable t) {
        LOG.debug("WebSocket connection error", t);
        endSession(t);
    }

    /** The peer is gone or closed: no more input, and the session's work is cancelled. */
    private void endSession(Throwable reason) {
        if (reason == null) {
            in.close();
        } else {
            in.close(reason);
        }
        Task<Void> t = task;
        if (t != null) {
            t.token().cancel(new CancelledException("the WebSocket peer closed the session"));
        }
    }

    /**
     * Called by the server's session watcher: Helidon ends a connection without telling the listener in some cases
     * (the peer vanished, an oversized frame), and its thread ending is the one sure sign.
     */
    boolean checkConnection() {
        Thread t = connectionThread;
        if (t != null && !t.isAlive()) {
            endSession(null);
            return false;
        }
        Task<Void> st = task;
        return st == null || !st.isDone();
    }

    // ---------------------------------------------------------------- the session task

    private void runSession() throws InterruptedException {
        sessionToken = Molt.currentToken();
        int code = 1000;
        String reason = "normal";
        try {
            Molt.scope(s -> {
                s.spawn("molt-ws-writer", this::writeLoop);
                handler.handle(this);
                out.close(); // the writer sends what is queued, then the close frame
                return null;
            });
        } catch (CancelledException e) {
            code = server.isStopping() ? 1001 : 1000;
            reason = server.isStopping() ? "server stopping" : "normal";
        } catch (TaskFailedException e) {
            if (isCancellation(e.getCause())) {
                code = server.isStopping() ? 1001 : 1000;
                reason = server.isStopping() ? "server stopping" : "normal";
            } else {
                LOG.error("WebSocket handler failed", e.getCause());
                code = 1011;
                reason = "server error";
            }
        } finally {
            sendClose(code, reason);
            // A handler that did not read everything leaves the connection thread blocked in deliver (in is
            // full): closing in frees it, and it drops what else comes until the peer's close.
            sessionEnded = true;
            in.close();
            server.sessions().remove(this);
        }
    }

    /** Drains {@code out} into the socket; pings the peer when idle, which also finds a peer that vanished. */
    private void writeLoop() throws InterruptedException {
        Duration ping = server.wsPingInterval();
        try {
            while (true) {
                WsMessage m = out.recv(ping);
                sendLock.lock();
                try {
                    if (closeSent) {
                        return;
                    }
                    io.helidon.websocket.WsSession s = hs;
                    if (m == null) {
                        s.ping(BufferData.empty());
                    } else if (m.isText()) {
                        s.send(m.text(), true);
                    } else {
                        s.send(BufferData.create(m.rawBytes()), true);
                    }
                } finally {
                    sendLock.unlock();
                }
            }
        } catch (ChannelClosedException drained) {
            if (!Molt.cancelled()) {
                sendClose(1000, "normal"); // out was closed: the session ends once the peer answers
            }
        } catch (CancelledException e) {
            throw e;
        } catch (RuntimeException e) { // a failed write: the peer is gone
            LOG.debug("WebSocket write failed", e);
            endSession(e);
        }
    }

    private void sendClose(int code, String reason) {
        sendLock.lock();
        try {
            if (closeSent) {
                return;
            }
            closeSent = true;
            io.helidon.websocket.WsSession s = hs;
            if (s != null) {
                s.close(code, truncate(reason));
            }
        } catch (RuntimeException e) {
            LOG.debug("WebSocket close frame not sent", e);
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * A cancellation can reach the handler as an interrupt a moment before its token is marked, and the scope then
     * reports it as a failure: the session's own token tells what it was.
     */
    private boolean isCancellation(Throwable cause) {
        return (cause instanceof CancelledException || cause instanceof InterruptedException)
                && (token().cancelled() || server.isStopping());
    }

    private static String truncate(String reason) {
        byte[] b = reason.getBytes(StandardCharsets.UTF_8);
        return b.length <= 123 ? reason : new String(b, 0, 123, StandardCharsets.UTF_8);
    }
}
