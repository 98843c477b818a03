package dev.molt.spring;

import jakarta.servlet.DispatcherType;
import dev.molt.MoltRuntime;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * Auto-configures Molt for servlet web applications: the {@link MoltRequestFilter} (request-scoped cancellation,
 * off with {@code molt.web.enabled=false}) and, with Spring MVC, {@link ChannelReturnValueHandler} (controllers
 * may return a {@code ReceiveChannel}; off with {@code molt.streaming.enabled=false}). Each bean yields to one
 * the application defines.
 */
@AutoConfiguration(after = MoltAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(name = "jakarta.servlet.Filter")
@ConditionalOnBooleanProperty(name = "molt.enabled", matchIfMissing = true)
@ConditionalOnBean(MoltRuntime.class)
@EnableConfigurationProperties(MoltProperties.class)
public class MoltWebMvcAutoConfiguration {

    /** The request filter and its registration. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "molt.web.enabled", matchIfMissing = true)
    static class RequestFilterConfiguration {
        @Bean
        @ConditionalOnMissingBean
        MoltRequestFilter moltRequestFilter(MoltRuntime runtime, MoltProperties properties) {
            MoltProperties.Web web = properties.getWeb();
            return new MoltRequestFilter(runtime, web.getRequestTimeout(), web.getFilterOrder());
        }

        @Bean
        @ConditionalOnMissingBean(name = "moltRequestFilterRegistration")
        FilterRegistrationBean<MoltRequestFilter> moltRequestFilterRegistration(MoltRequestFilter filter) {
            FilterRegistrationBean<MoltRequestFilter> registration = new FilterRegistrationBean<>(filter);
            registration.setName("moltRequestFilter");
            registration.setOrder(filter.getOrder());
            registration.setAsyncSupported(true);
            // Later dispatches of a request (async, error) run under the token its first dispatch made.
            registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
            return registration;
        }
    }

    /** Channel streaming for Spring MVC handler methods. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter")
    @ConditionalOnBooleanProperty(name = "molt.streaming.enabled", matchIfMissing = true)
    static class StreamingConfiguration {
        @Bean
        @ConditionalOnMissingBean
        ChannelReturnValueHandlerInstaller moltChannelReturnValueHandlerInstaller(MoltRuntime runtime,
                MoltProperties properties, ObjectProvider<RequestMappingHandlerAdapter> adapters) {
            return new ChannelReturnValueHandlerInstaller(runtime, properties.getStreaming(), adapters);
        }
    }
}
