package dev.molt.net;

import dev.molt.CancelToken;
import dev.molt.Channel;
import dev.molt.Molt;
import dev.molt.ReceiveChannel;
import dev.molt.Task;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An HTTP request as a handler sees it. The body can be read once, in one of three ways: whole
 * ({@link #bodyBytes()}, {@link #bodyText()}), as an {@link InputStream} ({@link #body()}), or as a bounded
 * {@link ReceiveChannel} of chunks ({@link #bodyChannel(int, int)}). A body larger than the server's
 * {@code maxRequestBody} makes the read fail and the exchange answer {@code 413 Payload Too Large}.
 *
 * <p>Not thread-safe; the request is valid while its exchange lasts.
 */
public final class Request {
    private final ServerRequest delegate;
    private final CancelToken token;
    /** The task of {@link #bodyChannel}, if one was started: stopped once the exchange has answered. */
    private volatile Task<Void> bodyReader;

    Request(ServerRequest delegate, CancelToken token) {
        this.delegate = delegate;
        this.token = token;
    }

    /** @return the method, e.g. {@code "GET"} */
    public String method() {
        return delegate.prologue().method().text();
    }

    /** @return the decoded path, e.g. {@code "/users/42"} */
    public String path() {
        return delegate.path().path();
    }

    /**
     * A path parameter of the route pattern ({@code "/users/{id}"}).
     *
     * @param name the parameter name
     * @return its value, or null if the pattern has no such parameter
     * @throws NullPointerException if {@code name} is null
     */
    public String pathParam(String name) {
        Objects.requireNonNull(name, "name");
        return delegate.path().pathParameters().first(name).orElse(null);
    }

    /**
     * The first value of a query parameter.
     *
     * @param name the parameter name
     * @return its value, or null if absent
     * @throws NullPointerException if {@code name} is null
     */
    public String query(String name) {
        Objects.requireNonNull(name, "name");
        return delegate.query().first(name).orElse(null);
    }

    /**
     * The first value of a header (case-insensitive name).
     *
     * @param name the header name
     * @return its value, or null if absent
     * @throws NullPointerException if {@code name} is null
     */
    public String header(String name) {
        Objects.requireNonNull(name, "name");
        return delegate.headers().first(HeaderNames.create(name)).orElse(null);
    }

    /** @return the request's token: cancelled when the client goes away, the request times out or the server stops */
    public CancelToken token() {
        return token;
    }

    /** @return the client's address, e.g. {@code "127.0.0.1"} */
    public String remoteAddress() {
        return delegate.remotePeer().host();
    }

    /** @return whether the request has a body (a {@code Content-Length} above 0 or a chunked body) */
    public boolean hasBody() {
        return delegate.content().hasEntity();
    }

    /**
     * The body as a blocking stream; reading past {@code maxRequestBody} fails and answers 413.
     *
     * @return the body stream (empty if there is no body)
     * @throws IllegalStateException if the body was already consumed
     */
    public InputStream body() {
        return delegate.content().inputStream();
    }

    /**
     * The whole body as bytes.
     *
     * @return the body (empty if none)
     * @throws UncheckedIOException if reading fails
     */
    public byte[] bodyBytes() {
        try (InputStream in = body()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the whole body decoded as UTF-8 */
    public String bodyText() {
        return new String(bodyBytes(), StandardCharsets.UTF_8);
    }

    /**
     * The body as a bounded channel of chunks of at most {@code chunkSize} bytes, each what one read from the
     * socket gave (what arrived is passed on at once), read by a task of the request (it stops reading from the
     * socket while the channel is full: the client is slowed down by TCP). The channel
     * ends with the body; if reading fails (a body over {@code maxRequestBody}, a client that went away) it is
     * closed with that failure as reason, and the exchange answers accordingly (413, or nothing). Once the exchange
     * has answered, the task is cancelled if it still runs (a handler may answer without reading the whole body).
     *
     * @param capacity how many chunks may wait in the channel
     * @param chunkSize the largest chunk
     * @return the chunks
     * @throws IllegalArgumentException if {@code capacity < 0} or {@code chunkSize < 1}
     */
    public ReceiveChannel<byte[]> bodyChannel(int capacity, int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1: " + chunkSize);
        }
        Channel<byte[]> ch = Molt.channel(capacity);
        InputStream in = body();
        bodyReader = Molt.spawn("molt-request-body", () -> {
            byte[] buf = new byte[chunkSize];
            try (in) {
                int n;
                // read, not readNBytes: what arrived is passed on at once, not held back until chunkSize is full
                while ((n = in.read(buf, 0, chunkSize)) >= 0) {
                    if (n > 0) {
                        ch.send(Arrays.copyOf(buf, n));
                    }
                }
                ch.close();
            } catch (Throwable t) {
                ch.close(t); // the handler sees it when it reaches the end of what was read
            }
        });
        return ch;
    }

    /**
     * Called by the exchange once it has answered: a body reader still blocked (in a full channel nobody reads any
     * more, or on a client still sending) would otherwise keep the request's scope, and so the exchange, open.
     */
    void answered() {
        Task<Void> reader = bodyReader;
        if (reader != null) {
            reader.cancel(); // nothing if it has ended
        }
    }

    /** @return the Helidon request underneath, for what this class does not offer */
    public ServerRequest unwrap() {
        return delegate;
    }

    @Override
    public String toString() {
        return "Request[" + method() + " " + path() + "]";
    }
}
