package dev.molt.spring;

import dev.molt.MoltRuntime;
import dev.molt.TaskDump;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * Binds a {@link MoltRuntime} to the application context's lifecycle: when the context closes, the runtime is
 * shut down (its root token cancelled, which cancels every request token and every task below it, and
 * interrupts the tasks' threads), and the close waits up to the grace period for the tasks to end. Tasks still
 * running after that are logged by name at WARN, with the task dump at DEBUG.
 *
 * <p>Phase: {@link #PHASE} is above the web server's graceful-shutdown phase, so the runtime is cancelled
 * <em>before</em> the server waits for in-flight requests: long-lived streams and WebSocket sessions end at once
 * instead of holding the server's graceful shutdown until its own timeout. Lifecycle beans at the default phase
 * (which may still use Molt) are stopped before this one.
 *
 * <p>If the context is closed without having been started (a failed refresh), {@link #destroy()} still shuts the
 * runtime down. Shutting down happens once; later calls return at once.
 */
public class MoltRuntimeLifecycle implements SmartLifecycle, DisposableBean {
    /** The lifecycle phase: after user beans at the default phase, before the web server's graceful shutdown. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

    private static final Logger log = LoggerFactory.getLogger(MoltRuntimeLifecycle.class);

    private final MoltRuntime runtime;
    private final Duration grace;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile boolean running;

    /**
     * @param runtime the runtime to shut down with the context
     * @param grace how long to wait for its tasks after cancelling them
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public MoltRuntimeLifecycle(MoltRuntime runtime, Duration grace) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.grace = MoltProperties.nonNegative(grace, "grace");
    }

    /** Marks the lifecycle running; the runtime itself needs no starting. */
    @Override
    public void start() {
        running = true;
    }

    /** Shuts the runtime down and waits up to the grace period (see the class comment). */
    @Override
    public void stop() {
        try {
            shutdown();
        } finally {
            running = false;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Not pauseable: a runtime that is shut down stays shut down, so a pause (what Spring's test context cache does
     * to a cached context it switches away from) must not stop it. An explicit {@code stop()} of the context does,
     * for good: a context stopped and started again has a runtime that refuses tasks.
     */
    @Override
    public boolean isPauseable() {
        return false;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** Shuts the runtime down if {@link #stop()} never ran (the context was closed without being started). */
    @Override
    public void destroy() {
        shutdown();
    }

    private void shutdown() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        long live = runtime.liveTasks();
        if (live > 0) {
            log.info("Shutting down Molt runtime '{}': cancelling {} live task(s), waiting up to {}",
                    runtime.name(), live, grace);
        }
        boolean allEnded;
        try {
            allEnded = runtime.shutdown(grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            allEnded = false;
        }
        if (!allEnded) {
            TaskDump dump = runtime.dump();
            List<String> names = dump.allTasks().stream().map(TaskDump.TaskNode::name).toList();
            log.warn("Molt runtime '{}': {} task(s) still running after the shutdown grace of {}: {}",
                    runtime.name(), names.size(), grace, names);
            log.debug("Molt runtime '{}' at the end of its shutdown grace:\n{}", runtime.name(), dump);
        }
    }
}
