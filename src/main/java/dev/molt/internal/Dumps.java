package dev.molt.internal;

import dev.molt.TaskDump;
import java.util.ArrayList;
import java.util.List;

/** Builds a {@link TaskDump} by walking a runtime's scopes and tasks. */
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
        List<TaskDump.TaskNode> tasks = new ArrayList<>();
        for (TaskImpl<?> t : s.tasks) {
            tasks.add(new TaskDump.TaskNode(t.id(), t.name(), t.state(), t.token().cancelled(),
                    scopes(t.childScopes(false))));
        }
        tasks.sort((a, b) -> Long.compare(a.id(), b.id()));
        return new TaskDump.ScopeNode(kindName(s.kind()), s.token().cancelled(), tasks,
                scopes(s.childScopes(false)));
    }

    private static List<TaskDump.ScopeNode> scopes(Iterable<ScopeImpl> scopes) {
        List<TaskDump.ScopeNode> out = new ArrayList<>();
        for (ScopeImpl s : scopes) {
            out.add(scope(s));
        }
        return out;
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
