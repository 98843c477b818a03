package dev.molt.spring;

import dev.molt.CancelToken;
import dev.molt.Molt;
import dev.molt.MoltRuntime;
import dev.molt.ReceiveChannel;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Lets a Spring MVC handler method return a {@link ReceiveChannel}: its values are streamed to the client as
 * Server-Sent Events ({@code text/event-stream}, the default) or as newline-delimited JSON
 * ({@code application/x-ndjson}, when the method {@code produces} only that, or the request's {@code Accept}
 * asks for it and not for SSE). The response ends when the channel is closed and drained; see
 * {@link ChannelStream} for the other endings.
 *
 * <p>SSE: each value becomes one event whose data is the value converted by the application's message
 * converters (JSON for objects, the text itself for strings); a value that is an
 * {@link SseEmitter.SseEventBuilder} is sent as that event (names, ids, comments). NDJSON: each value is
 * written as JSON (a {@link CharSequence} as is) followed by a line feed. A {@code HEAD} request gets the
 * headers only and does not start the stream.
 *
 * <p>The writing is done by a Molt task whose token descends from the request's token (see
 * {@link MoltRequestFilter}); the response is Spring MVC's async {@link ResponseBodyEmitter}, so it works under
 * any servlet container, with or without virtual threads. Installed ahead of Spring's own handlers, because
 * {@code @ResponseBody} would otherwise claim the return value.
 */
public class ChannelReturnValueHandler implements HandlerMethodReturnValueHandler {
    static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");

    private final MoltRuntime runtime;
    private final HandlerMethodReturnValueHandler emitterHandler;
    private final MoltProperties.Streaming settings;
    private final List<HttpMessageConverter<?>> converters;

    /**
     * A handler without message converters of its own: NDJSON values are written as JSON by the emitter's
     * converters, on several lines if the application indents its JSON.
     *
     * @param runtime the runtime the writer tasks run in
     * @param emitterHandler Spring's handler for {@link ResponseBodyEmitter} return values, which starts the
     *     async response
     * @param settings deadlines and heartbeat
     * @throws NullPointerException if an argument is null
     */
    public ChannelReturnValueHandler(MoltRuntime runtime, HandlerMethodReturnValueHandler emitterHandler,
            MoltProperties.Streaming settings) {
        this(runtime, emitterHandler, settings, List.of());
    }

