package dev.molt.stress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.CancelToken;
import dev.molt.CancelledException;
import dev.molt.Molt;
import dev.molt.MoltRuntime;
import dev.molt.Scope;
import dev.molt.Task;
import dev.molt.TaskDump;
import dev.molt.TaskFailedException;
import dev.molt.internal.Token;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random trees of scopes, supervisor scopes, timeouts, par and race, with tasks that spawn tasks, fail, sleep, or
 * wait to be cancelled, while a chaos thread cancels tasks, scopes and plain tokens at random moments. After each
 * round (an isolated runtime) it checks, exactly:
 * <ul>
 *   <li>every task's body ended exactly once, and its state is what its body's ending implies;</li>
 *   <li>no construct returned before every task that belongs to it had ended;</li>
 *   <li>what each construct returned or threw is allowed by API.md given what happened (failures of its own
 *       tasks, whether a token above it was cancelled, its own cancellation, its deadline);</li>
 *   <li>the runtime's counters add up and nothing is live; the root token has no listener left.</li>
 * </ul>
 * A round's violations are collected, and the test fails with all of them and the seed.
 */
@Timeout(120)
class TreeConservationStressTest {
    private static final int MAX_DEPTH = 3;

    /** A failure injected by a task body (or a scope body). */
    static final class Boom extends RuntimeException {
        Boom(String m) {
            super(m, null, false, false);
        }
    }

    /** One task, as seen by its body's wrapper. */
    static final class TaskRec {
        final int id;
        final Construct owner;
        volatile Task<?> task;
        final AtomicInteger ends = new AtomicInteger();
        volatile long endSeq;
        volatile Throwable thrown; // null if the body returned
        volatile boolean returned;

        TaskRec(int id, Construct owner) {
            this.id = id;
            this.owner = owner;
        }
    }

    /** One scope-like construct call. */
    static final class Construct {
        final String kind;
        final CancelToken outer;
        final List<TaskRec> tasks = new CopyOnWriteArrayList<>();
        volatile CancelToken own;
        volatile boolean selfCancelled; // Scope.cancel() by chaos (or the race's winner)
        volatile Throwable bodyThrew;
        volatile long returnSeq;
        volatile Object outcome; // value or Throwable
        volatile long startNanos;
        volatile long endNanos;
        long limitNanos;
        volatile int bodies; // par and race: how many bodies were passed

        Construct(String kind, CancelToken outer) {
            this.kind = kind;
            this.outer = outer;
        }
    }

    /** The state of one round. */
    final class Round {
        final SplittableRandom rnd;
        final AtomicLong clock = new AtomicLong();
        final AtomicInteger ids = new AtomicInteger();
        final List<TaskRec> tasks = new CopyOnWriteArrayList<>();
        final List<Construct> constructs = new CopyOnWriteArrayList<>();
        final List<Object> targets = new CopyOnWriteArrayList<>(); // Task, Scope, CancelToken
        final Map<Scope, Construct> scopes = Collections.synchronizedMap(new IdentityHashMap<>());
        final ThreadLocal<Construct> currentConstruct = new ThreadLocal<>();

        Round(long seed) {
            this.rnd = new SplittableRandom(seed);
        }

        synchronized int nextInt(int bound) {
            return rnd.nextInt(bound);
        }

