package dev.molt.spring;

import dev.molt.MoltRuntime;
import dev.molt.Task;
import dev.molt.TaskDump;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
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

    /**
     * The tree of {@code dump} as a list, depth first in the order of its text (a node, then its tasks, then its
     * scopes), with a work list rather than recursion: a chain of tasks can be thousands deep.
     */
    static List<Node> nodes(TaskDump dump) {
        List<Node> out = new ArrayList<>();
        Deque<Object> nodes = new ArrayDeque<>();
        Deque<int[]> where = new ArrayDeque<>(); // {parent index (-1: none), depth}
        nodes.push(dump.root());
        where.push(new int[] {-1, 0});
        while (!nodes.isEmpty()) {
            Object node = nodes.pop();
            int[] at = where.pop();
            int index = out.size();
            Integer parent = at[0] < 0 ? null : at[0];
            List<TaskDump.TaskNode> tasks;
            List<TaskDump.ScopeNode> scopes;
            if (node instanceof TaskDump.TaskNode t) {
                out.add(new Node(index, parent, at[1], "task", t.id(), t.name(), t.state(), t.cancelled()));
                tasks = t.tasks();
                scopes = t.scopes();
            } else {
                TaskDump.ScopeNode s = (TaskDump.ScopeNode) node;
                out.add(new Node(index, parent, at[1], s.kind(), null, null, null, s.cancelled()));
                tasks = s.tasks();
                scopes = s.scopes();
            }
            for (int i = scopes.size() - 1; i >= 0; i--) { // pushed in reverse: popped in order, tasks first
                nodes.push(scopes.get(i));
                where.push(new int[] {index, at[1] + 1});
            }
            for (int i = tasks.size() - 1; i >= 0; i--) {
                nodes.push(tasks.get(i));
                where.push(new int[] {index, at[1] + 1});
            }
        }
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
