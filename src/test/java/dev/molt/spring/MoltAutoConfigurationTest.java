package dev.molt.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.Molt;
import dev.molt.MoltRuntime;
import dev.molt.Task;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;
import org.springframework.web.socket.WebSocketHandler;

/** Every condition of the auto-configurations, with {@link ApplicationContextRunner}. */
@Timeout(60)
@ExtendWith(OutputCaptureExtension.class)
class MoltAutoConfigurationTest {

    private static final AutoConfigurations ALL = AutoConfigurations.of(MoltAutoConfiguration.class,
            MoltWebMvcAutoConfiguration.class, MoltWebSocketAutoConfiguration.class,
            MoltObservabilityAutoConfiguration.class);

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(ALL);
    private final WebApplicationContextRunner webRunner = new WebApplicationContextRunner().withConfiguration(ALL);

    // ------------------------------------------------------------ core

    @Test
    void onByDefault_runtimeIsIsolatedAndShutDownWithTheContext() {
        MoltRuntime[] seen = new MoltRuntime[1];
        runner.run(ctx -> {
            assertThat(ctx).hasSingleBean(MoltRuntime.class).hasSingleBean(MoltRuntimeLifecycle.class)
                    .hasSingleBean(MoltProperties.class);
            MoltRuntime rt = ctx.getBean(MoltRuntime.class);
            assertThat(rt).isNotSameAs(MoltRuntime.defaultRuntime());
            assertThat(rt.name()).isEqualTo("spring");
            assertThat(rt.isShutdown()).isFalse();
            seen[0] = rt;
        });
        assertThat(seen[0].isShutdown()).isTrue();
        assertThat(MoltRuntime.defaultRuntime().isShutdown()).isFalse();
    }

    @Test
    void offWithMoltEnabledFalse() {
        webRunner.withPropertyValues("molt.enabled=false").run(ctx -> assertThat(ctx)
                .doesNotHaveBean(MoltRuntime.class).doesNotHaveBean(MoltRuntimeLifecycle.class)
                .doesNotHaveBean(MoltRequestFilter.class).doesNotHaveBean(ChannelReturnValueHandlerInstaller.class)
                .doesNotHaveBean(ChannelWebSockets.class).doesNotHaveBean(MoltMeterBinder.class)
                .doesNotHaveBean(MoltHealthIndicator.class));
    }

    @Test
    void offWhenMoltIsNotOnTheClassPath() {
        runner.withClassLoader(new FilteredClassLoader(MoltRuntime.class))
                .run(ctx -> assertThat(ctx).doesNotHaveBean(MoltRuntimeLifecycle.class)
                        .doesNotHaveBean(MoltProperties.class));
    }

    @Test
    void userRuntimeWins() {
        runner.withUserConfiguration(UserRuntime.class).run(ctx -> {
            assertThat(ctx).hasSingleBean(MoltRuntime.class);
            assertThat(ctx.getBean(MoltRuntime.class).name()).isEqualTo("mine");
            assertThat(ctx).hasSingleBean(MoltRuntimeLifecycle.class); // still bound to the context
        });
    }

    @Test
    void userLifecycleWins() {
        runner.withUserConfiguration(UserLifecycle.class).run(ctx -> {
            assertThat(ctx).hasSingleBean(MoltRuntimeLifecycle.class);
            assertThat(ctx.getBean(MoltRuntimeLifecycle.class)).isSameAs(UserLifecycle.LIFECYCLE);
        });
    }

