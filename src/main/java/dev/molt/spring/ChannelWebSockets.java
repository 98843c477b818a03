package dev.molt.spring;

import dev.molt.MoltRuntime;
import java.util.Objects;

/**
 * Makes {@link ChannelWebSocketHandler}s bound to the application's runtime and {@code molt.websocket.*}
 * settings. Auto-configured when Spring's WebSocket support is present:
 *
 * <pre>{@code
 * @Bean
 * WebSocketConfigurer echo(ChannelWebSockets ws) {
 *     return registry -> registry.addHandler(ws.handler((session, in, out) -> {
 *         for (WebSocketMessage<?> m : in) out.send(m);
 *     }), "/echo");
 * }
 * }</pre>
 * (with {@code @EnableWebSocket} on a configuration class).
 */
public class ChannelWebSockets {
    private final MoltRuntime runtime;
    private final MoltProperties.WebSocket settings;

    /**
     * @throws NullPointerException if an argument is null
     */
    public ChannelWebSockets(MoltRuntime runtime, MoltProperties.WebSocket settings) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * A handler whose sessions run {@code body}.
     *
     * @throws NullPointerException if {@code body} is null
     */
    public ChannelWebSocketHandler handler(WebSocketSessionBody body) {
        return ChannelWebSocketHandler.of(runtime, settings, body);
    }

    /** The runtime the sessions run in. */
    public MoltRuntime runtime() {
        return runtime;
    }

    /** The settings the handlers use. */
    public MoltProperties.WebSocket settings() {
        return settings;
    }
}
