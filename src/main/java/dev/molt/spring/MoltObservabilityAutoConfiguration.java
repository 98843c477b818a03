package dev.molt.spring;

import dev.molt.MoltRuntime;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Observability of the application's {@link MoltRuntime}, each part only when its classes are present:
 * Micrometer meters ({@link MoltMeterBinder}, needs micrometer-core), the {@code molt} actuator endpoint
 * ({@link MoltEndpoint}, needs Spring Boot Actuator; exposed like any endpoint, e.g.
 * {@code management.endpoints.web.exposure.include=molt}) and a health indicator ({@link MoltHealthIndicator},
 * needs spring-boot-health; off with {@code management.health.molt.enabled=false}).
 */
@AutoConfiguration(after = MoltAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "molt.enabled", matchIfMissing = true)
@ConditionalOnBean(MoltRuntime.class)
public class MoltObservabilityAutoConfiguration {

    /** Micrometer meters. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class MetricsConfiguration {
        @Bean
        @ConditionalOnMissingBean
        MoltMeterBinder moltMeterBinder(MoltRuntime runtime) {
            return new MoltMeterBinder(runtime);
        }
    }

    /** The actuator endpoint. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"org.springframework.boot.actuate.endpoint.annotation.Endpoint",
            "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint"})
    static class EndpointConfiguration {
        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnAvailableEndpoint(MoltEndpoint.class)
        MoltEndpoint moltEndpoint(MoltRuntime runtime) {
            return new MoltEndpoint(runtime);
        }
    }

    /** The health indicator. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"org.springframework.boot.health.contributor.HealthIndicator",
            "org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator"})
    static class HealthConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "moltHealthIndicator")
        @ConditionalOnEnabledHealthIndicator("molt")
        MoltHealthIndicator moltHealthIndicator(MoltRuntime runtime) {
            return new MoltHealthIndicator(runtime);
        }
    }
}
