package dev.molt.spring;

import dev.molt.MoltRuntime;
import dev.molt.Task;
import dev.molt.TaskDump;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code molt} actuator endpoint ({@code /actuator/molt} once exposed): the runtime's live task dump, like a
 * Go goroutine dump, with its counters. Read-only.
 *
 * <p>The scope/task tree is given as a flat list of {@link Node}s, each naming its parent, not as nested JSON: a
 * chain of tasks each spawned by the one before is as deep as it is long, and JSON writers refuse documents nested
 * deeper than a limit (Jackson 3, which Spring Boot 4 uses: 500 levels, two per task).
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

    /** The dump: JSON with the runtime's name, state, counters, the task tree as a flat list, and as indented text. */
    @ReadOperation
    public MoltDumpDescriptor dump() {
        TaskDump dump = runtime.dump();
        return new MoltDumpDescriptor(dump.runtime(), MoltRuntime.carrier(), runtime.isShutdown(), dump.counts(),
                nodes(dump), dump.toString());
    }

    /** The tree of {@code dump} as a list, in the order of its text, each node after its parent. */
    static List<Node> nodes(TaskDump dump) {
        List<Node> out = new ArrayList<>();
        List<Integer> lastAtDepth = new ArrayList<>(); // the index of the latest node at each depth: the parents
        dump.visit(new TaskDump.Visitor() {
            @Override
            public void scope(TaskDump.ScopeNode s, int depth) {
                out.add(new Node(out.size(), parent(depth), depth, s.kind(), null, null, null, s.cancelled()));
                at(depth);
            }

            @Override
            public void task(TaskDump.TaskNode t, int depth) {
                out.add(new Node(out.size(), parent(depth), depth, "task", t.id(), t.name(), t.state(), t.cancelled()));
                at(depth);
            }

            private Integer parent(int depth) {
                return depth == 0 ? null : lastAtDepth.get(depth - 1);
            }

            private void at(int depth) {
                if (depth < lastAtDepth.size()) {
                    lastAtDepth.set(depth, out.size() - 1);
                } else {
                    lastAtDepth.add(out.size() - 1);
                }
            }
        });
        return out;
    }

    /**
     * The endpoint's answer.
     *
     * @param runtime the runtime's name
     * @param carrier which carrier holds the current token ({@code scoped-value} or {@code thread-local})
     * @param shutdown whether the runtime has been shut down
     * @param counts the counters
     * @param nodes the scope tree with the live tasks, flat: depth first, the root scope first, each node after
     *     its parent
     * @param text the same dump as indented text
     */
    public record MoltDumpDescriptor(String runtime, String carrier, boolean shutdown, TaskDump.Counts counts,
            List<Node> nodes, String text) implements OperationResponseBody {
        public MoltDumpDescriptor {
            nodes = List.copyOf(nodes);
        }
    }

    /**
     * One scope or live task of the tree.
     *
     * @param index its position in {@link MoltDumpDescriptor#nodes()}
     * @param parent the index of the scope or task it is under; null for the root scope
     * @param depth how far below the root scope it is (the root scope: 0)
     * @param kind {@code task}, or a scope's kind: {@code root}, {@code scope}, {@code supervisor} or {@code race}
     * @param id a task's id (its thread's id); null for a scope
     * @param name a task's name; null for a scope
     * @param state a task's state when seen; null for a scope
     * @param cancelled whether its token is cancelled
     */
    public record Node(int index, Integer parent, int depth, String kind, Long id, String name, Task.State state,
            boolean cancelled) {
    }
}
