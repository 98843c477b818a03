package dev.molt.spring;

import dev.molt.MoltRuntime;
import dev.molt.TaskDump;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Micrometer meters of a {@link MoltRuntime}, tagged {@code runtime=<name>}:
 * <ul>
 *   <li>{@code molt.tasks.live} (gauge): tasks started and not yet ended;</li>
 *   <li>{@code molt.tasks.spawned}, {@code molt.tasks.succeeded}, {@code molt.tasks.failed},
 *       {@code molt.tasks.cancelled} (function counters): tasks ever started, and ended in each state.</li>
 * </ul>
 * The counters come from {@link MoltRuntime#dump()}{@code .counts()}; a dump walks the live task tree, so one
 * is taken at most once per {@link #REFRESH_NANOS} however many meters a scrape reads.
 */
public class MoltMeterBinder implements MeterBinder {
    /** How long one read of the counters serves all meters. */
    static final long REFRESH_NANOS = 1_000_000_000L;

    private final MoltRuntime runtime;
    private volatile Snapshot snapshot;

    private record Snapshot(long takenAt, TaskDump.Counts counts) {
    }

    /**
     * @throws NullPointerException if {@code runtime} is null
     */
    public MoltMeterBinder(MoltRuntime runtime) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        String name = runtime.name();
        Gauge.builder("molt.tasks.live", runtime, r -> r.liveTasks())
                .description("Molt tasks started and not yet ended").tag("runtime", name).baseUnit("tasks")
                .register(registry);
        counter(registry, "molt.tasks.spawned", "Molt tasks started", TaskDump.Counts::spawned);
        counter(registry, "molt.tasks.succeeded", "Molt tasks that ended SUCCEEDED", TaskDump.Counts::succeeded);
        counter(registry, "molt.tasks.failed", "Molt tasks that ended FAILED", TaskDump.Counts::failed);
        counter(registry, "molt.tasks.cancelled", "Molt tasks that ended CANCELLED", TaskDump.Counts::cancelled);
    }

    private void counter(MeterRegistry registry, String meter, String description, ToLongFunction<TaskDump.Counts> f) {
        FunctionCounter.builder(meter, this, b -> f.applyAsLong(b.counts()))
                .description(description).tag("runtime", runtime.name()).baseUnit("tasks")
                .register(registry);
    }

    private TaskDump.Counts counts() {
        Snapshot s = snapshot;
        long now = System.nanoTime();
        if (s == null || now - s.takenAt() > REFRESH_NANOS) {
            s = new Snapshot(now, runtime.dump().counts());
            snapshot = s;
        }
        return s.counts();
    }
}
