package dev.molt;

import java.util.List;

/**
 * A snapshot of a runtime's live tasks, like a Go goroutine dump: the tree of scopes and the tasks in them,
 * with the runtime's counters. Made by {@link MoltRuntime#dump()}; {@link #toString()} renders it as indented
 * text (nodes deeper than 32 levels say their depth, {@code [40] task #...}, instead of being indented further). Taken without stopping anything, so a task may end or start while it is taken.
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

    /**
     * What {@link #visit} calls for each node of the tree, with how far below the root scope it is (the root: 0).
     */
    public interface Visitor {
        /** Called for each scope, the root scope first. */
        void scope(ScopeNode scope, int depth);

        /** Called for each task. */
        void task(TaskNode task, int depth);
    }

    /**
     * Calls {@code visitor} for every scope and task of the tree, depth first in the order of {@link #toString()}
     * (a node, then its tasks, then its scopes), so each node comes after its parent. Uses no recursion: a chain
     * of tasks each spawned by the one before can be thousands deep.
     *
     * @throws NullPointerException if {@code visitor} is null
     */
    public void visit(Visitor visitor) {
        java.util.Objects.requireNonNull(visitor, "visitor");
        java.util.ArrayDeque<Object> nodes = new java.util.ArrayDeque<>();
        java.util.ArrayDeque<Integer> depths = new java.util.ArrayDeque<>();
        nodes.push(root);
        depths.push(0);
        while (!nodes.isEmpty()) {
            Object node = nodes.pop();
            int depth = depths.pop();
            List<TaskNode> tasks;
            List<ScopeNode> scopes;
            if (node instanceof TaskNode t) {
                visitor.task(t, depth);
                tasks = t.tasks();
                scopes = t.scopes();
            } else {
                ScopeNode scope = (ScopeNode) node;
                visitor.scope(scope, depth);
                tasks = scope.tasks();
                scopes = scope.scopes();
            }
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

    /** All tasks in the tree, depth first. */
    public List<TaskNode> allTasks() {
        List<TaskNode> out = new java.util.ArrayList<>();
        visit(new Visitor() {
            @Override
            public void scope(ScopeNode scope, int depth) {
            }

            @Override
            public void task(TaskNode task, int depth) {
                out.add(task);
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
        visit(new Visitor() {
            @Override
            public void scope(ScopeNode scope, int depth) {
                indent(depth, sb).append(scope.kind()).append(scope.cancelled() ? " (cancelled)" : "").append('\n');
            }

            @Override
            public void task(TaskNode t, int depth) {
                indent(depth, sb).append("task #").append(t.id()).append(" \"").append(t.name()).append("\" ")
                        .append(t.state()).append(t.cancelled() ? " (cancelled)" : "").append('\n');
            }
        });
        return sb.toString();
    }

    /** Deeper than this, a line says its depth instead of being indented further: the text stays linear in size. */
    private static final int MAX_INDENT = 32;

    private static StringBuilder indent(int depth, StringBuilder sb) {
        if (depth <= MAX_INDENT) {
            return sb.append("  ".repeat(depth));
        }
        return sb.append("  ".repeat(MAX_INDENT)).append('[').append(depth).append("] ");
    }
}
