package dev.molt.spring;

import dev.molt.MoltRuntime;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures {@link ChannelWebSockets} when Spring's WebSocket support ({@code spring-websocket}) is present.
 * The application still registers its handlers (and {@code @EnableWebSocket}), as with any Spring WebSocket
 * handler.
 */
@AutoConfiguration(after = MoltAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.web.socket.WebSocketHandler")
@ConditionalOnBooleanProperty(name = "molt.enabled", matchIfMissing = true)
@ConditionalOnBean(MoltRuntime.class)
@EnableConfigurationProperties(MoltProperties.class)
public class MoltWebSocketAutoConfiguration {

    /** The handler factory. */
    @Bean
    @ConditionalOnMissingBean
    public ChannelWebSockets moltChannelWebSockets(MoltRuntime runtime, MoltProperties properties) {
        return new ChannelWebSockets(runtime, properties.getWebsocket());
    }
}
