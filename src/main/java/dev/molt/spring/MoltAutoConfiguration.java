package dev.molt.spring;

import dev.molt.MoltRuntime;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures Molt's core: an isolated {@link MoltRuntime} for the application context (named by
 * {@code molt.runtime-name}) and the {@link MoltRuntimeLifecycle} that shuts it down with the context. Off with
 * {@code molt.enabled=false}; each bean yields to one the application defines.
 *
 * <p>The web, streaming, WebSocket, metrics and actuator parts are separate auto-configurations that build on
 * this one, each conditional on the classes it needs.
 */
@AutoConfiguration
@ConditionalOnClass(MoltRuntime.class)
@ConditionalOnBooleanProperty(name = "molt.enabled", matchIfMissing = true)
@EnableConfigurationProperties(MoltProperties.class)
public class MoltAutoConfiguration {

    /** The application's runtime: isolated from the JVM's default runtime, so closing a context touches only it. */
    @Bean
    @ConditionalOnMissingBean
    public MoltRuntime moltRuntime(MoltProperties properties) {
        return MoltRuntime.create(properties.getRuntimeName());
    }

    /** Shuts {@code moltRuntime} down when the context closes, waiting {@code molt.shutdown.grace}. */
    @Bean
    @ConditionalOnMissingBean
    public MoltRuntimeLifecycle moltRuntimeLifecycle(MoltRuntime moltRuntime, MoltProperties properties) {
        return new MoltRuntimeLifecycle(moltRuntime, properties.getShutdown().getGrace());
    }
}
