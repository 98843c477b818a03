package dev.molt.spring;

import dev.molt.MoltRuntime;
import dev.molt.TaskDump;
import java.util.Objects;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code molt} actuator endpoint ({@code /actuator/molt} once exposed): the runtime's live task dump, like a
 * Go goroutine dump, with its counters. Read-only.
 */
@Endpoint(id = "molt")
public class MoltEndpoint {
    private final MoltRuntime runtime;

    /**
     * @throws NullPointerException if {@code runtime} is null
     */
    public MoltEndpoint(MoltRuntime runtime) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
    }

    /** The dump: JSON with the runtime's name, state, counters, the task tree, and the same as indented text. */
    @ReadOperation
    public MoltDumpDescriptor dump() {
        TaskDump dump = runtime.dump();
        return new MoltDumpDescriptor(dump.runtime(), MoltRuntime.carrier(), runtime.isShutdown(), dump.counts(),
                dump.root(), dump.toString());
    }

    /**
     * The endpoint's answer.
     *
     * @param runtime the runtime's name
     * @param carrier which carrier holds the current token ({@code scoped-value} or {@code thread-local})
     * @param shutdown whether the runtime has been shut down
     * @param counts the counters
     * @param root the scope tree with the live tasks
     * @param text the same dump as indented text
     */
    public record MoltDumpDescriptor(String runtime, String carrier, boolean shutdown, TaskDump.Counts counts,
            TaskDump.ScopeNode root, String text) implements OperationResponseBody {
    }
}
