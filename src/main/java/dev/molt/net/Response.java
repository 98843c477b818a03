package dev.molt.net;

import dev.molt.ReceiveChannel;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a handler answers: a status, headers and a body that is either whole (bytes, text, JSON) or streamed from a
 * bounded channel (bytes, text lines, NDJSON, Server-Sent Events).
 *
 * <p>A streamed body is written as it is received; the server flushes whenever the channel has nothing ready, so
 * a slow producer is seen at once and a fast one is batched. When the client reads slowly the writer blocks, the
 * channel fills and the producer's {@code send} blocks: memory stays bounded by the channel's capacity. When the
 * client goes away the request's token is cancelled, and with it the producer.
 *
 * <p>The streaming factories that take a {@link Producer} start it as a task of the request (so it is cancelled
 * with the request and waited for) when the response is written.
 *
 * <p>Mutable (fluent setters), not thread-safe: build it in the handler and return it.
 */
public final class Response {
    static final int DEFAULT_STREAM_CAPACITY = 16;

    private int status = 200;
    // Cached (immutable, pre-encoded) headers: Helidon writes them as they are. A plain created header is
    // writeable, so Helidon copies it into every response that sets it, and copies its values again to write it.
    private static final Header TEXT = HeaderValues.createCached(HeaderNames.CONTENT_TYPE,
            "text/plain; charset=UTF-8");
    private static final Header JSON = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/json");
    private static final Header OCTETS = HeaderValues.createCached(HeaderNames.CONTENT_TYPE,
            "application/octet-stream");
    private static final Header NDJSON = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/x-ndjson");
    private static final Header EVENTS = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "text/event-stream");
    private static final Header NO_CACHE = HeaderValues.createCached(HeaderNames.CACHE_CONTROL, "no-cache");

    /** Prepared header values (the common case costs no parsing per response); extras in {@link #extra}. */
    private Header contentType;
    private Map<String, String> extra;
    private final byte[] bytes;
    private final ReceiveChannel<?> stream;
    private final Producer<?> producer;
    private final int capacity;
    private final Function<Object, byte[]> encoder;
    private final boolean sse;

    private Response(byte[] bytes, Header contentType) {
        this.bytes = bytes;
        this.stream = null;
        this.producer = null;
        this.capacity = 0;
        this.encoder = null;
        this.sse = false;
        this.contentType = contentType;
    }

    @SuppressWarnings("unchecked")
    private <T> Response(ReceiveChannel<T> stream, Producer<T> producer, int capacity, Function<? super T, byte[]> encoder,
            Header contentType, boolean sse) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative: " + capacity);
        }
        this.bytes = null;
        this.stream = stream;
        this.producer = producer;
        this.capacity = capacity;
        this.encoder = (Function<Object, byte[]>) encoder;
        this.sse = sse;
        this.contentType = contentType;
    }

    // ---------------------------------------------------------------- whole bodies

    /**
     * A {@code text/plain; charset=UTF-8} response.
     *
     * @param text the body
     * @return the response
     * @throws NullPointerException if {@code text} is null
     */
    public static Response text(String text) {
        Objects.requireNonNull(text, "text");
        return new Response(text.getBytes(StandardCharsets.UTF_8), TEXT);
    }

    /**
     * An {@code application/json} response from JSON text (no mapping is done: bring your own JSON library).
     *
     * @param json the JSON text
     * @return the response
     * @throws NullPointerException if {@code json} is null
     */
    public static Response json(String json) {
        Objects.requireNonNull(json, "json");
        return new Response(json.getBytes(StandardCharsets.UTF_8), JSON);
    }

    /**
     * An {@code application/octet-stream} response.
     *
     * @param body the body (not copied)
     * @return the response
     * @throws NullPointerException if {@code body} is null
     */
    public static Response bytes(byte[] body) {
        Objects.requireNonNull(body, "body");
        return new Response(body, OCTETS);
    }

    /**
     * A response with no body.
     *
     * @param status the status code
     * @return the response
     * @throws IllegalArgumentException if {@code status} is not in 100..599
     */
    public static Response status(int status) {
        return new Response(new byte[0], null).withStatus(status);
    }

    // ---------------------------------------------------------------- streamed bodies

    /**
     * Streams raw bytes: each element is written as it comes ({@code application/octet-stream}).
     *
     * @param chunks the chunks; the body ends when the channel is closed and drained
     * @return the response
     * @throws NullPointerException if {@code chunks} is null
     */
    public static Response stream(ReceiveChannel<byte[]> chunks) {
        Objects.requireNonNull(chunks, "chunks");
        return new Response(chunks, null, 0, b -> b, OCTETS, false);
    }

    /**
     * Streams text lines ({@code text/plain; charset=UTF-8}), each followed by {@code \n}.
     *
     * @param lines the lines
     * @return the response
     * @throws NullPointerException if {@code lines} is null
     */
    public static Response lines(ReceiveChannel<String> lines) {
        Objects.requireNonNull(lines, "lines");
        return new Response(lines, null, 0, Response::line, TEXT, false);
    }

    /**
     * Streams newline-delimited JSON ({@code application/x-ndjson}): each element is one JSON text on one line.
     *
     * @param jsonLines the JSON texts
     * @return the response
     * @throws NullPointerException if {@code jsonLines} is null
     */
    public static Response ndjson(ReceiveChannel<String> jsonLines) {
        Objects.requireNonNull(jsonLines, "jsonLines");
        return new Response(jsonLines, null, 0, Response::line, NDJSON, false);
    }

    /**
     * Streams Server-Sent Events ({@code text/event-stream}). While no event is ready, a comment line is sent every
     * {@code sseHeartbeat} (a server setting), which keeps proxies from timing out and finds a departed client even
     * when the producer is idle.
     *
     * @param events the events
     * @return the response
     * @throws NullPointerException if {@code events} is null
     */
    public static Response sse(ReceiveChannel<SseEvent> events) {
        Objects.requireNonNull(events, "events");
        return new Response(events, null, 0, e -> e.toWire().getBytes(StandardCharsets.UTF_8), EVENTS,
                true);
    }

    /**
     * Streams Server-Sent Events from a producer that runs as a task of the request, into a channel of
     * {@code capacity} events.
     *
     * @param capacity the channel's capacity (0: rendezvous)
     * @param producer sends the events; the stream ends when it returns
     * @return the response
     * @throws NullPointerException if {@code producer} is null
     * @throws IllegalArgumentException if {@code capacity < 0}
     */
    public static Response sse(int capacity, Producer<SseEvent> producer) {
        Objects.requireNonNull(producer, "producer");
        return new Response(null, producer, capacity, (SseEvent e) -> e.toWire().getBytes(StandardCharsets.UTF_8),
                EVENTS, true);
    }

    /**
     * Streams raw bytes from a producer that runs as a task of the request.
     *
     * @param capacity the channel's capacity (0: rendezvous)
     * @param producer sends the chunks
     * @return the response
     * @throws NullPointerException if {@code producer} is null
     * @throws IllegalArgumentException if {@code capacity < 0}
     */
    public static Response stream(int capacity, Producer<byte[]> producer) {
        Objects.requireNonNull(producer, "producer");
        return new Response(null, producer, capacity, (byte[] b) -> b, OCTETS, false);
    }

    /**
     * Streams text lines from a producer that runs as a task of the request.
     *
     * @param capacity the channel's capacity (0: rendezvous)
     * @param producer sends the lines (without their {@code \n})
     * @return the response
     * @throws NullPointerException if {@code producer} is null
     * @throws IllegalArgumentException if {@code capacity < 0}
     */
    public static Response lines(int capacity, Producer<String> producer) {
        Objects.requireNonNull(producer, "producer");
        return new Response(null, producer, capacity, Response::line, TEXT, false);
    }

    /**
     * Streams NDJSON from a producer that runs as a task of the request.
     *
     * @param capacity the channel's capacity (0: rendezvous)
     * @param producer sends one JSON text per element
     * @return the response
     * @throws NullPointerException if {@code producer} is null
     * @throws IllegalArgumentException if {@code capacity < 0}
     */
    public static Response ndjson(int capacity, Producer<String> producer) {
        Objects.requireNonNull(producer, "producer");
        return new Response(null, producer, capacity, Response::line, NDJSON, false);
    }

    private static byte[] line(String s) {
        return (s + "\n").getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- setters

    /**
     * Sets the status.
     *
     * @param code the status code
     * @return this response
     * @throws IllegalArgumentException if {@code code} is not in 100..599
     */
    public Response withStatus(int code) {
        if (code < 100 || code > 599) {
            throw new IllegalArgumentException("status must be in 100..599: " + code);
        }
        this.status = code;
        return this;
    }

    /**
     * Sets a header (replacing a previous value of the same name).
     *
     * @param name the header name
     * @param value the value
     * @return this response
     * @throws NullPointerException if {@code name} or {@code value} is null
     * @throws IllegalArgumentException if {@code name} is not an HTTP token, or {@code value} holds a line break or
     *     NUL (it would split the response: a value taken from a request could add headers or a body)
     */
    public Response header(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        checkHeader(name, value);
        if (name.equalsIgnoreCase("Content-Type")) {
            contentType = HeaderValues.create(HeaderNames.CONTENT_TYPE, value);
            return this;
        }
        if (extra == null) {
            extra = new LinkedHashMap<>(4);
        }
        extra.put(name, value);
        return this;
    }

    private static void checkHeader(String name, String value) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("header name must not be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean token = c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
            if (!token) {
                throw new IllegalArgumentException("header name is not an HTTP token: " + name);
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("header value must be one line without NUL (" + name + ")");
            }
        }
    }

    /** @return the status code */
    public int status() {
        return status;
    }

    /** @return the headers set so far (a copy; Content-Type first) */
    public Map<String, String> headers() {
        Map<String, String> all = new LinkedHashMap<>();
        if (contentType != null) {
            all.put("Content-Type", contentType.get());
        }
        if (sse) {
            all.put("Cache-Control", NO_CACHE.get());
        }
        if (extra != null) {
            all.putAll(extra);
        }
        return all;
    }

    /** Writes the headers to the Helidon response. */
    void applyHeaders(ServerResponse res) {
        if (contentType != null) {
            res.header(contentType);
        }
        if (sse) {
            res.header(NO_CACHE);
        }
        if (extra != null) {
            for (Map.Entry<String, String> h : extra.entrySet()) {
                res.header(h.getKey(), h.getValue());
            }
        }
    }

    // ---------------------------------------------------------------- for the server

    boolean isStreamed() {
        return bytes == null;
    }

    byte[] bytesBody() {
        return bytes;
    }

    ReceiveChannel<?> streamChannel() {
        return stream;
    }

    Producer<?> producer() {
        return producer;
    }

    int producerCapacity() {
        return capacity;
    }

    byte[] encode(Object element) {
        return encoder.apply(element);
    }

    boolean isSse() {
        return sse;
    }
}
