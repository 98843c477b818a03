package dev.molt.spring;

import dev.molt.MoltRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitterReturnValueHandler;

/**
 * Puts a {@link ChannelReturnValueHandler} first in every {@link RequestMappingHandlerAdapter}'s return value
 * handlers, once they are all made. (Handlers added through {@code WebMvcConfigurer} come after Spring's
 * {@code @ResponseBody} handler, which would claim a channel returned from a {@code @RestController}.)
 */
public class ChannelReturnValueHandlerInstaller implements SmartInitializingSingleton {
    private final MoltRuntime runtime;
    private final MoltProperties.Streaming settings;
    private final ObjectProvider<RequestMappingHandlerAdapter> adapters;

    /**
     * @throws NullPointerException if an argument is null
     */
    public ChannelReturnValueHandlerInstaller(MoltRuntime runtime, MoltProperties.Streaming settings,
            ObjectProvider<RequestMappingHandlerAdapter> adapters) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.adapters = Objects.requireNonNull(adapters, "adapters");
    }

    @Override
    public void afterSingletonsInstantiated() {
        adapters.orderedStream().forEach(this::install);
    }

    private void install(RequestMappingHandlerAdapter adapter) {
        List<HandlerMethodReturnValueHandler> current = adapter.getReturnValueHandlers();
        if (current == null || current.stream().anyMatch(h -> h instanceof ChannelReturnValueHandler)) {
            return;
        }
        HandlerMethodReturnValueHandler emitterHandler = current.stream()
                .filter(h -> h instanceof ResponseBodyEmitterReturnValueHandler)
                .findFirst()
                .orElseGet(() -> new ResponseBodyEmitterReturnValueHandler(adapter.getMessageConverters()));
        List<HandlerMethodReturnValueHandler> handlers = new ArrayList<>(current.size() + 1);
        handlers.add(new ChannelReturnValueHandler(runtime, emitterHandler, settings, adapter.getMessageConverters()));
        handlers.addAll(current);
        adapter.setReturnValueHandlers(handlers);
    }
}
