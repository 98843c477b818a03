package dev.molt;

import java.util.List;

/**
 * A snapshot of a runtime's live tasks, like a Go goroutine dump: the tree of scopes and the tasks in them,
 * with the runtime's counters. Made by {@link MoltRuntime#dump()}; {@link #toString()} renders it as indented
 * text. Taken without stopping anything, so a task may end or start while it is taken.
 *
 * @param runtime the runtime's name
 * @param counts the runtime's counters when the dump was taken
 * @param root the root scope, with everything below it
 */
public record TaskDump(String runtime, Counts counts, ScopeNode root) {

    public TaskDump {
        root = java.util.Objects.requireNonNull(root, "root");
    }

    /**
     * Task counters.
     *
     * @param spawned tasks ever started
     * @param live tasks started and not yet ended
     * @param succeeded tasks that ended SUCCEEDED
     * @param failed tasks that ended FAILED
     * @param cancelled tasks that ended CANCELLED
     */
    public record Counts(long spawned, long live, long succeeded, long failed, long cancelled) {
    }

    /**
     * A scope.
     *
     * @param kind {@code root}, {@code scope}, {@code supervisor} or {@code race}
     * @param cancelled whether its token is cancelled
     * @param tasks its live tasks that were spawned from its body
     * @param scopes scopes opened directly in its body's thread (not by its tasks)
     */
    public record ScopeNode(String kind, boolean cancelled, List<TaskNode> tasks, List<ScopeNode> scopes) {
        public ScopeNode {
            tasks = List.copyOf(tasks);
            scopes = List.copyOf(scopes);
        }
    }

    /**
     * A live task.
     *
     * @param id the task's id (its thread's id)
     * @param name the task's name
     * @param state its state when seen
     * @param cancelled whether its token is cancelled
     * @param tasks live tasks it spawned outside any scope of its own (they belong to its scope, and are
     *     cancelled with it)
     * @param scopes the scopes its body has open
     */
    public record TaskNode(long id, String name, Task.State state, boolean cancelled, List<TaskNode> tasks,
            List<ScopeNode> scopes) {
        public TaskNode {
            tasks = List.copyOf(tasks);
            scopes = List.copyOf(scopes);
        }
    }

    /** All tasks in the tree, depth first. */
    public List<TaskNode> allTasks() {
        List<TaskNode> out = new java.util.ArrayList<>();
        walk((node, depth) -> {
            if (node instanceof TaskNode t) {
                out.add(t);
            }
        });
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("runtime '").append(runtime).append("': ")
                .append(counts.live()).append(" live, ")
                .append(counts.spawned()).append(" spawned, ")
                .append(counts.succeeded()).append(" succeeded, ")
                .append(counts.failed()).append(" failed, ")
                .append(counts.cancelled()).append(" cancelled\n");
        walk((node, depth) -> {
            if (node instanceof TaskNode t) {
                indent(depth, sb).append("task #").append(t.id()).append(" \"").append(t.name()).append("\" ")
                        .append(t.state()).append(t.cancelled() ? " (cancelled)" : "").append('\n');
            } else {
                ScopeNode scope = (ScopeNode) node;
                indent(depth, sb).append(scope.kind()).append(scope.cancelled() ? " (cancelled)" : "").append('\n');
            }
        });
        return sb.toString();
    }

    /**
     * Visits every node depth first (a node, then its tasks, then its scopes), with a work list rather than
     * recursion: a chain of tasks each spawned by the one before can be thousands deep.
     */
    private void walk(java.util.function.ObjIntConsumer<Object> visit) {
        java.util.ArrayDeque<Object> nodes = new java.util.ArrayDeque<>();
        java.util.ArrayDeque<Integer> depths = new java.util.ArrayDeque<>();
        nodes.push(root);
        depths.push(0);
        while (!nodes.isEmpty()) {
            Object node = nodes.pop();
            int depth = depths.pop();
            visit.accept(node, depth);
            List<TaskNode> tasks = node instanceof TaskNode t ? t.tasks() : ((ScopeNode) node).tasks();
            List<ScopeNode> scopes = node instanceof TaskNode t ? t.scopes() : ((ScopeNode) node).scopes();
            for (int i = scopes.size() - 1; i >= 0; i--) { // pushed in reverse: popped in order, tasks first
                nodes.push(scopes.get(i));
                depths.push(depth + 1);
            }
            for (int i = tasks.size() - 1; i >= 0; i--) {
                nodes.push(tasks.get(i));
                depths.push(depth + 1);
            }
        }
    }

    private static StringBuilder indent(int depth, StringBuilder sb) {
        return sb.append("  ".repeat(depth));
    }
}
