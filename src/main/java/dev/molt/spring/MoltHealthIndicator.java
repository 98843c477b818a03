package dev.molt.spring;

import dev.molt.MoltRuntime;
import dev.molt.TaskDump;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the application's {@link MoltRuntime}: UP while it accepts tasks, OUT_OF_SERVICE once it is shut
 * down (the context is closing). Details: the runtime's name, carrier and task counters.
 */
public class MoltHealthIndicator implements HealthIndicator {
    private final MoltRuntime runtime;

    /**
     * @throws NullPointerException if {@code runtime} is null
     */
    public MoltHealthIndicator(MoltRuntime runtime) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
    }

    @Override
    public Health health() {
        TaskDump.Counts c = runtime.dump().counts();
        Health.Builder b = runtime.isShutdown() ? Health.outOfService() : Health.up();
        return b.withDetail("runtime", runtime.name())
                .withDetail("carrier", MoltRuntime.carrier())
                .withDetail("live", c.live())
                .withDetail("spawned", c.spawned())
                .withDetail("failed", c.failed())
                .withDetail("cancelled", c.cancelled())
                .build();
    }
}
