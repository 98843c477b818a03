package dev.molt.internal;

import dev.molt.TaskDump;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Builds a {@link TaskDump} by walking a runtime's token tree: a task's token is a child of the token current
 * where it was spawned, and a scope's token a child of the token current where it was opened, so the tree of
 * tokens is the tree of who started what. Plain tokens in between (from {@code child()} and {@code withToken})
 * are walked through. Tasks under tokens outside the tree are listed by their scope, and scopes opened under such
 * tokens ({@code withToken(never(), () -> scope(...))}) by the scope they were opened in.
 */
public final class Dumps {
    private Dumps() {
    }

    public static TaskDump of(RuntimeCore runtime) {
        Counters c = runtime.counters();
        long cancelled = c.cancelledCount();
        long failed = c.failedCount();
        long succeeded = c.succeededCount();
        long spawned = c.spawnedCount();
        TaskDump.Counts counts = new TaskDump.Counts(
                spawned, spawned - succeeded - failed - cancelled, succeeded, failed, cancelled);
        return new TaskDump(runtime.name(), counts, scope(runtime.rootScope()));
    }

    /**
     * Builds the tree without recursion (a chain of tasks, each spawned by the one before, can be thousands deep):
     * first a walk with a work list finds every node and its children, then the nodes are made children first.
     */
    private static TaskDump.ScopeNode scope(ScopeImpl root) {
        List<Node> found = new ArrayList<>();
        found.add(new Node(root));
        for (int i = 0; i < found.size(); i++) { // found grows as the walk finds children
            found.get(i).findChildren(found);
        }
        for (int i = found.size() - 1; i >= 0; i--) { // children were found after their parents
            found.get(i).build();
        }
        return (TaskDump.ScopeNode) found.get(0).built;
    }

    /** A task or scope of the tree being built: its children (tasks and scopes), then its record. */
    private static final class Node {
        final Object source; // a TaskImpl or a ScopeImpl
        final List<Node> tasks = new ArrayList<>();
        final List<Node> scopes = new ArrayList<>();
        Object built;

        Node(Object source) {
            this.source = source;
        }

        /** Finds the direct children of this node, adds them to its lists and to {@code found}. */
        void findChildren(List<Node> found) {
            if (source instanceof ScopeImpl s) {
                collect(s.runtime, s.token(), found);
                for (Object member : s.detachedMembers()) {
                    add(new Node(member), found);
                }
            } else {
                TaskImpl<?> t = (TaskImpl<?>) source;
                collect(t.scope.runtime, t.ownToken(), found);
            }
        }

        /**
         * The tasks and scopes of one runtime directly below a token, looking through plain tokens (with a work
         * list: a chain of them can be very deep too). A token tree may cross runtimes: a task of another runtime
         * spawned under a token of this one belongs to that runtime's dump.
         */
        private void collect(RuntimeCore runtime, Token token, List<Node> found) {
            java.util.ArrayDeque<Token> plain = new java.util.ArrayDeque<>();
            plain.add(token);
            for (Token next; (next = plain.poll()) != null; ) {
                next.forEachListener(l -> {
                    if (l instanceof TaskToken tt) {
                        TaskImpl<?> t = tt.runningTask();
                        if (t != null && t.scope.runtime == runtime) {
                            add(new Node(t), found);
                        }
                    } else if (l instanceof ScopeToken st) {
                        ScopeImpl sc = st.scopeImpl();
                        if (sc != null && sc.runtime == runtime) {
                            add(new Node(sc), found);
                        }
                    } else if (l instanceof Token p) {
                        plain.add(p);
                    }
                });
            }
        }

        private void add(Node child, List<Node> found) {
            (child.source instanceof TaskImpl<?> ? tasks : scopes).add(child);
            found.add(child);
        }

        /** Makes this node's record; its children's are made already. */
        void build() {
            List<TaskDump.TaskNode> taskNodes = new ArrayList<>(tasks.size());
            for (Node n : tasks) {
                taskNodes.add((TaskDump.TaskNode) n.built);
            }
            taskNodes.sort(Comparator.comparingLong(TaskDump.TaskNode::id));
            List<TaskDump.ScopeNode> scopeNodes = new ArrayList<>(scopes.size());
            for (Node n : scopes) {
                scopeNodes.add((TaskDump.ScopeNode) n.built);
            }
            if (source instanceof ScopeImpl s) {
                built = new TaskDump.ScopeNode(kindName(s.kind()), s.token().cancelled(), taskNodes, scopeNodes);
            } else {
                TaskImpl<?> t = (TaskImpl<?>) source;
                built = new TaskDump.TaskNode(t.id(), t.name(), t.state(), t.ownToken().cancelled(), taskNodes,
                        scopeNodes);
            }
        }
    }

    private static String kindName(ScopeImpl.Kind kind) {
        return switch (kind) {
            case ROOT -> "root";
            case SCOPE -> "scope";
            case SUPERVISOR -> "supervisor";
            case RACE -> "race";
        };
    }
}