    @Test
    void propertiesBind() {
        runner.withPropertyValues("molt.runtime-name=orders", "molt.shutdown.grace=5s", "molt.web.request-timeout=2s",
                "molt.streaming.send-timeout=3s", "molt.streaming.heartbeat=0s", "molt.websocket.buffer=4")
                .run(ctx -> {
                    MoltProperties p = ctx.getBean(MoltProperties.class);
                    assertThat(ctx.getBean(MoltRuntime.class).name()).isEqualTo("orders");
                    assertThat(p.getShutdown().getGrace()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(p.getWeb().getRequestTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(p.getStreaming().getSendTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(p.getStreaming().getHeartbeat()).isZero();
                    assertThat(p.getWebsocket().getBuffer()).isEqualTo(4);
                });
    }

    @Test
    void badPropertiesFailTheContext() {
        runner.withPropertyValues("molt.shutdown.grace=-1s").run(ctx -> assertThat(ctx).hasFailed());
        runner.withPropertyValues("molt.websocket.buffer=0").run(ctx -> assertThat(ctx).hasFailed());
        // Deadlines of zero would expire at once: every write, message or request would be cut off.
        for (String zero : new String[] {"molt.web.request-timeout=0s", "molt.streaming.send-timeout=0s",
                "molt.streaming.timeout=0s", "molt.websocket.send-timeout=0s"}) {
            runner.withPropertyValues(zero).run(ctx -> assertThat(ctx).as(zero).hasFailed());
        }
        runner.withPropertyValues("molt.shutdown.grace=0s", "molt.streaming.heartbeat=0s")
                .run(ctx -> assertThat(ctx).hasNotFailed()); // zero means "do not wait" and "none" there
    }

    @Test
    void closeWaitsForTasksWithinTheGrace() {
        Task<?>[] task = new Task<?>[1];
        runner.withPropertyValues("molt.shutdown.grace=10s").run(ctx -> {
            MoltRuntime rt = ctx.getBean(MoltRuntime.class);
            // Ignores the cancellation for 300 ms, like clean-up work would.
            task[0] = rt.run(() -> Molt.spawn("cleanup", () -> Molt.withToken(dev.molt.CancelToken.never(), () -> {
                Molt.sleep(Duration.ofMillis(300));
                return "done";
            })));
        });
        assertThat(task[0].isDone()).as("close returned only after the task ended").isTrue();
        assertThat(task[0].state()).isEqualTo(Task.State.SUCCEEDED);
    }

    @Test
    void tasksLeftAfterTheGraceAreLoggedByName(CapturedOutput output) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Task<?>[] task = new Task<?>[1];
        long[] start = new long[1];
        runner.withPropertyValues("molt.shutdown.grace=200ms").run(ctx -> {
            MoltRuntime rt = ctx.getBean(MoltRuntime.class);
            task[0] = rt.run(() -> Molt.spawn("stubborn-worker", () -> {
                while (true) { // deaf to cancellation and interrupts
                    try {
                        if (release.await(10, TimeUnit.MILLISECONDS)) {
                            return;
                        }
                    } catch (InterruptedException ignored) {
                        // keep going
                    }
                }
            }));
            start[0] = System.nanoTime();
        });
        long tookMillis = (System.nanoTime() - start[0]) / 1_000_000;
        assertThat(tookMillis).isBetween(150L, 10_000L);
        assertThat(output).contains("still running after the shutdown grace").contains("stubborn-worker");
        release.countDown();
        task[0].toFuture().exceptionally(t -> null).get(10, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------ web

    @Test
    void servletWebApplicationGetsTheFilterAndStreaming() {
        webRunner.run(ctx -> assertThat(ctx).hasSingleBean(MoltRequestFilter.class)
                .hasBean("moltRequestFilterRegistration").hasSingleBean(ChannelReturnValueHandlerInstaller.class));
    }

    @Test
    void nonWebApplicationGetsNoFilter() {
        runner.run(ctx -> assertThat(ctx).doesNotHaveBean(MoltRequestFilter.class)
                .doesNotHaveBean(ChannelReturnValueHandlerInstaller.class));
    }

    @Test
    void filterOffWithMoltWebEnabledFalse() {
        webRunner.withPropertyValues("molt.web.enabled=false").run(ctx -> assertThat(ctx)
                .doesNotHaveBean(MoltRequestFilter.class).doesNotHaveBean("moltRequestFilterRegistration")
                .hasSingleBean(ChannelReturnValueHandlerInstaller.class));
    }

    @Test
    void streamingOffWithMoltStreamingEnabledFalse() {
        webRunner.withPropertyValues("molt.streaming.enabled=false").run(ctx -> assertThat(ctx)
                .doesNotHaveBean(ChannelReturnValueHandlerInstaller.class).hasSingleBean(MoltRequestFilter.class));
    }

    @Test
    void streamingNeedsSpringMvc() {
        webRunner.withClassLoader(new FilteredClassLoader(RequestMappingHandlerAdapter.class)).run(ctx -> assertThat(ctx)
                .doesNotHaveBean(ChannelReturnValueHandlerInstaller.class).hasSingleBean(MoltRequestFilter.class));
    }

    @Test
    void userFilterWins() {
        webRunner.withUserConfiguration(UserFilter.class).run(ctx -> {
            assertThat(ctx).hasSingleBean(MoltRequestFilter.class);
            assertThat(ctx.getBean(MoltRequestFilter.class).getOrder()).isEqualTo(42);
        });
    }

    // ------------------------------------------------------------ websocket

    @Test
    void webSocketFactoryWhenSpringWebSocketIsPresent() {
        runner.run(ctx -> assertThat(ctx).hasSingleBean(ChannelWebSockets.class));
        runner.withClassLoader(new FilteredClassLoader(WebSocketHandler.class))
                .run(ctx -> assertThat(ctx).doesNotHaveBean(ChannelWebSockets.class).hasSingleBean(MoltRuntime.class));
    }

    // ------------------------------------------------------------ observability

    @Test
    void metersCountTasks() {
        runner.run(ctx -> {
            assertThat(ctx).hasSingleBean(MoltMeterBinder.class);
            MoltRuntime rt = ctx.getBean(MoltRuntime.class);
            rt.run(() -> Molt.spawn(() -> "ok")).join();
            Task<?> failing = rt.run(() -> Molt.spawn(() -> {
                throw new IllegalStateException("boom");
            }));
            failing.toFuture().exceptionally(t -> null).join();
            MeterRegistry registry = new SimpleMeterRegistry();
            ctx.getBean(MoltMeterBinder.class).bindTo(registry);
            assertThat(registry.get("molt.tasks.spawned").tag("runtime", "spring").functionCounter().count())
                    .isEqualTo(2.0);
            assertThat(registry.get("molt.tasks.failed").functionCounter().count()).isEqualTo(1.0);
            assertThat(registry.get("molt.tasks.succeeded").functionCounter().count()).isEqualTo(1.0);
            assertThat(registry.get("molt.tasks.cancelled").functionCounter().count()).isZero();
            assertThat(registry.get("molt.tasks.live").gauge().value()).isZero();
        });
        runner.withClassLoader(new FilteredClassLoader(MeterBinder.class))
                .run(ctx -> assertThat(ctx).doesNotHaveBean(MoltMeterBinder.class).hasSingleBean(MoltRuntime.class));
    }

    @Test
    void endpointWhenExposed() {
        runner.run(ctx -> assertThat(ctx).doesNotHaveBean(MoltEndpoint.class)); // not exposed by default
        runner.withPropertyValues("management.endpoints.web.exposure.include=molt").run(ctx -> {
            assertThat(ctx).hasSingleBean(MoltEndpoint.class);
            MoltEndpoint.MoltDumpDescriptor d = ctx.getBean(MoltEndpoint.class).dump();
            assertThat(d.runtime()).isEqualTo("spring");
            assertThat(d.text()).contains("runtime 'spring'");
        });
        runner.withPropertyValues("management.endpoints.web.exposure.include=molt")
                .withClassLoader(new FilteredClassLoader(Endpoint.class))
                .run(ctx -> assertThat(ctx).doesNotHaveBean(MoltEndpoint.class));
    }

    @Test
    void healthIndicator() {
        runner.run(ctx -> {
            assertThat(ctx).hasSingleBean(MoltHealthIndicator.class);
            Health h = ctx.getBean(MoltHealthIndicator.class).health();
            assertThat(h.getStatus()).isEqualTo(Status.UP);
            assertThat(h.getDetails()).containsEntry("runtime", "spring").containsKey("live");
        });
        runner.withPropertyValues("management.health.molt.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(MoltHealthIndicator.class));
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .run(ctx -> assertThat(ctx).doesNotHaveBean(MoltHealthIndicator.class));
    }

    @Test
    void healthIsOutOfServiceAfterShutdown() throws Exception {
        MoltRuntime rt = MoltRuntime.create("h");
        rt.shutdown(Duration.ZERO);
        assertThat(new MoltHealthIndicator(rt).health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
    }

    @Test
    void userObservabilityAndWebSocketBeansWin() {
        runner.withUserConfiguration(UserBeans.class)
                .withPropertyValues("management.endpoints.web.exposure.include=molt").run(ctx -> {
                    assertThat(ctx.getBean(MoltMeterBinder.class)).isSameAs(UserBeans.METERS);
                    assertThat(ctx.getBean(MoltEndpoint.class)).isSameAs(UserBeans.ENDPOINT);
                    assertThat(ctx.getBean("moltHealthIndicator")).isSameAs(UserBeans.HEALTH);
                    assertThat(ctx.getBean(ChannelWebSockets.class)).isSameAs(UserBeans.SOCKETS);
                    assertThat(ctx).hasSingleBean(MoltMeterBinder.class).hasSingleBean(MoltEndpoint.class)
                            .hasSingleBean(ChannelWebSockets.class).hasSingleBean(MoltHealthIndicator.class);
                });
    }

    // ------------------------------------------------------------ user configurations

    @Configuration(proxyBeanMethods = false)
    static class UserBeans {
        static final MoltRuntime RT = MoltRuntime.create("user-beans");
        static final MoltMeterBinder METERS = new MoltMeterBinder(RT);
        static final MoltEndpoint ENDPOINT = new MoltEndpoint(RT);
        static final MoltHealthIndicator HEALTH = new MoltHealthIndicator(RT);
        static final ChannelWebSockets SOCKETS = new ChannelWebSockets(RT, new MoltProperties.WebSocket());

        @Bean
        MoltMeterBinder myMeters() {
            return METERS;
        }

        @Bean
        MoltEndpoint myEndpoint() {
            return ENDPOINT;
        }

        @Bean
        MoltHealthIndicator moltHealthIndicator() {
            return HEALTH;
        }

        @Bean
        ChannelWebSockets mySockets() {
            return SOCKETS;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserRuntime {
        @Bean
        MoltRuntime myRuntime() {
            return MoltRuntime.create("mine");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserLifecycle {
        static final MoltRuntimeLifecycle LIFECYCLE =
                new MoltRuntimeLifecycle(MoltRuntime.create("user-lifecycle"), Duration.ZERO);

        @Bean
        MoltRuntimeLifecycle myLifecycle() {
            return LIFECYCLE;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserFilter {
        @Bean
        MoltRequestFilter myFilter(MoltRuntime runtime) {
            return new MoltRequestFilter(runtime, null, 42);
        }
    }
}
