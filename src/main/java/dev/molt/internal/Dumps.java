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

    private static TaskDump.ScopeNode scope(ScopeImpl s) {
        Children children = new Children(s.runtime);
        children.collect(s.token());
        for (Object member : s.detachedMembers()) {
            if (member instanceof TaskImpl<?> t) {
                children.tasks.add(task(t));
            } else if (member instanceof ScopeImpl inner) {
                children.scopes.add(scope(inner));
            }
        }
        children.tasks.sort(Comparator.comparingLong(TaskDump.TaskNode::id));
        return new TaskDump.ScopeNode(kindName(s.kind()), s.token().cancelled(), children.tasks, children.scopes);
    }

    private static TaskDump.TaskNode task(TaskImpl<?> t) {
        Children children = new Children(t.scope.runtime);
        children.collect(t.token());
        children.tasks.sort(Comparator.comparingLong(TaskDump.TaskNode::id));
        return new TaskDump.TaskNode(t.id(), t.name(), t.state(), t.token().cancelled(), children.tasks,
                children.scopes);
    }

    /**
     * The tasks and scopes of one runtime directly below a token, looking through plain tokens. (A token tree may
     * cross runtimes: a task of another runtime spawned under a token of this one belongs to that runtime's dump.)
     */
    private static final class Children {
        final RuntimeCore runtime;
        final List<TaskDump.TaskNode> tasks = new ArrayList<>();
        final List<TaskDump.ScopeNode> scopes = new ArrayList<>();

        Children(RuntimeCore runtime) {
            this.runtime = runtime;
        }

        /** Plain tokens are walked with a work list, not recursion: a chain of them can be very deep. */
        void collect(Token token) {
            java.util.ArrayDeque<Token> plain = new java.util.ArrayDeque<>();
            plain.add(token);
            for (Token next; (next = plain.poll()) != null; ) {
                next.forEachListener(l -> {
                    if (l instanceof TaskToken tt) {
                        TaskImpl<?> t = tt.runningTask();
                        if (t != null && t.scope.runtime == runtime) {
                            tasks.add(task(t));
                        }
                    } else if (l instanceof ScopeToken st) {
                        ScopeImpl sc = st.scopeImpl();
                        if (sc != null && sc.runtime == runtime) {
                            scopes.add(scope(sc));
                        }
                    } else if (l instanceof Token p) {
                        plain.add(p);
                    }
                });
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