        /** A task body: what it does depends on the dice and the depth. */
        Object taskBody(int depth, Construct owner) throws Exception {
            int what = nextInt(10);
            switch (what) {
                case 0, 1:
                    return "v";
                case 2:
                    Molt.sleep(Duration.ofMillis(nextInt(3)));
                    return "slept";
                case 3:
                    throw new Boom("boom");
                case 4:
                    Molt.sleep(Duration.ofMillis(nextInt(3)));
                    throw new Boom("late boom");
                case 5:
                    Molt.sleep(Duration.ofMillis(150)); // waits to be cancelled
                    return "long";
                case 6: {
                    // tasks spawning tasks with Molt.spawn: they belong to the same construct
                    int n = 1 + nextInt(3);
                    List<Task<Object>> subs = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        subs.add(spawnTask(depth, owner));
                    }
                    if (nextInt(2) == 0) {
                        for (Task<Object> t : subs) {
                            try {
                                t.join();
                            } catch (TaskFailedException | CancelledException e) {
                                // checked through the task's own record
                            }
                        }
                    }
                    return "spawned";
                }
                case 7:
                    if (depth < MAX_DEPTH) {
                        CancelToken plain = Molt.currentToken().child();
                        targets.add(plain);
                        return Molt.withToken(plain, () -> nested(depth + 1));
                    }
                    return "shallow";
                default:
                    if (depth < MAX_DEPTH) {
                        return nested(depth + 1);
                    }
                    Thread.sleep(nextInt(2)); // a JDK blocking call: interrupted by interrupting cancels
                    return "jdk";
            }
        }

        Task<Object> spawnTask(int depth, Construct owner) {
            TaskRec rec = new TaskRec(ids.incrementAndGet(), owner);
            owner.tasks.add(rec);
            tasks.add(rec);
            Task<Object> t = Molt.spawn(() -> {
                currentConstruct.set(owner);
                try {
                    Object v = taskBody(depth, owner);
                    rec.returned = true;
                    return v;
                } catch (Throwable e) {
                    rec.thrown = e;
                    throw e;
                } finally {
                    rec.ends.incrementAndGet();
                    rec.endSeq = clock.incrementAndGet();
                }
            });
            rec.task = t;
            if (nextInt(3) == 0) {
                targets.add(t);
            }
            return t;
        }

        /** Runs one random construct; records and returns (never throws) what it did. */
        Object nested(int depth) {
            int k = nextInt(5);
            String kind = switch (k) {
                case 0 -> "scope";
                case 1 -> "supervisor";
                case 2 -> "timeout";
                case 3 -> "par";
                default -> "race";
            };
            Construct c = new Construct(kind, Molt.currentToken());
            constructs.add(c);
            c.startNanos = System.nanoTime();
            Object outcome;
            try {
                outcome = switch (kind) {
                    case "scope" -> Molt.scope(s -> scopeBody(s, c, depth));
                    case "supervisor" -> Molt.supervisorScope(s -> scopeBody(s, c, depth));
                    case "timeout" -> {
                        c.limitNanos = TimeUnit.MILLISECONDS.toNanos(1 + nextInt(20));
                        yield Molt.timeout(Duration.ofNanos(c.limitNanos), () -> scopeBody(null, c, depth));
                    }
                    case "par" -> Molt.par(bodies(c, depth));
                    default -> Molt.race(bodies(c, depth));
                };
            } catch (Throwable e) {
                outcome = e;
            }
            c.endNanos = System.nanoTime();
            c.returnSeq = clock.incrementAndGet();
            c.outcome = outcome;
            if (outcome instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return outcome instanceof Throwable ? "threw" : outcome;
        }

        List<Callable<Object>> bodies(Construct c, int depth) {
            int n = 1 + nextInt(4);
            c.bodies = n;
            List<Callable<Object>> list = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                TaskRec rec = new TaskRec(ids.incrementAndGet(), c);
                c.tasks.add(rec);
                tasks.add(rec);
                list.add(() -> {
                    try {
                        Object v = taskBody(depth, c);
                        rec.returned = true;
                        return v;
                    } catch (Throwable e) {
                        rec.thrown = e;
                        throw e;
                    } finally {
                        rec.ends.incrementAndGet();
                        rec.endSeq = clock.incrementAndGet();
                    }
                });
            }
            return list;
        }

