package dev.molt.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.Molt;
import dev.molt.MoltRuntime;
import dev.molt.Task;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Spring Framework 7 pauses cached test contexts (ConfigurableApplicationContext.pause(), called by the
 * TestContext framework's context cache on every context switch, PauseMode ON_CONTEXT_SWITCH by default) and
 * restarts them when they are used again; ctx.stop()/ctx.start() is the classic form of the same. A context that
 * comes back must have a working Molt runtime.
 */
@Timeout(30)
class MoltRuntimeLifecycleTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(MoltAutoConfiguration.class, MoltObservabilityAutoConfiguration.class));

    @Test
    void pausedAndRestartedContextStillHasAWorkingRuntime() {
        runner.withPropertyValues("molt.shutdown.grace=1s").run(assertable -> {
            ConfigurableApplicationContext ctx = assertable.getSourceApplicationContext();
            MoltRuntime runtime = ctx.getBean(MoltRuntime.class);

            ctx.pause();   // what the test context cache does to a context that is not in use
            ctx.restart(); // ... and this when a later test class picks it up again

            assertThat(ctx.getBean(MoltRuntimeLifecycle.class).isRunning()).isTrue();
            assertThat(runtime.isShutdown()).as("runtime shut down by a mere pause").isFalse();
            Task<String> t = runtime.run(() -> Molt.spawn(() -> "ok")); // RejectedExecutionException now
            assertThat(t.join()).isEqualTo("ok");
            assertThat(ctx.getBean(MoltHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
        });
    }

    /** Documented: an explicit stop of the context shuts the runtime down for good (it cannot be restarted). */
    @Test
    void anExplicitStopShutsTheRuntimeDownForGood() {
        runner.withPropertyValues("molt.shutdown.grace=1s").run(assertable -> {
            ConfigurableApplicationContext ctx = assertable.getSourceApplicationContext();
            MoltRuntime runtime = ctx.getBean(MoltRuntime.class);
            ctx.stop();
            assertThat(runtime.isShutdown()).isTrue();
            ctx.start();
            assertThat(runtime.isShutdown()).isTrue();
        });
    }
}