    /**
     * @param runtime the runtime the writer tasks run in
     * @param emitterHandler Spring's handler for {@link ResponseBodyEmitter} return values, which starts the
     *     async response
     * @param settings deadlines and heartbeat
     * @param converters the application's message converters, with which each NDJSON value is made JSON on one
     *     line (whether or not the application indents its JSON)
     * @throws NullPointerException if an argument is null
     */
    public ChannelReturnValueHandler(MoltRuntime runtime, HandlerMethodReturnValueHandler emitterHandler,
            MoltProperties.Streaming settings, List<HttpMessageConverter<?>> converters) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.emitterHandler = Objects.requireNonNull(emitterHandler, "emitterHandler");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.converters = List.copyOf(Objects.requireNonNull(converters, "converters"));
    }

    @Override
    public boolean supportsReturnType(MethodParameter returnType) {
        return ReceiveChannel.class.isAssignableFrom(returnType.getParameterType());
    }

    @Override
    public void handleReturnValue(Object returnValue, MethodParameter returnType, ModelAndViewContainer mavContainer,
            NativeWebRequest webRequest) throws Exception {
        if (returnValue == null) {
            mavContainer.setRequestHandled(true);
            return;
        }
        ReceiveChannel<?> channel = (ReceiveChannel<?>) returnValue;
        HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
        ChannelStream.Format format = request == null ? ChannelStream.Format.SSE : formatFor(request);
        if (request != null && "HEAD".equals(request.getMethod())) {
            // The servlet API swallows a HEAD response's body, so no write could ever fail and find the client
            // gone: a stream would run until its channel ends, maybe never. Answer with the headers only; the
            // request then ends, and with it its token and the producer below it.
            HttpServletResponse response = webRequest.getNativeResponse(HttpServletResponse.class);
            if (response != null) {
                response.setContentType(format == ChannelStream.Format.SSE ? MediaType.TEXT_EVENT_STREAM_VALUE
                        : NDJSON.toString());
            }
            mavContainer.setRequestHandled(true);
            return;
        }
        Long timeout = settings.getTimeout() == null ? -1L : Math.max(1L, settings.getTimeout().toMillis());
        ResponseBodyEmitter emitter = format == ChannelStream.Format.SSE ? new SseEmitter(timeout) : new NdjsonEmitter(timeout);

        CancelToken requestToken = request == null ? null : MoltRequestFilter.requestToken(request);
        // Without the request filter the stream gets its own token, cancelled when the response ends.
        CancelToken owner = requestToken != null ? requestToken : runtime.rootToken().child();
        if (requestToken == null) {
            emitter.onCompletion(owner::cancel);
            emitter.onTimeout(owner::cancel);
            emitter.onError(owner::cancel);
        }
        try {
            emitterHandler.handleReturnValue(emitter, returnType, mavContainer, webRequest);
        } catch (Exception | Error e) {
            if (requestToken == null) {
                owner.cancel(e); // our own child of the root token: it must not stay registered there
            }
            throw e;
        }
        ChannelStream stream = new ChannelStream(channel, emitter, format, owner, settings.getSendTimeout(),
                settings.getHeartbeat(), converters);
        try {
            runtime.run(() -> Molt.withToken(owner, () -> Molt.spawn("molt-stream-writer", stream::run)));
        } catch (RejectedExecutionException e) {
            // The runtime is shutting down: the response has started, so end it rather than throw.
            owner.cancel(e);
            emitter.completeWithError(e);
        }
    }

    static ChannelStream.Format formatFor(HttpServletRequest request) {
        boolean sseAllowed = true;
        boolean ndjsonAllowed = true;
        if (request.getAttribute(HandlerMapping.PRODUCIBLE_MEDIA_TYPES_ATTRIBUTE) instanceof Collection<?> producible
                && !producible.isEmpty()) {
            sseAllowed = producible.stream().anyMatch(t -> t instanceof MediaType m && m.isCompatibleWith(MediaType.TEXT_EVENT_STREAM));
            ndjsonAllowed = producible.stream().anyMatch(t -> t instanceof MediaType m && m.isCompatibleWith(NDJSON));
        }
        if (ndjsonAllowed && !sseAllowed) {
            return ChannelStream.Format.NDJSON;
        }
        if (ndjsonAllowed) {
            String accept = request.getHeader("Accept");
            if (accept != null) {
                try {
                    // NDJSON when the Accept names it and does not name SSE, whatever the order (docs/spring.md).
                    boolean namesNdjson = false;
                    boolean namesSse = false;
                    for (MediaType m : MediaType.parseMediaTypes(accept)) {
                        if (m.isWildcardType() || m.isWildcardSubtype()) {
                            continue;
                        }
                        namesNdjson |= m.isCompatibleWith(NDJSON);
                        namesSse |= m.isCompatibleWith(MediaType.TEXT_EVENT_STREAM);
                    }
                    if (namesNdjson && !namesSse) {
                        return ChannelStream.Format.NDJSON;
                    }
                } catch (RuntimeException e) {
                    // An unparsable Accept header: fall back to SSE.
                }
            }
        }
        return ChannelStream.Format.SSE;
    }

    /** A {@link ResponseBodyEmitter} whose response is {@code application/x-ndjson}. */
    static final class NdjsonEmitter extends ResponseBodyEmitter {
        NdjsonEmitter(Long timeout) {
            super(timeout);
        }

        @Override
        protected void extendResponse(ServerHttpResponse outputMessage) {
            super.extendResponse(outputMessage);
            if (outputMessage.getHeaders().getContentType() == null) {
                outputMessage.getHeaders().setContentType(NDJSON);
            }
        }
    }
}
