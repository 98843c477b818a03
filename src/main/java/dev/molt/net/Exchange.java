package dev.molt.net;

import dev.molt.CancelToken;
import dev.molt.CancelledException;
import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import dev.molt.Molt;
import dev.molt.ReceiveChannel;
import dev.molt.Scope;
import dev.molt.ScopeBody;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderValues;
import io.helidon.http.RequestException;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP exchange, run in the server's own request thread (no second thread per request): the thread is bound to
 * the server's runtime and to the request's token, and the handler runs in a scope under it, so it behaves as a
 * Molt task (cancellation, {@code Molt.cancelled()}, structured children) without a hop to another thread.
 *
 * <p>The exchange is itself the body of both bindings ({@link #call} under the server's token, {@link #run} in the
 * request's scope), so a request allocates no lambda of its own: this path runs for every request.
 */
final class Exchange implements Callable<Void>, ScopeBody<Void> {
    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);
    private static final byte[] SSE_HEARTBEAT = ":\n\n".getBytes(StandardCharsets.US_ASCII);

    private final MoltServer server;
    private final HttpHandler handler;
    private final ServerRequest hreq;
    private final ServerResponse hres;
    private final HandlerThreadInterrupter interrupter;
    /** The request's token, set when the handler's scope starts. */
    private volatile CancelToken token;
    /** Set by the writer when the client went away, so the end of the exchange knows why it was cancelled. */
    private volatile boolean clientGone;
    /** The response body stream, once streaming began: after that no status can be sent, only the stream cut. */
    private OutputStream stream;

    private Exchange(MoltServer server, HttpHandler handler, ServerRequest hreq, ServerResponse hres) {
        this.server = server;
        this.handler = handler;
        this.hreq = hreq;
        this.hres = hres;
        this.interrupter = new HandlerThreadInterrupter(Thread.currentThread());
    }

    /**
     * The request's token is the token of the scope the handler runs in (a child of the server's scope token), or
     * of the {@code timeout} when a request timeout is set: no token of its own to make and detach per request.
     */
    static void handle(MoltServer server, HttpHandler handler, ServerRequest hreq, ServerResponse hres) {
        if (!server.enterRequest()) {
            hres.status(503).header(HeaderValues.CONNECTION_CLOSE).send("server is stopping");
            return;
        }
        Exchange ex = new Exchange(server, handler, hreq, hres);
        try {
            if (server.onDefaultRuntime()) { // Helidon's threads carry no context: the default runtime is current
                Molt.withToken(server.token(), ex);
            } else {
                server.runtime().run(() -> Molt.withToken(server.token(), ex));
            }
        } catch (Throwable t) {
            ex.fail(t);
        } finally {
            // The request's token is not cancelled here: the scope detached it from the server's token already.
            ex.interrupter.finish();
            server.exitRequest();
        }
    }

    /** Under the server's token: opens the request's scope, or its timeout scope, and runs the handler in it. */
    @Override
    public Void call() throws Exception {
        Duration timeout = server.requestTimeout();
        if (timeout == null) {
            return Molt.scope(this);
        }
        return Molt.timeout(timeout, () -> serve(Molt.currentToken()));
    }

    /** The request's scope (without a request timeout). */
    @Override
    public Void run(Scope scope) throws Exception {
        return serve(scope.token());
    }

    @SuppressWarnings("try") // the registration is held for the handler's duration, not used
    private Void serve(CancelToken requestToken) throws Exception {
        token = requestToken;
        // On the token the handler sees: its callbacks run once it is marked, so an interrupted handler finds
        // Molt.cancelled() true.
        Request request = new Request(hreq, requestToken);
        try (AutoCloseable registration = requestToken.onCancel(interrupter)) {
            respond(handler.handle(request));
        } finally {
            request.answered();
        }
        return null;
    }

    private void respond(Response r) throws Exception {
        try {
            if (r == null) {
                hres.status(204).send();
                return;
            }
            hres.status(r.status());
            r.applyHeaders(hres);
            if (!r.isStreamed()) {
                hres.send(r.bytesBody());
                return;
            }
        } catch (UncheckedIOException | CloseConnectionException e) {
            throw clientWentAway(e); // a whole answer that could not be written: as a stream's failed write
        }
        ReceiveChannel<?> ch = r.streamChannel();
        if (ch == null) {
            ch = startProducer(r.producer(), r.producerCapacity());
        }
        writeStream(r, ch);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ReceiveChannel<?> startProducer(Producer<?> producer, int capacity) {
        Channel ch = Molt.channel(capacity);
        Molt.spawn("molt-response-producer", () -> {
            try {
                ((Producer) producer).produce(ch);
                ch.close();
            } catch (CancelledException e) {
                ch.close(e);
                throw e;
            } catch (Throwable t) {
                // Not rethrown: that would cancel the writer before it sent what came before the failure. The
                // writer drains the channel, then cuts the response and logs the failure.
                ch.close(t);
            }
        });
        return ch;
    }

    /**
     * Drains the channel into the response. Flushes only when the channel has nothing ready even after the
     * producer had a turn (a fast producer is batched, a slow one seen at once); blocks in the socket write when the client reads slowly, which leaves the
     * channel full and so blocks the producer. A failed write means the client went away: the request's token is
     * cancelled, which cancels the producer.
     */
    private void writeStream(Response r, ReceiveChannel<?> ch) throws Exception {
        Duration heartbeat = r.isSse() ? server.sseHeartbeat() : null;
        OutputStream out = hres.outputStream();
        stream = out;
        Throwable failure = null;
        try {
            if (heartbeat != null) {
                out.write(SSE_HEARTBEAT); // commits the status and headers now: an SSE client sees them at once
                out.flush();
            }
            while (true) {
                Object v;
                try {
                    v = ch.tryRecv();
                    if (v == null) {
                        // A producer that is ready to run gets its turn before we flush: a flush is a system call
                        // and a packet, so a fast producer should fill the channel first (one flush per batch).
                        Thread.yield();
                        v = ch.tryRecv();
                    }
                    if (v == null) {
                        out.flush();
                        v = heartbeat == null ? ch.recv() : ch.recv(heartbeat);
                    }
                } catch (ChannelClosedException closed) {
                    failure = closed.getCause();
                    break;
                }
                out.write(v == null ? SSE_HEARTBEAT : r.encode(v));
            }
            if (failure == null) {
                out.close();
            }
        } catch (IOException | UncheckedIOException | CloseConnectionException e) {
            throw clientWentAway(e);
        }
        if (failure != null) {
            throw abort("the response stream failed", failure);
        }
    }

    /** A write failed: the client went away. Cancels the request's token; the exchange ends without an answer. */
    private CloseConnectionException clientWentAway(Exception e) {
        clientGone = true;
        token.cancel(new CancelledException("the client went away"));
        return new CloseConnectionException("client went away", e);
    }

    private CloseConnectionException abort(String what, Throwable cause) {
        if (cause instanceof CancelledException) {
            return new CloseConnectionException(what + ": cancelled");
        }
        LOG.error("{} {}: {}", hreq.prologue().method().text(), hreq.path().path(), what, cause);
        return new CloseConnectionException(what, cause);
    }

    /** Maps what ended the exchange to an answer; logs at ERROR only real failures. */
    private void fail(Throwable t) {
        RequestException re = find(t, RequestException.class);
        if (re != null) {
            throw re; // Helidon answers it (413, 400, ...) and keeps serving others
        }
        if (stream != null && !clientGone) {
            try {
                stream.flush(); // what was produced before the failure still reaches the client
            } catch (IOException | RuntimeException e) {
                LOG.debug("flush before abort failed", e);
            }
        }
        CloseConnectionException cce = find(t, CloseConnectionException.class);
        if (cce != null || clientGone) {
            throw cce != null ? cce : new CloseConnectionException("client went away");
        }
        if (find(t, DataReader.InsufficientDataAvailableException.class) != null) { // the body ended early: gone
            LOG.debug("{} {}: the client went away before the end of its body", hreq.prologue().method().text(),
                    hreq.path().path());
            throw new CloseConnectionException("client went away", t);
        }
        boolean cancelled = isCancellation(t);
        if (hres.isSent() || stream != null) {
            if (cancelled) {
                LOG.debug("{} {} cancelled after the response was sent ({})", hreq.prologue().method().text(),
                        hreq.path().path(), server.isStopping() ? "server stopping" : "request timeout");
            } else {
                LOG.error("{} {} failed after the response was sent", hreq.prologue().method().text(),
                        hreq.path().path(), t);
            }
            throw new CloseConnectionException("exchange failed after the response was sent", t);
        }
        if (cancelled) {
            boolean stopping = server.isStopping();
            LOG.debug("{} {} cancelled ({})", hreq.prologue().method().text(), hreq.path().path(),
                    stopping ? "server stopping" : "request timeout");
            hres.status(503).header(HeaderValues.CONNECTION_CLOSE)
                    .send(stopping ? "server is stopping" : "request timed out");
            return;
        }
        LOG.error("{} {} failed", hreq.prologue().method().text(), hreq.path().path(), t);
        hres.status(500).send("internal server error");
    }

    /**
     * Whether the exchange ended by cancellation rather than by a failure: the request timeout (which
     * {@code Molt.timeout} throws as a bare {@link TimeoutException}; a handler's own one arrives wrapped), the server
     * stopping, or an interrupt that came with either.
     */
    private static boolean isCancellation(Throwable t) {
        return find(t, CancelledException.class) != null || t instanceof InterruptedException
                || t instanceof TimeoutException;
    }

    private static <E extends Throwable> E find(Throwable t, Class<E> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }
}