        Object scopeBody(Scope s, Construct c, int depth) throws Exception {
            c.own = Molt.currentToken();
            if (s != null) {
                scopes.put(s, c);
                if (nextInt(3) == 0) {
                    targets.add(s);
                }
            }
            try {
                int n = nextInt(4);
                for (int i = 0; i < n; i++) {
                    spawnTask(depth, c);
                }
                int what = nextInt(8);
                if (what == 0) {
                    throw new Boom("body boom");
                } else if (what <= 2) {
                    Molt.sleep(Duration.ofMillis(nextInt(5)));
                } else if (what == 3 && depth < MAX_DEPTH) {
                    nested(depth + 1);
                }
                return "body";
            } catch (Throwable e) {
                c.bodyThrew = e;
                throw e;
            }
        }
    }

    @Test
    void randomTreesConserveTasksAndThrowWhatTheApiSays() throws Exception {
        long seed = Seeds.seed("TreeConservationStressTest");
        SplittableRandom master = new SplittableRandom(seed);
        long budget = TimeUnit.MILLISECONDS.toNanos(Seeds.budgetMillis(5000));
        long start = System.nanoTime();
        List<String> violations = new ArrayList<>();
        int rounds = 0;
        long tasksTotal = 0;
        while (System.nanoTime() - start < budget && violations.size() < 20) {
            long roundSeed = master.nextLong();
            List<String> v = new ArrayList<>();
            tasksTotal += round(roundSeed, v);
            for (String s : v) {
                violations.add("round " + rounds + " (round seed " + roundSeed + "): " + s);
            }
            rounds++;
        }
        System.out.println("TreeConservationStressTest: " + rounds + " rounds, " + tasksTotal + " tasks, "
                + violations.size() + " violations");
        assertThat(violations).as("violations (seed %d)", seed).isEmpty();
    }

    private int round(long roundSeed, List<String> violations) throws Exception {
        MoltRuntime rt = MoltRuntime.create("tree-stress");
        Round r = new Round(roundSeed);
        SplittableRandom chaosRnd = new SplittableRandom(roundSeed * 31 + 7);
        Thread chaos = Thread.ofPlatform().name("chaos").start(() -> {
            int cancels = chaosRnd.nextInt(6);
            for (int i = 0; i < cancels; i++) {
                LockSupportSleep.micros(chaosRnd.nextInt(8000));
                List<Object> ts = r.targets;
                if (ts.isEmpty()) {
                    continue;
                }
                Object t = ts.get(chaosRnd.nextInt(ts.size()));
                if (t instanceof Task<?> task) {
                    task.cancel();
                } else if (t instanceof Scope s) {
                    Construct c = r.scopes.get(s);
                    if (c != null) {
                        c.selfCancelled = true;
                    }
                    s.cancel();
                } else if (t instanceof CancelToken tok) {
                    tok.cancel();
                }
            }
        });
        // a dump taken at random moments must never throw and never see negative or inconsistent counts
        java.util.concurrent.atomic.AtomicBoolean over = new java.util.concurrent.atomic.AtomicBoolean();
        ConcurrentLinkedQueue<String> dumpViolations = new ConcurrentLinkedQueue<>();
        Thread dumper = Thread.ofPlatform().name("dumper").start(() -> {
            while (!over.get()) {
                try {
                    TaskDump d = rt.dump();
                    TaskDump.Counts c = d.counts();
                    if (c.live() < 0 || c.spawned() < c.succeeded() + c.failed() + c.cancelled()) {
                        dumpViolations.add("inconsistent counts in a dump: " + c);
                    }
                    d.allTasks();
                    d.toString();
                } catch (Throwable e) {
                    dumpViolations.add("dump() threw " + e);
                }
                LockSupportSleep.micros(500);
            }
        });
        Object top;
        try {
            top = rt.run(() -> r.nested(0));
        } finally {
            chaos.join();
            over.set(true);
            dumper.join();
        }
        violations.addAll(dumpViolations);
        // Every construct has returned, so every task of it has ended (checked below); let the counters settle.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (rt.liveTasks() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        check(r, rt, violations);
        assertThat(rt.shutdown(Duration.ofSeconds(5))).isTrue();
        return r.tasks.size();
    }

    private void check(Round r, MoltRuntime rt, List<String> violations) {
        long succeeded = 0;
        long failed = 0;
        long cancelled = 0;
        int spawned = 0;
        for (TaskRec t : r.tasks) {
            if (t.task == null && t.ends.get() == 0 && !t.owner.kind.equals("par") && !t.owner.kind.equals("race")) {
                violations.add("task " + t.id + " was never spawned (spawn threw?)");
                continue;
            }
            if (t.ends.get() == 0) {
                // a par/race body whose task never started: only possible if the construct refused it
                if (t.owner.kind.equals("par") || t.owner.kind.equals("race")) {
                    continue;
                }
            }
            spawned++;
            if (t.ends.get() != 1) {
                violations.add("task " + t.id + " body ended " + t.ends.get() + " times");
            }
            if (t.endSeq > t.owner.returnSeq) {
                violations.add("task " + t.id + " ended after its " + t.owner.kind + " returned");
            }
            if (t.task != null) {
                Task.State st = t.task.state();
                Task.State expected;
                if (t.returned) {
                    expected = Task.State.SUCCEEDED;
                } else if ((t.thrown instanceof java.util.concurrent.CancellationException
                        || t.thrown instanceof InterruptedException) && t.task.token().cancelled()) {
                    expected = Task.State.CANCELLED;
                } else {
                    expected = Task.State.FAILED;
                }
                if (st != expected) {
                    violations.add("task " + t.id + " is " + st + " but its body " + (t.returned ? "returned"
                            : "threw " + t.thrown) + " (token cancelled: " + t.task.token().cancelled() + ")");
                }
                switch (st) {
                    case SUCCEEDED -> succeeded++;
                    case FAILED -> failed++;
                    case CANCELLED -> cancelled++;
                    default -> violations.add("task " + t.id + " still RUNNING after its construct returned");
                }
            }
        }
        TaskDump.Counts counts = rt.dump().counts();
        if (counts.live() != 0) {
            violations.add("live " + counts.live() + " after the round: " + rt.dump());
        }
        if (counts.spawned() != counts.succeeded() + counts.failed() + counts.cancelled()) {
            violations.add("counters do not add up: " + counts);
        }
        long ourTasks = r.tasks.stream().filter(t -> t.task != null).count();
        long parRace = r.tasks.stream().filter(t -> t.task == null && t.ends.get() > 0).count();
        if (counts.spawned() != ourTasks + parRace) {
            violations.add("spawned " + counts.spawned() + " but we started " + (ourTasks + parRace));
        }
        if (counts.succeeded() < succeeded || counts.failed() < failed || counts.cancelled() < cancelled) {
            violations.add("counters " + counts + " below the states we saw: " + succeeded + "/" + failed + "/"
                    + cancelled);
        }
        int listeners = ((Token) rt.rootToken()).listenerCount();
        if (listeners != 0) {
            violations.add("root token still has " + listeners + " listeners");
        }
        for (Construct c : r.constructs) {
            checkConstruct(c, violations);
        }
    }

    private void checkConstruct(Construct c, List<String> violations) {
        Object out = c.outcome;
        // the failures of this construct: what its FAILED tasks (started by us) threw, plus its body's own failure
        Set<Throwable> failures = Collections.newSetFromMap(new IdentityHashMap<>());
        boolean unknownTaskStates = false;
        for (TaskRec t : c.tasks) {
            if (t.task != null) {
                if (t.task.state() == Task.State.FAILED) {
                    failures.add(t.thrown);
                }
            } else if (t.ends.get() > 0) { // par/race bodies: no Task handle; infer the state as the runtime does
                if (t.thrown != null && !(t.thrown instanceof java.util.concurrent.CancellationException
                        || t.thrown instanceof InterruptedException)) {
                    failures.add(t.thrown);
                } else if (t.thrown != null) {
                    unknownTaskStates = true; // cancelled or failed: depends on the task token we cannot see
                }
            }
        }
        boolean bodyFailed = c.bodyThrew instanceof Boom;
        if (bodyFailed) {
            failures.add(c.bodyThrew);
        }
        boolean outerCancelled = c.outer.cancelled();
        String what = c.kind + " (outcome " + describe(out) + ", failures " + failures.size() + ", outer cancelled "
                + outerCancelled + ", self-cancelled " + c.selfCancelled + ")";
        if (out instanceof TaskFailedException tfe && !c.kind.equals("race")) {
            Set<Throwable> reported = Collections.newSetFromMap(new IdentityHashMap<>());
            reported.add(tfe.getCause());
            reported.addAll(List.of(tfe.getSuppressed()));
            if (!failures.contains(tfe.getCause())) {
                violations.add(what + ": TaskFailedException's cause is not a failure of its own: " + tfe.getCause());
            }
            if (!unknownTaskStates && !reported.equals(failures)) {
                violations.add(what + ": reported " + reported.size() + " failures, expected exactly " + failures.size());
            }
        } else if (out instanceof CancelledException) {
            boolean allowed = outerCancelled
                    || (c.selfCancelled && c.bodyThrew instanceof java.util.concurrent.CancellationException)
                    || c.kind.equals("race"); // every body of the race was cancelled (by the chaos)
            if (!allowed) {
                violations.add((failures.isEmpty() && !c.selfCancelled ? "" : "KNOWN BUG (see FoundationBugReproTest."
                        + "simultaneousFailuresAreThrownAsTaskFailedException): ") + what
                        + ": CancelledException although no token above it was cancelled");
            }
        } else if (out instanceof TimeoutException) {
            if (!c.kind.equals("timeout")) {
                violations.add(what + ": TimeoutException from a construct without a deadline");
            } else if (c.endNanos - c.startNanos < c.limitNanos) {
                violations.add(what + ": TimeoutException before the limit");
            }
        } else if (out instanceof InterruptedException && outerCancelled) {
            violations.add("KNOWN BUG (see FoundationBugReproTest.aScopeInACancelledTaskThrowsCancelledException"
                    + "NotInterruptedException): " + what + ": InterruptedException instead of CancelledException");
        } else if (out instanceof Throwable e) {
            if (!(e instanceof TaskFailedException && c.kind.equals("race"))) {
                violations.add(what + ": unexpected " + e);
            }
        } else {
            // a value: the body's, for the scope kinds; one per body, in order, for par
            boolean scopeKind = c.kind.equals("scope") || c.kind.equals("supervisor") || c.kind.equals("timeout");
            if (scopeKind && !"body".equals(out)) {
                violations.add(what + ": returned " + out + ", not the body's value");
            }
            if (c.kind.equals("par") && !(out instanceof List<?> l && l.size() == c.bodies)) {
                violations.add(what + ": par returned " + out + " for " + c.bodies + " bodies");
            }
            if (!failures.isEmpty() && !c.kind.equals("race")) {
                violations.add(what + ": returned a value although it had failures");
            }
        }
        if (!failures.isEmpty() && !outerCancelled && !c.kind.equals("race") && !c.kind.equals("timeout")
                && !(out instanceof TaskFailedException)) {
            violations.add(what + ": had failures and no outer cancellation, but did not throw TaskFailedException");
        }
    }

    private static String describe(Object o) {
        return o instanceof Throwable t ? t.getClass().getSimpleName() + "(" + t.getMessage() + ")" : String.valueOf(o);
    }

    /** Sleeps a platform thread a few microseconds at a time. */
    static final class LockSupportSleep {
        static void micros(long us) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(us));
        }
    }
}
