package dev.molt.spring;

import dev.molt.CancelToken;
import dev.molt.CancelledException;
import dev.molt.ChannelClosedException;
import dev.molt.ReceiveChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Copies one {@link ReceiveChannel} to one client: the body of the writer task of a streamed response.
 *
 * <p>One writer task per stream, so a client that stops reading blocks only its own writer. Each write has a
 * deadline ({@code sendTimeout}): if it has not finished by then, the stream is aborted (see {@link #abort}).
 * The channel is the only buffer between producer and client (besides the socket's): the producer's
 * {@code send} blocks when the client falls behind by the channel's capacity.
 *
 * <p>How a stream ends:
 * <ul>
 *   <li>the channel is closed and drained: the response completes normally;</li>
 *   <li>the channel is closed with a reason: the response completes with that error;</li>
 *   <li>a write fails (the client went away), or misses its deadline: {@code owner} (the request's token, which
 *       the producer descends from) is cancelled with that failure as the reason, so the producer's next channel
 *       operation throws {@code CancelledException};</li>
 *   <li>the writer's token is cancelled (request token cancelled by the container, a request timeout, the
 *       runtime's shutdown): the response completes normally.</li>
 * </ul>
 */
final class ChannelStream {
    private static final Logger log = LoggerFactory.getLogger(ChannelStream.class);

    /** The two wire formats. */
    enum Format {
        SSE,
        NDJSON
    }

    private final ReceiveChannel<?> channel;
    private final ResponseBodyEmitter emitter;
    private final Format format;
    private final CancelToken owner;
    private final Duration sendTimeout;
    private final Duration heartbeat;
    private final List<HttpMessageConverter<?>> converters;

    /**
     * @param converters the application's message converters, with which an NDJSON value is made JSON; if none
     *     writes JSON, the emitter's own converters write it (as they would, indented if the application indents)
     */
    ChannelStream(ReceiveChannel<?> channel, ResponseBodyEmitter emitter, Format format, CancelToken owner,
            Duration sendTimeout, Duration heartbeat, List<HttpMessageConverter<?>> converters) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.emitter = Objects.requireNonNull(emitter, "emitter");
        this.format = Objects.requireNonNull(format, "format");
        this.owner = Objects.requireNonNull(owner, "owner");
        this.sendTimeout = Objects.requireNonNull(sendTimeout, "sendTimeout");
        this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
        this.converters = List.copyOf(converters);
    }

    /** The writer task's body; runs under a token that descends from {@code owner}. */
    void run() throws InterruptedException {
        boolean beat = format == Format.SSE && !heartbeat.isZero();
        try {
            while (true) {
                Object value = beat ? channel.recv(heartbeat) : channel.recv();
                if (!write(value)) {
                    return;
                }
            }
        } catch (ChannelClosedException e) {
            if (e.getCause() == null) {
                emitter.complete();
            } else {
                emitter.completeWithError(e.getCause());
            }
        } catch (CancelledException e) {
            // The request ended, timed out, or the runtime is shutting down: end the response cleanly.
            emitter.complete();
        }
    }

    /** Writes one value (null: a heartbeat) within the deadline; false if the stream is dead. */
    private boolean write(Object value) {
        CancelToken deadline = owner.childWithTimeout(sendTimeout);
        AtomicBoolean missed = new AtomicBoolean();
        // The callback runs in the deadline timer's thread, which must never block: completing the emitter takes
        // the lock the stuck write holds, so it is done in a thread of its own. Only this write's own deadline
        // counts: a TimeoutException that reaches it from owner (a request or async timeout) ends the request,
        // which the next recv sees, and the response then completes normally.
        try (AutoCloseable watch = deadline.onCancel(() -> {
            Throwable reason = deadline.reason();
            if (reason instanceof TimeoutException && reason != owner.reason()) {
                missed.set(true);
                TimeoutException e = new TimeoutException("a write to the client took longer than " + sendTimeout);
                owner.cancel(e);
                Thread.ofVirtual().name("molt-stream-abort").start(() -> abort(e));
            }
        })) {
            send(value);
            return !missed.get();
        } catch (IOException | RuntimeException e) {
            abort(e);
            return false;
        } catch (Exception e) {
            throw new IllegalStateException(e); // only close() of the watch, which never throws
        } finally {
            deadline.cancel(); // leaves owner's children and the deadline timer at once
        }
    }

    private void send(Object value) throws IOException {
        if (value == null) {
            ((SseEmitter) emitter).send(SseEmitter.event().comment(""));
        } else if (format == Format.SSE) {
            SseEmitter sse = (SseEmitter) emitter;
            if (value instanceof SseEmitter.SseEventBuilder event) {
                sse.send(event);
            } else {
                // Text as text, whatever CharSequence holds it (a StringBuilder would otherwise become a JSON string).
                sse.send(value instanceof CharSequence text ? text.toString() : value);
            }
        } else {
            // Text as is (as a String: the text converter writes only Strings), anything else as JSON on one line.
            String json = value instanceof CharSequence ? null : oneLineJson(value);
            Object data = value instanceof CharSequence text ? text.toString() : json != null ? json : value;
            MediaType type = value instanceof CharSequence ? MediaType.TEXT_PLAIN
                    : json != null ? UTF8_TEXT : MediaType.APPLICATION_JSON;
            // One call, so the value and its line end are written and flushed together.
            Set<ResponseBodyEmitter.DataWithMediaType> line = new LinkedHashSet<>(4);
            line.add(new ResponseBodyEmitter.DataWithMediaType(data, type));
            line.add(new ResponseBodyEmitter.DataWithMediaType("\n", MediaType.TEXT_PLAIN));
            emitter.send(line);
        }
    }

    /**
     * {@code value} as JSON by the first converter that writes it, with its line breaks taken out (an application
     * that indents its JSON, {@code spring.jackson.serialization.indent-output}, would otherwise spread one value
     * over many lines, which is not NDJSON). Raw line breaks in JSON are only ever whitespace between tokens: inside
     * strings they are escaped. Null if no converter writes JSON.
     */
    @SuppressWarnings("unchecked")
    private String oneLineJson(Object value) throws IOException {
        for (HttpMessageConverter<?> c : converters) {
            if (c.canWrite(value.getClass(), MediaType.APPLICATION_JSON)) {
                BufferedMessage out = new BufferedMessage();
                ((HttpMessageConverter<Object>) c).write(value, MediaType.APPLICATION_JSON, out);
                MediaType written = out.getHeaders().getContentType();
                Charset charset = written != null && written.getCharset() != null ? written.getCharset()
                        : StandardCharsets.UTF_8;
                String json = out.body.toString(charset);
                return json.indexOf('\n') < 0 && json.indexOf('\r') < 0 ? json
                        : json.replace("\r", "").replace("\n", "");
            }
        }
        return null;
    }

    private static final MediaType UTF8_TEXT = new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8);

    /** A message written to memory. */
    private static final class BufferedMessage implements HttpOutputMessage {
        final ByteArrayOutputStream body = new ByteArrayOutputStream(128);
        final HttpHeaders headers = new HttpHeaders();

        @Override
        public OutputStream getBody() {
            return body;
        }

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }
    }

    /**
     * The client is gone or too slow: cancel the request's token (the producer descends from it), and end the
     * response. A writer blocked in the container's write stays blocked until the container gives up on the
     * connection (its own write timeout); by then nothing else waits for it.
     */
    private void abort(Throwable reason) {
        log.debug("Ending a channel stream: {}", reason.toString());
        owner.cancel(reason);
        try {
            emitter.completeWithError(reason);
        } catch (RuntimeException e) {
            log.debug("Completing an aborted stream failed", e);
        }
    }
}
